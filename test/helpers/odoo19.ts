// Reference answers of a real Odoo 19.0 (test/fixtures/odoo19/README.md): the one loader tests use.

import { readFileSync, readdirSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/odoo19/', import.meta.url);

/** The raw text of a wire capture (`captures/<name>`): request, then "--- response: HTTP ..." and the answer. */
export function readCapture(name: string): string {
  return readFileSync(new URL(`captures/${name}`, FIXTURES), 'utf8');
}

export type FieldsExport = Record<string, Record<string, unknown>>;

/** Odoo 19's `fields_get` answer for a model, or undefined when none was exported. */
export function readFieldsExport(model: string): FieldsExport | undefined {
  try {
    return JSON.parse(readFileSync(new URL(`fields/${model}.json`, FIXTURES), 'utf8')) as FieldsExport;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Every model with a `fields_get` export. */
export function exportedModels(): string[] {
  return readdirSync(new URL('fields/', FIXTURES))
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Per model and field, the Odoo modules that define or extend it, comma-separated (`fields/_modules.json`). */
export function fieldModules(): Record<string, Record<string, string>> {
  return JSON.parse(readFileSync(new URL('fields/_modules.json', FIXTURES), 'utf8')) as Record<string, Record<string, string>>;
}

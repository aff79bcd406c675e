// Reference answers of a real Odoo 19.0 (test/fixtures/odoo19/README.md): the one loader tests use.

import { readFileSync, readdirSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/odoo19/', import.meta.url);

/** The raw text of a wire capture (`captures/<name>`): request, then "--- response: HTTP ..." and the answer. */
export function readCapture(name: string): string {
  return readFileSync(new URL(`captures/${name}`, FIXTURES), 'utf8');
}

/** A wire capture split up: the request body, the answer's status, headers and body. */
export interface Capture {
  /** Request body (without its trailing newlines). */
  request: string;
  status: number;
  headers: Record<string, string>;
  /** Response body as sent. */
  response: string;
}

const RESPONSE_MARK = '\n--- response: HTTP ';

/** A capture file parsed: request headers + body, then "--- response: HTTP <status> <headers json>", a blank line and the body. */
export function parseCapture(name: string): Capture {
  const text = readCapture(name);
  const at = text.indexOf(RESPONSE_MARK);
  if (at < 0) throw new Error(`capture ${name} has no response`);
  const head = text.slice(0, at);
  const request = head.slice(head.indexOf('\n\n') + 2).replace(/\n+$/, '');
  const rest = text.slice(at + RESPONSE_MARK.length);
  const nl = rest.indexOf('\n');
  const statusLine = rest.slice(0, nl);
  const space = statusLine.indexOf(' ');
  return {
    request,
    status: Number(statusLine.slice(0, space)),
    headers: JSON.parse(statusLine.slice(space + 1)) as Record<string, string>,
    response: rest.slice(nl + 1).replace(/^\n/, ''),
  };
}

/** The parsed JSON answer of a capture. */
export function captureJson<T = any>(name: string): T {
  return JSON.parse(parseCapture(name).response) as T;
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

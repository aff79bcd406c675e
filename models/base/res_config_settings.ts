// res.config.settings: Odoo's settings wizard. A settings record is transient: clients create
// one (default_get gives the current values), change fields, then call `execute()`, which stores
// every field bound to a system parameter (Odoo's `config_parameter=` attribute) in
// ir.config_parameter. Addons add their fields with `_inherit: 'res.config.settings'` and bind
// them with `bindConfigParameter`.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { getParam, setParam } from './ir_config_parameter.ts';
import { ValidationError } from '../orm/exceptions.ts';
import { ajvCoercing, errorMessage, firstError, type ValidateFunction } from '../tools/validation.ts';

export interface ConfigParameterBinding {
  key: string;
  type: 'char' | 'integer' | 'float' | 'boolean' | 'selection';
  default: string | number | boolean;
  /** Smallest value accepted (numeric settings). */
  minimum?: number;
  /** Accepted values of a selection setting, with their labels. */
  selection?: [string, string][];
  /** Called after commit when the value changed (e.g. drop a cache). */
  onChange?: () => void;
}

const BINDINGS = new Map<string, ConfigParameterBinding>();
/** One compiled schema per bound field: `{ value }` with the field's type and bounds. */
const VALIDATORS = new Map<string, ValidateFunction>();

function valueSchema(b: ConfigParameterBinding): Record<string, unknown> {
  switch (b.type) {
    case 'integer':
    case 'float':
      return { type: b.type === 'integer' ? 'integer' : 'number', ...(b.minimum !== undefined ? { minimum: b.minimum } : {}) };
    case 'boolean':
      return { type: 'boolean' };
    case 'selection':
      return b.selection ? { enum: b.selection.map(([v]) => v) } : { type: 'string' };
    default:
      return { type: 'string' };
  }
}

/** Bind settings field `field` to system parameter `binding.key` (Odoo's `config_parameter`). */
export function bindConfigParameter(field: string, binding: ConfigParameterBinding): void {
  BINDINGS.set(field, binding);
  VALIDATORS.set(field, ajvCoercing.compile({ type: 'object', properties: { value: valueSchema(binding) }, required: ['value'] }));
}

/** `value` converted to the field's type, or the reason it does not fit the field. */
export function checkConfigValue(field: string, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const validate = VALIDATORS.get(field);
  if (!validate) throw new Error(`No settings field ${field}`);
  const holder = { value };
  if (validate(holder)) return { ok: true, value: holder.value };
  return { ok: false, message: errorMessage(firstError(validate)!) };
}

/** Raise Odoo's ValidationError unless `value` fits settings field `field` (`label` names it). */
export function assertConfigValue(field: string, value: unknown, label = field): unknown {
  const checked = checkConfigValue(field, value);
  if (!checked.ok) throw new ValidationError(`Invalid value for the setting '${label}' (${field}): ${checked.message}, got ${JSON.stringify(value)}.`);
  return checked.value;
}

/** The stored text of a parameter read as the field's value; a value that no longer fits falls back to the default. */
function decode(field: string, b: ConfigParameterBinding, raw: string | undefined): unknown {
  if (raw === undefined) return b.default;
  if (b.type === 'boolean') return raw === 'True' || raw === 'true' || raw === '1';
  const checked = checkConfigValue(field, raw);
  return checked.ok ? checked.value : b.default;
}

/** Read the stored text `raw` of settings field `field` (default when missing or unfit). */
export function decodeConfigValue(field: string, raw: string | undefined): unknown {
  const b = BINDINGS.get(field);
  if (!b) throw new Error(`No settings field ${field}`);
  return decode(field, b, raw);
}

function encode(b: ConfigParameterBinding, value: unknown): string | null {
  if (b.type === 'boolean') return value ? 'True' : null;
  if (value === false || value === null || value === undefined || value === '') return null;
  return String(value);
}

/** Current values of the bound settings fields present on the model. */
async function currentValues(self: RecordSet): Promise<Vals> {
  const out: Vals = {};
  for (const [field, b] of BINDINGS) {
    if (!self.model.fields.has(field)) continue;
    out[field] = decode(field, b, await getParam(self.env, b.key));
  }
  return out;
}

/** Read one bound parameter with its declared type and default (internal use). */
export async function getConfigValue(env: Env, field: string): Promise<unknown> {
  const b = BINDINGS.get(field);
  if (!b) throw new Error(`No settings field ${field}`);
  return decode(field, b, await getParam(env, b.key));
}

export const ResConfigSettings: ModelSpec = {
  _name: 'res.config.settings',
  _description: 'Config Settings',
  _transient: true,
  fields: {},
  methods: {
    default_get: {
      api: 'model',
      params: ['fields'],
      async fn(self: RecordSet, fields: string[]) {
        const res = ((await this.super(fields)) ?? {}) as Vals;
        // the current settings are system parameters: settings administrators only
        if (Array.isArray(fields) && fields.some((f) => BINDINGS.has(f))) await self.checkAccess('read');
        const current = await currentValues(self);
        for (const f of Array.isArray(fields) ? fields : []) if (f in current && !(`default_${f}` in self.env.context)) res[f] = current[f];
        return res;
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        // A new settings record starts from the current values, like the form's default_get.
        const current = await currentValues(self);
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...current, ...v }));
        return this.super(list);
      },
    },
    get_values: {
      api: 'model',
      params: [],
      readonly: true,
      fn: async (self: RecordSet) => (await self.checkAccess('read'), currentValues(self)),
    },
    set_values: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const names = [...BINDINGS.keys()].filter((f) => self.model.fields.has(f));
        if (!names.length) return true;
        for (const row of await self.fetch(names)) {
          for (const f of names) {
            const b = BINDINGS.get(f)!;
            const value = row[f];
            if (b.type !== 'boolean' && value !== false && value !== null && value !== undefined && value !== '') {
              assertConfigValue(f, value, self.model.fields.get(f)?.string);
            }
            const before = await getParam(self.env, b.key);
            const after = encode(b, row[f]);
            if ((before ?? null) === after) continue;
            await setParam(self.env, b.key, after);
            if (b.onChange) self.env.cr.postcommit.push(b.onChange);
          }
        }
        return true;
      },
    },
    execute: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        await self.call('set_values');
        return { type: 'ir.actions.client', tag: 'reload' };
      },
    },
  },
};

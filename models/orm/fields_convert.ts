// Value conversion of fields: what a client sends to what the column stores (Odoo's
// convert_to_column), and what the column holds to what read() answers (convert_to_read).

import type { Field } from './fields.ts';
import { pyRepr } from './domain.ts';
import { PyValueError, PyTypeError, ValidationError } from './exceptions.ts';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** Convert a client value to what the column stores (Odoo's convert_to_column). */
export function toColumn(f: Field, value: unknown): unknown {
  if (value === undefined) value = false;
  switch (f.type) {
    case 'char': case 'text': case 'html': {
      if (value === false || value === null) return null;
      if (typeof value === 'string') return f.type === 'char' && f.spec.size ? value.slice(0, f.spec.size) : value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new PyValueError(`Wrong value for ${f.modelName}.${f.name}: ${pyRepr(value)}`);
    }
    case 'selection': {
      if (value === false || value === null || value === '') return null;
      const sel = f.spec.selection;
      if (sel && !sel.some(([k]) => k === value)) throw new PyValueError(`Wrong value for ${f.modelName}.${f.name}: ${pyRepr(value)}`);
      return String(value);
    }
    case 'integer': {
      if (value === false || value === null || value === '') return 0;
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : value === true ? 1 : NaN;
      if (!Number.isFinite(n)) throw new PyValueError(`invalid literal for int() with base 10: ${pyRepr(value)}`);
      const i = Math.trunc(n);
      if (i > 2147483647 || i < -2147483648) throw new ValidationError(`The operation cannot be completed: integer out of range for ${f.modelName}.${f.name}`);
      return i;
    }
    case 'float': case 'monetary': {
      if (value === false || value === null || value === '') return 0;
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : value === true ? 1 : NaN;
      if (!Number.isFinite(n)) throw new PyValueError(`could not convert string to float: ${pyRepr(value)}`);
      if (f.spec.digits) return Math.round(n * 10 ** f.spec.digits[1]) / 10 ** f.spec.digits[1];
      return n;
    }
    case 'boolean':
      return !!value && value !== 'false' && value !== 'False';
    case 'many2one': case 'many2one_reference': {
      if (value === false || value === null || value === 0 || value === '') return null;
      if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number') return value[0];
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n)) throw new PyTypeError(`Wrong value for ${f.modelName}.${f.name}: ${pyRepr(value)}`);
      return n;
    }
    case 'date': {
      if (value === false || value === null || value === '') return null;
      if (typeof value !== 'string') throw new PyValueError(`Wrong value for ${f.modelName}.${f.name}: ${pyRepr(value)}`);
      const d = value.slice(0, 10);
      if (!DATE_RE.test(d) || Number.isNaN(Date.parse(d + 'T00:00:00Z'))) throw new PyValueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d'`);
      return d;
    }
    case 'datetime': {
      if (value === false || value === null || value === '') return null;
      if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ');
      if (typeof value !== 'string') throw new PyValueError(`Wrong value for ${f.modelName}.${f.name}: ${pyRepr(value)}`);
      if (DATE_RE.test(value)) return `${value} 00:00:00`;
      const m = DATETIME_RE.exec(value);
      if (!m || Number.isNaN(Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`))) {
        throw new PyValueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
      }
      return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] ?? '00'}`;
    }
    case 'json':
      return value === false || value === null ? null : JSON.stringify(value);
    case 'binary':
      return value === false || value === null ? null : Buffer.from(String(value), 'base64');
    case 'reference':
      return value === false || value === null ? null : String(value);
    default:
      return value;
  }
}

/** Format a raw value for read() (see spec §7.1). */
export function formatValue(f: Field, v: unknown, m2oNames: Map<string, Map<number, string>> | null): unknown {
  switch (f.type) {
    case 'integer':
      return v === null || v === undefined || v === false ? 0 : Number(v);
    case 'float': case 'monetary':
      return v === null || v === undefined || v === false ? 0.0 : Number(v);
    case 'boolean':
      return !!v;
    case 'many2one': {
      if (v === null || v === undefined || v === false) return false;
      if (Array.isArray(v)) return m2oNames ? v : v[0];
      const id = Number(v);
      if (!m2oNames) return id;
      return [id, m2oNames.get(f.comodel!)?.get(id) ?? ''];
    }
    case 'one2many': case 'many2many':
      return Array.isArray(v) ? v : [];
    case 'datetime':
      return v ? String(v).slice(0, 19) : false;
    case 'date':
      return v ? String(v).slice(0, 10) : false;
    case 'json':
      return v === null || v === undefined ? false : v;
    case 'binary':
      // a computed binary may hold a structure (ir.actions.act_window.views): given as is
      return v ? (Buffer.isBuffer(v) ? v.toString('base64') : Array.isArray(v) ? v : String(v)) : false;
    default:
      return v === null || v === undefined ? false : v;
  }
}

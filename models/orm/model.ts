// Model declarations as data (the `_name`, `_inherit`, `_order`... of an Odoo class) and the
// runtime `Model` the registry assembles from one or more declarations.

import { Field, type FieldSpec } from './fields.ts';
import type { RecordSet } from './records.ts';
import type { Env } from './env.ts';
import type { SQL } from './sql.ts';

/** How a method receives its records: `model` methods get an empty recordset and no ids. */
export type MethodApi = 'model' | 'record';

export interface MethodSpec {
  api: MethodApi;
  /** Python-style parameter names in positional order, with defaults; `*name` = varargs, `**name` (last) = the other keyword arguments as one object. */
  params?: (string | [string, unknown])[];
  /** Internal method: refused over RPC like `@api.private` / leading underscore. */
  private?: boolean;
  /** Whether the method only reads (used for read-only replicas and JSON-2 hints). */
  readonly?: boolean;
  /**
   * The implementation. Called with `this.super(...args)` bound to the overridden
   * implementation (for `_inherit` extensions), and `self` the recordset.
   */
  fn: (this: MethodThis, self: RecordSet, ...args: any[]) => Promise<unknown> | unknown;
}

export interface MethodThis {
  super: (...args: any[]) => Promise<any>;
}

/** A Python-style `@api.constrains` check: throws ValidationError on bad records. */
export interface ConstraintSpec {
  fields: string[];
  check: (records: RecordSet) => Promise<void>;
}

export interface ModelSpec {
  _name: string;
  _description?: string;
  /** Extend an existing model (same `_name`) or mix in abstract ones. */
  _inherit?: string | string[];
  _order?: string;
  _rec_name?: string;
  /** Fields searched by name_search / display_name (default: the rec_name field). */
  _rec_names_search?: string[];
  _table?: string;
  _abstract?: boolean;
  _transient?: boolean;
  /** Add create_uid/create_date/write_uid/write_date (default true). */
  _log_access?: boolean;
  _parent_name?: string;
  /** SQL constraints: [name, definition, message]. */
  _sql_constraints?: [string, string, string][];
  /** Extra indexes: [name, definition] e.g. ['x_idx', '(a, b)']. */
  _indexes?: [string, string][];
  _constraints?: ConstraintSpec[];
  fields?: Record<string, FieldSpec>;
  methods?: Record<string, MethodSpec>;
  /** Per-record access restriction (see AccessFilter). */
  _access_filter?: AccessFilter;
}

/**
 * Per-record access restriction on top of the ACLs (what Odoo's record rules and `_search` /
 * `_check_access` overrides do): `condition` is an SQL condition on the model's table under
 * `alias` that the rows the env's user may `operation` satisfy (null: no restriction); `error`
 * is the AccessError raised when records outside it are used directly. Never applied in sudo.
 */
export interface AccessFilter {
  condition: (env: Env, operation: 'read' | 'write' | 'create' | 'unlink', alias: string) => Promise<SQL | null>;
  error: (records: RecordSet, operation: 'read' | 'write' | 'create' | 'unlink') => Error | Promise<Error>;
}

/** One declaration's own methods (a class of the MRO); `key` identifies it across models. */
export interface MethodLayer {
  key: object;
  methods: Record<string, MethodSpec>;
}

const NO_SUPER: MethodThis = { super: async () => undefined };

export class Model {
  readonly name: string;
  description: string;
  order = 'id';
  recName?: string;
  recNamesSearch?: string[];
  table: string;
  abstract = false;
  transient = false;
  logAccess = true;
  parentName?: string;
  readonly fields = new Map<string, Field>();
  readonly methods = new Map<string, MethodSpec>();
  readonly sqlConstraints: [string, string, string][] = [];
  readonly indexes: [string, string][] = [];
  readonly constraints: ConstraintSpec[] = [];
  /** Abstract models mixed in (for `isinstance`-like checks, e.g. mail.thread.phone). */
  readonly mixins = new Set<string>();
  /**
   * Method resolution order, most derived first (like Python's `__mro__`): each declaration's own
   * methods, then those of the models it inherits, the ORM's base methods last.
   */
  layers: MethodLayer[] = [];
  /** Per-record access restriction (see AccessFilter), inherited by extensions. */
  accessFilter?: AccessFilter;
  /** Stored fields with a real column, in declaration order (filled by the registry). */
  columns: Field[] = [];

  constructor(name: string) {
    this.name = name;
    this.description = name;
    this.table = name.replace(/\./g, '_');
  }

  field(name: string): Field | undefined {
    return this.fields.get(name);
  }

  get activeField(): Field | undefined {
    return this.fields.get('active');
  }

  /** The field used as record name (display_name source). */
  get recNameField(): string | undefined {
    if (this.recName) return this.recName;
    if (this.fields.has('name')) return 'name';
    return undefined;
  }

  addField(name: string, spec: FieldSpec): void {
    const prev = this.fields.get(name);
    // An extension may override attributes of an inherited field (like Odoo's field override).
    const merged = prev ? { ...prev.spec, ...spec } : spec;
    this.fields.set(name, new Field(this.name, name, merged));
  }

  /** Build `methods` from `layers`: per name, each layer's function chained to the next one's by `this.super`. */
  resolveMethods(): void {
    this.methods.clear();
    const names = new Set<string>();
    for (const l of this.layers) for (const name of Object.keys(l.methods)) names.add(name);
    for (const name of names) {
      const chain = this.layers.filter((l) => Object.prototype.hasOwnProperty.call(l.methods, name)).map((l) => l.methods[name]);
      let resolved = chain[chain.length - 1];
      for (let i = chain.length - 2; i >= 0; i--) {
        const spec = chain[i];
        const next = resolved.fn;
        const ownFn = spec.fn;
        const fn = function (this: MethodThis, self: RecordSet, ...args: any[]) {
          const ctx: MethodThis = { super: async (...a: any[]) => next.call(NO_SUPER, self, ...a) };
          return ownFn.call(ctx, self, ...args);
        };
        resolved = { ...resolved, ...spec, params: spec.params ?? resolved.params, fn };
      }
      this.methods.set(name, resolved);
    }
  }
}

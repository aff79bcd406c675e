// Field declarations (the data side of odoo.fields): a model lists its fields as plain
// objects; the registry completes them into `Field` instances that know their column,
// how values are converted to and from the database, and how they read on the wire.

import type { Env } from './env.ts';
import type { RecordSet } from './records.ts';
import type { SQL } from './sql.ts';
import type { DomainItem } from './domain.ts';

export type FieldType =
  | 'char' | 'text' | 'html' | 'integer' | 'float' | 'monetary' | 'boolean'
  | 'date' | 'datetime' | 'selection' | 'many2one' | 'one2many' | 'many2many'
  | 'binary' | 'json' | 'reference' | 'many2one_reference';

export type Selection = [string, string][];

/** Compute function: fills values for every record of `records` (batch), keyed by id. */
export type ComputeFn = (records: RecordSet, fieldNames: string[]) => Promise<Map<number, Record<string, unknown>>>;
/** Search function for a non-stored field: returns a domain equivalent to (field operator value). */
export type SearchFn = (model: RecordSet, operator: string, value: unknown) => Promise<DomainItem[]> | DomainItem[];
/** Inverse function for a computed/related field: writes `value` back. */
export type InverseFn = (records: RecordSet, value: unknown) => Promise<void>;

export interface FieldSpec {
  type: FieldType;
  string?: string;
  help?: string;
  required?: boolean;
  readonly?: boolean;
  /** A constant, or a function of the environment (called once per created record). */
  default?: unknown | ((env: Env) => unknown | Promise<unknown>);
  index?: boolean | 'btree' | 'trigram' | 'btree_not_null';
  copy?: boolean;
  store?: boolean;
  translate?: boolean;
  size?: number;
  digits?: [number, number];
  selection?: Selection;
  /** Comodel of a relational field. */
  comodel?: string;
  /** one2many: the many2one on the comodel pointing back. */
  inverseName?: string;
  /** many2many: relation table and its two columns (Odoo's defaults when omitted). */
  relation?: string;
  column1?: string;
  column2?: string;
  ondelete?: 'cascade' | 'set null' | 'restrict';
  /** Name of the model method computing the field, or the function itself. */
  compute?: string | ComputeFn;
  depends?: readonly string[];
  /**
   * Stored computed field computed BEFORE the INSERT of new records (Odoo's `precompute=True`),
   * saving the UPDATE that would rewrite every new row. The compute method must read the records
   * through the ORM (fetch / fetchValues), which then serves the values being created; raw SQL
   * on the model's table does not see them. x2many fields of the new records are still empty.
   */
  precompute?: boolean;
  /** Dotted path whose value this field mirrors (`source_id.name`). */
  related?: string;
  inverse?: string | InverseFn;
  search?: string | SearchFn;
  aggregator?: 'sum' | 'avg' | 'min' | 'max' | 'count' | 'count_distinct' | 'bool_and' | 'bool_or' | 'array_agg' | null;
  groups?: string;
  /** Domain/context attributes passed through fields_get for relational fields. */
  domain?: unknown;
  context?: Record<string, unknown>;
  /** Extra SQL type override (e.g. 'varchar' vs 'text' for char). */
  sqlType?: string;
  /** Monetary: the field holding the currency. */
  currencyField?: string;
  /** Used by the audit trail of `mail.thread`-like models. */
  tracking?: boolean;
  /** Whether the field appears in default exports (fields_get attribute). */
  defaultExportCompatible?: boolean;
  /** Model-level name (magic fields are marked automatically). */
  automatic?: boolean;
}

const COLUMN_TYPES: Partial<Record<FieldType, string>> = {
  char: 'varchar',
  text: 'text',
  html: 'text',
  integer: 'int4',
  float: 'float8',
  monetary: 'numeric',
  boolean: 'bool',
  date: 'date',
  datetime: 'timestamp',
  selection: 'varchar',
  many2one: 'int4',
  binary: 'bytea',
  json: 'jsonb',
  reference: 'varchar',
  many2one_reference: 'int4',
};

export class Field {
  readonly name: string;
  readonly modelName: string;
  readonly type: FieldType;
  readonly spec: FieldSpec;
  /** Filled by the registry once every model is known. */
  inverseField?: Field;

  constructor(modelName: string, name: string, spec: FieldSpec) {
    this.modelName = modelName;
    this.name = name;
    this.type = spec.type;
    this.spec = spec;
  }

  get string(): string {
    if (this.spec.string) return this.spec.string;
    // Odoo derives the label from the name: strip _id/_ids, capitalise words.
    let base = this.name;
    if (base.endsWith('_ids')) base = base.slice(0, -4);
    else if (base.endsWith('_id')) base = base.slice(0, -3);
    return base.split('_').map((w) => (w ? w[0].toUpperCase() + w.slice(1) : w)).join(' ');
  }
  get comodel(): string | undefined {
    return this.spec.comodel;
  }
  get isRelational(): boolean {
    return this.type === 'many2one' || this.type === 'one2many' || this.type === 'many2many';
  }
  get isX2many(): boolean {
    return this.type === 'one2many' || this.type === 'many2many';
  }
  get isComputed(): boolean {
    return this.spec.compute !== undefined;
  }
  get isRelated(): boolean {
    return this.spec.related !== undefined;
  }
  /** Stored (not computed on the fly): Odoo's `store` attribute. */
  get store(): boolean {
    if (this.spec.store !== undefined) return this.spec.store;
    return !this.isComputed && !this.isRelated;
  }
  /** SQL type of the column, if the field has one (x2many live elsewhere). */
  get columnType(): string | undefined {
    if (!this.store || this.isX2many) return undefined;
    if (this.spec.sqlType) return this.spec.sqlType;
    return COLUMN_TYPES[this.type];
  }
  get readonly(): boolean {
    if (this.spec.readonly !== undefined) return this.spec.readonly;
    return this.isComputed && !this.spec.inverse;
  }
  get required(): boolean {
    return !!this.spec.required;
  }
  get copy(): boolean {
    if (this.spec.copy !== undefined) return this.spec.copy;
    return this.type !== 'one2many' && !(this.isComputed && !this.store) && !this.isRelated;
  }
  get searchable(): boolean {
    return this.store || this.isRelated || !!this.spec.search || this.name === 'id';
  }
  get sortable(): boolean {
    return this.store && this.type !== 'one2many' && this.type !== 'many2many' && this.type !== 'binary';
  }
  get groupable(): boolean {
    // Odoo 19 groups by any stored column, text and html included.
    return this.store && !['binary', 'one2many', 'json'].includes(this.type);
  }
  get aggregator(): string | undefined {
    if (this.spec.aggregator === null) return undefined;
    if (this.spec.aggregator) return this.spec.aggregator;
    if ((this.type === 'integer' || this.type === 'float' || this.type === 'monetary') && this.name !== 'id' && this.name !== 'sequence') return 'sum';
    return undefined;
  }
  /** m2m relation table name and columns, defaulting like Odoo. */
  get m2mRelation(): { table: string; col1: string; col2: string } {
    const t1 = this.modelName.replace(/\./g, '_');
    const t2 = (this.comodel ?? '').replace(/\./g, '_');
    const [a, b] = [t1, t2].sort();
    const table = this.spec.relation ?? `${a}_${b}_rel`;
    return {
      table,
      col1: this.spec.column1 ?? `${t1}_id`,
      col2: this.spec.column2 ?? (t1 === t2 ? `${t2}_id2` : `${t2}_id`),
    };
  }

  /** Odoo's "falsy value" for domain semantics: '' for strings, 0 for numbers. */
  get falsyValue(): unknown {
    switch (this.type) {
      case 'char': case 'text': case 'html': return '';
      case 'integer': case 'float': case 'monetary': return 0;
      case 'boolean': return false;
      default: return undefined;
    }
  }

  /** Value an empty field reads as on the wire. */
  get emptyReadValue(): unknown {
    switch (this.type) {
      case 'integer': return 0;
      case 'float': case 'monetary': return 0.0;
      case 'one2many': case 'many2many': return [];
      case 'json': return false;
      default: return false;
    }
  }
}

export interface SqlExpr {
  sql: SQL;
}

/** Formats a JS Date as Odoo's UTC "YYYY-MM-DD HH:MM:SS". */
export function formatDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}
/** Formats a JS Date (UTC parts) as "YYYY-MM-DD". */
export function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

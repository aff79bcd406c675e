// Odoo's domain language compiled to SQL: prefix operators, every comparison operator,
// dotted paths (rewritten as `any` through relations), Odoo's falsy/NULL rules, active_test.
// Relations are compiled as sub-queries (EXISTS / IN), never joins, so rows are never duplicated.

import { SQL, sql, raw, ident, join, TRUE, FALSE } from './sql.ts';
import type { Field } from './fields.ts';
import type { Model } from './model.ts';
import type { Env } from './env.ts';
import { PyValueError, PyTypeError } from './exceptions.ts';
import { localNow, zonedMidnightUtc } from './tz.ts';

export type DomainLeaf = [string | number, string, unknown];
export type DomainItem = '&' | '|' | '!' | DomainLeaf | boolean;

export type Node =
  | { kind: 'and'; children: Node[] }
  | { kind: 'or'; children: Node[] }
  | { kind: 'not'; child: Node }
  | { kind: 'leaf'; path: string; op: string; value: unknown; raw: unknown[] }
  | { kind: 'const'; value: boolean };

const OPERATORS = new Set([
  '=', '!=', '<', '>', '<=', '>=', '=?', 'in', 'not in', 'like', 'not like', 'ilike', 'not ilike',
  '=like', '=ilike', 'not =like', 'not =ilike', 'child_of', 'parent_of', 'any', 'not any',
]);
const DEPRECATED_ALIASES: Record<string, string> = { '==': '=', '<>': '!=' };

/** Python-like repr of a leaf for error messages: ('name', 'bogus_op', 'x'). */
export function reprLeaf(leaf: unknown[]): string {
  return `(${leaf.map(pyRepr).join(', ')})`;
}
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') {
    // Python's repr: single quotes unless the text holds a single quote and no double quote.
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    if (v.includes("'") && !v.includes('"')) return `"${body}"`;
    return `'${body.replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

function isLeaf(item: unknown): item is unknown[] {
  return Array.isArray(item);
}

/** Parse a prefix-notation domain into a tree; implicit AND between top-level items. */
export function parseDomain(domain: unknown): Node {
  if (domain === null || domain === undefined || domain === false || domain === '') return { kind: 'const', value: true };
  if (domain === true) return { kind: 'const', value: true };
  if (!Array.isArray(domain)) throw new PyTypeError(`Domain() invalid argument type for domain: ${pyRepr(domain)}`);
  let pos = 0;
  const items = domain as unknown[];
  const next = (): Node => {
    if (pos >= items.length) throw new PyValueError(`Domain() malformed domain ${pyRepr(domain)}`);
    const item = items[pos++];
    if (item === '&' || item === '|') {
      const a = next();
      const b = next();
      return { kind: item === '&' ? 'and' : 'or', children: [a, b] };
    }
    if (item === '!') return { kind: 'not', child: next() };
    // Internal callers may put constants in a domain (Odoo's Domain.TRUE / Domain.FALSE).
    if (item === true || item === false) return { kind: 'const', value: item };
    if (isLeaf(item) && item.length === 3) return parseLeaf(item);
    throw new PyValueError(`Domain() invalid item in domain: ${pyRepr(item)}`);
  };
  const children: Node[] = [];
  while (pos < items.length) children.push(next());
  if (children.length === 0) return { kind: 'const', value: true };
  if (children.length === 1) return children[0];
  return { kind: 'and', children };
}

function parseLeaf(item: unknown[]): Node {
  let [path, op, value] = item as [unknown, unknown, unknown];
  // Constant leaves (1, '=', 1) and (0, '=', 1); any other non-string left side is refused.
  if (typeof path !== 'string') {
    if ((path === 1 || path === true) && op === '=' && (value === 1 || value === true)) return { kind: 'const', value: true };
    if ((path === 0 || path === false) && op === '=' && (value === 1 || value === true)) return { kind: 'const', value: false };
    throw new PyTypeError(`Domain() invalid arguments: ${reprLeaf(item)}`);
  }
  if (!path) throw new PyTypeError(`Empty field name in condition ${reprLeaf(item)}`);
  if (typeof op !== 'string') throw new PyValueError(`Invalid operator in condition ${reprLeaf(item)}`);
  // Upper-case operators are accepted (deprecated in 19); `==` and `<>` are deprecated aliases.
  op = op.toLowerCase();
  op = DEPRECATED_ALIASES[op as string] ?? op;
  // `any!` / `not any!` are internal (they bypass access rules): refused in client domains.
  if (!OPERATORS.has(op as string)) throw new PyValueError(`Invalid operator in condition ${reprLeaf(item)}`);
  if (value === null || value === undefined) value = false;
  return { kind: 'leaf', path, op: op as string, value, raw: item };
}

/** The domain a relational field puts on its comodel records (list domains only; string ones are the client's). */
export function fieldDomain(field: Field): unknown[] {
  return Array.isArray(field.spec.domain) ? field.spec.domain : [];
}

/** Whether a domain mentions `field` in any of its leaves (for the implicit active filter). */
export function mentionsField(node: Node, field: string): boolean {
  switch (node.kind) {
    case 'and': case 'or': return node.children.some((c) => mentionsField(c, field));
    case 'not': return mentionsField(node.child, field);
    case 'leaf': return node.path === field || node.path.startsWith(field + '.');
    default: return false;
  }
}

/** Normalise a domain to a flat list AND-ed with another (domain algebra for callers). */
export function andDomains(...domains: unknown[][]): unknown[] {
  const parts = domains.filter((d) => d && d.length);
  if (parts.length === 0) return [];
  const out: unknown[] = [];
  for (let i = 0; i < parts.length - 1; i++) out.push('&');
  for (const p of parts) {
    const n = countTerms(p);
    for (let i = 0; i < n - 1; i++) out.push('&');
    out.push(...p);
  }
  return out;
}
export function orDomains(...domains: unknown[][]): unknown[] {
  if (domains.length === 0) return [[0, '=', 1]];
  const out: unknown[] = [];
  for (let i = 0; i < domains.length - 1; i++) out.push('|');
  for (const p of domains) {
    if (!p.length) {
      out.push([1, '=', 1]);
      continue;
    }
    const n = countTerms(p);
    for (let i = 0; i < n - 1; i++) out.push('&');
    out.push(...p);
  }
  return out;
}
function countTerms(domain: unknown[]): number {
  // Number of top-level terms = items that are not consumed by an operator.
  let expected = 1;
  let terms = 0;
  for (const item of domain) {
    if (expected === 0) {
      terms++;
      expected = 1;
    }
    if (item === '&' || item === '|') expected += 1;
    else if (item === '!') expected += 0;
    else expected -= 1;
  }
  return terms + 1;
}

// `today +3d`, `now -1m =1d`, `+2w`, `=monday`... (Odoo 19 dynamic date values).
const DYNAMIC_DATE_RE = /^(?:(today|now)(?=$|\s))?((?:\s*[=+-][A-Za-z0-9_]+)*)\s*$/;
const ISO_ZONE_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$/i;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const LIKE_OPS = new Set(['like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'not =like', 'not =ilike']);
const INEQUALITIES = new Set(['<', '>', '<=', '>=']);
/** Date parts usable as `field.part` in domains and as `field:part` in groupbys. */
export const DATE_PART_SQL: Record<string, string> = {
  year_number: 'year', quarter_number: 'quarter', month_number: 'month', iso_week_number: 'week',
  day_of_year: 'doy', day_of_month: 'day', day_of_week: 'dow', hour_number: 'hour', minute_number: 'minute', second_number: 'second',
};

type Leaf = Extract<Node, { kind: 'leaf' }>;

/** Compiles domains of one model; `alias` is the SQL alias of the model's table. */
export class DomainCompiler {
  private aliasCounter = 0;
  constructor(readonly env: Env) {}

  newAlias(base: string): string {
    return `${base.slice(0, 40)}__${++this.aliasCounter}`;
  }

  /** Compile a full search domain (with the implicit active filter) to a WHERE clause. */
  where(model: Model, domain: unknown, alias: string, opts: { activeTest?: boolean } = {}): SQL {
    let node = isNode(domain) ? domain : parseDomain(domain);
    const activeTest = opts.activeTest ?? this.env.activeTest;
    if (activeTest && model.activeField?.store && !mentionsField(node, 'active')) {
      node = { kind: 'and', children: [node, { kind: 'leaf', path: 'active', op: '=', value: true, raw: ['active', '=', true] }] };
    }
    return this.compile(model, node, alias);
  }

  compile(model: Model, node: Node, alias: string): SQL {
    switch (node.kind) {
      case 'const':
        return node.value ? TRUE : FALSE;
      case 'and': {
        const parts = node.children.map((c) => this.compile(model, c, alias));
        if (parts.some((p) => p === FALSE)) return FALSE;
        const kept = parts.filter((p) => p !== TRUE);
        if (kept.length === 0) return TRUE;
        if (kept.length === 1) return kept[0];
        return sql`(${join(kept, ' AND ')})`;
      }
      case 'or': {
        const parts = node.children.map((c) => this.compile(model, c, alias));
        if (parts.some((p) => p === TRUE)) return TRUE;
        const kept = parts.filter((p) => p !== FALSE);
        if (kept.length === 0) return FALSE;
        if (kept.length === 1) return kept[0];
        return sql`(${join(kept, ' OR ')})`;
      }
      case 'not': {
        const pushed = negate(node.child);
        if (pushed) return this.compile(model, pushed, alias);
        const inner = this.compile(model, node.child, alias);
        if (inner === TRUE) return FALSE;
        if (inner === FALSE) return TRUE;
        // `!` also matches rows where the condition is NULL.
        return sql`((${inner}) IS NOT TRUE)`;
      }
      case 'leaf':
        return this.leaf(model, node, alias);
    }
  }

  private leaf(model: Model, node: Leaf, alias: string): SQL {
    const dot = node.path.indexOf('.');
    const fname = dot < 0 ? node.path : node.path.slice(0, dot);
    const rest = dot < 0 ? '' : node.path.slice(dot + 1);
    const field = model.fields.get(fname);
    if (!field) throw new PyValueError(`Invalid field ${model.name}.${fname} in condition ${reprLeaf(node.raw)}`);
    if (rest && (field.type === 'date' || field.type === 'datetime') && rest in DATE_PART_SQL && field.store) {
      return this.datePartCondition(field, rest, node, alias);
    }
    if (rest) {
      if (!field.isRelational) throw new PyValueError(`Invalid field ${model.name}.${node.path} in condition ${reprLeaf(node.raw)}`);
      // A dotted path is an `any` through the relation; the operator applies inside (as in Odoo).
      const raw = [rest, node.raw[1], node.raw[2]];
      // Through a searchable non-stored field, its search method answers the `any`; through a
      // non-stored related field, the path continues from its target.
      if (field.spec.search && !field.store) return this.searchMethod(model, field, 'any', [raw], alias);
      if (field.isRelated && !field.store) {
        return this.compile(model, { kind: 'leaf', path: `${field.spec.related}.${rest}`, op: node.op, value: node.value, raw: node.raw }, alias);
      }
      const sub: Node = { kind: 'leaf', path: rest, op: node.op, value: node.value, raw };
      return this.any(model, field, 'any', sub, alias);
    }
    return this.condition(model, field, node, alias);
  }

  /** `date_field.month_number = 3` and friends (the domains read_group gives for date parts). */
  private datePartCondition(field: Field, part: string, node: Leaf, alias: string): SQL {
    const col = sql`${ident(alias, field.name)}`;
    const local = field.type === 'datetime' ? sql`timezone(${this.env.tz}, timezone('UTC', ${col}))` : col;
    const expr = sql`date_part(${DATE_PART_SQL[part]}, ${local})::int`;
    let { op, value } = node;
    if (op === '=?') {
      if (isFalsy(value)) return TRUE;
      op = '=';
    }
    const toInt = (v: unknown) => {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new PyValueError(`Invalid value in condition ${reprLeaf(node.raw)}`);
      return n;
    };
    if (op === '=' || op === '!=' || op === 'in' || op === 'not in') {
      const vals = asList(op, value);
      const hasFalse = vals.some((v) => v === false || v === null);
      const ints = vals.filter((v) => v !== false && v !== null).map(toInt);
      const cmp = ints.length ? sql`${expr} = ANY(${ints}::int4[])` : FALSE;
      return finishIn(col, cmp, hasFalse, op === '!=' || op === 'not in');
    }
    if (INEQUALITIES.has(op)) return sql`${expr} ${raw(op)} ${toInt(value === false ? 0 : value)}`;
    throw new PyValueError(`Invalid operator in condition ${reprLeaf(node.raw)}`);
  }

  private condition(model: Model, field: Field, node: Leaf, alias: string): SQL {
    let { op, value } = node;
    if (field.name === 'id') return this.idCondition(model, node, alias);
    // A search method wins over everything (display_name, searchable computed fields).
    if (field.spec.search && !field.store) return this.searchMethod(model, field, op, value, alias);
    if (field.isRelated && !field.store) {
      return this.compile(model, { kind: 'leaf', path: field.spec.related!, op, value, raw: node.raw }, alias);
    }
    if (!field.store) throw new PyValueError(`Non-stored field ${model.name}.${field.name} cannot be searched.`);

    if (op === '=?') {
      if (isFalsy(value)) return TRUE;
      op = '=';
    }
    if (op === 'any' || op === 'not any') {
      if (!field.isRelational) throw new PyValueError(`Cannot use 'any' with non-relational fields in condition ${reprLeaf(node.raw)}`);
      return this.any(model, field, op, value, alias);
    }
    if (op === 'child_of' || op === 'parent_of') return this.hierarchy(model, field, op, value, alias, node);
    if (LIKE_OPS.has(op)) {
      const lk = likeValue(op, value, node);
      if (lk.kind === 'const') return lk.value ? TRUE : FALSE;
      if (lk.kind === 'set' || (lk.kind === 'unset')) {
        // Empty pattern: `=like ''` means unset; on relational fields `ilike ''` means set.
        if (!field.isRelational && !op.includes('=')) return lk.kind === 'set' ? TRUE : FALSE;
        return this.condition(model, field, { ...node, op: lk.kind === 'set' ? '!=' : '=', value: false }, alias);
      }
      value = lk.pattern;
      if (field.isRelational) {
        const negative = op.startsWith('not ');
        const positive = negative ? op.slice(4) : op;
        const sub: Node = { kind: 'leaf', path: 'display_name', op: positive, value, raw: ['display_name', positive, value] };
        return this.any(model, field, negative ? 'not any' : 'any', sub, alias);
      }
    }
    if (field.isX2many) return this.x2many(model, field, op, value, alias, node);

    const col = sql`${ident(alias, field.name)}`;
    if (value instanceof SQL && (op === 'in' || op === 'not in' || op === '=' || op === '!=')) {
      // A sub-query given by a search method or an internal caller.
      const positive = op === 'in' || op === '=';
      return positive ? sql`${col} IN (${value})` : sql`(${col} IS NULL OR ${col} NOT IN (${value}))`;
    }
    if (field.type === 'many2one') {
      const vals = asList(op, value);
      if ((op === '=' || op === '!=' || op === 'in' || op === 'not in') && vals.some((v) => typeof v === 'string')) {
        // Names instead of ids: exact display name of the comodel records.
        const names = vals.filter((v) => typeof v === 'string');
        const others = vals.filter((v) => typeof v !== 'string');
        const negative = op === '!=' || op === 'not in';
        const sub: Node = { kind: 'leaf', path: 'display_name', op: 'in', value: names, raw: ['display_name', 'in', names] };
        const byName = this.any(model, field, negative ? 'not any' : 'any', sub, alias);
        if (!others.length) return byName;
        const rest = this.inCondition(field, col, negative ? 'not in' : 'in', others);
        return negative ? sql`(${byName} AND ${rest})` : sql`(${byName} OR ${rest})`;
      }
      if (INEQUALITIES.has(op) && typeof value === 'string') {
        throw new PyTypeError(`Inequality not supported for relational field using a string in condition ${reprLeaf(node.raw)}`);
      }
    }
    switch (op) {
      case '=': case 'in': case '!=': case 'not in':
        return this.inCondition(field, col, op, asList(op, value));
      case '<': case '>': case '<=': case '>=':
        return this.comparison(model, field, col, op, value, node);
      case 'like': case 'ilike': case 'not like': case 'not ilike':
      case '=like': case '=ilike': case 'not =like': case 'not =ilike':
        return this.like(field, col, op, value as string);
    }
    throw new PyValueError(`Invalid operator in condition ${reprLeaf(node.raw)}`);
  }

  private searchMethod(model: Model, field: Field, op: string, value: unknown, alias: string): SQL {
    const search = field.spec.search!;
    // Search methods are synchronous and may return SQL sub-queries as `in` values.
    const fn = typeof search === 'string' ? model.methods.get(search)?.fn : search;
    if (!fn) throw new Error(`Search method ${String(search)} missing on ${model.name}`);
    const domain = (fn as (...a: unknown[]) => unknown).call({ super: async () => undefined }, this.env.model(model.name), op, value);
    if (domain instanceof Promise) throw new Error(`Search method of ${model.name}.${field.name} must be synchronous`);
    // The returned domain is not subject to the active filter again (it is a condition, not a search).
    return this.compile(model, isNode(domain) ? domain : parseDomain(domain), alias);
  }

  private idCondition(model: Model, node: Leaf, alias: string): SQL {
    const col = sql`${ident(alias, 'id')}`;
    let { op, value } = node;
    if (op === '=?') {
      if (isFalsy(value)) return TRUE;
      op = '=';
    }
    // (id any D) is D itself; (id not any D) its negation.
    if (op === 'any') return this.compile(model, toNode(value), alias);
    if (op === 'not any') {
      const inner = this.compile(model, toNode(value), alias);
      return inner === TRUE ? FALSE : inner === FALSE ? TRUE : sql`((${inner}) IS NOT TRUE)`;
    }
    if (op === 'child_of' || op === 'parent_of') return this.hierarchy(model, model.fields.get('id')!, op, value, alias, node);
    if (value instanceof SQL && (op === 'in' || op === 'not in' || op === '=' || op === '!=')) {
      return op === 'in' || op === '=' ? sql`${col} IN (${value})` : sql`${col} NOT IN (${value})`;
    }
    if (op === '=' || op === 'in' || op === '!=' || op === 'not in') {
      const vals = asList(op, value).filter((v) => v !== false);
      if (vals.some((v) => typeof v === 'string' && !/^\d+$/.test(v))) {
        // Names given for ids: match the display name (a model without names searches it by id: refused)
        if (!model.recNameField && !model.recNamesSearch) throw new PyValueError(`Invalid value in condition ${reprLeaf(node.raw)}`);
        return this.compile(model, { kind: 'leaf', path: 'display_name', op, value, raw: node.raw }, alias);
      }
      const all = vals.map((v) => Number(v));
      if (all.some((v) => !Number.isInteger(v))) throw new PyValueError(`Invalid value in condition ${reprLeaf(node.raw)}`);
      // ids beyond the column's range match no row
      const ints = all.filter((v) => v >= -2147483648 && v <= 2147483647);
      const positive = ints.length === 0 ? FALSE : ints.length === 1 ? sql`${col} = ${ints[0]}` : sql`${col} = ANY(${ints}::int4[])`;
      if (op === '=' || op === 'in') return positive;
      return ints.length ? sql`NOT (${positive})` : TRUE;
    }
    if (INEQUALITIES.has(op)) {
      const n = value === false ? 0 : Number(value);
      if (!Number.isFinite(n)) throw new PyValueError(`Invalid value in condition ${reprLeaf(node.raw)}`);
      // a bound that is no int4 is compared as a number, not cast into the id column's type
      const int4 = Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
      return int4 ? sql`${col} ${raw(op)} ${n}` : sql`${col} ${raw(op)} ${n}::numeric`;
    }
    if (LIKE_OPS.has(op)) {
      const lk = likeValue(op, value, node);
      if (lk.kind === 'const') return lk.value ? TRUE : FALSE;
      if (lk.kind === 'set') return TRUE;
      if (lk.kind === 'unset') return FALSE;
      return this.like(model.fields.get('id')!, col, op, lk.pattern);
    }
    throw new PyValueError(`Invalid operator in condition ${reprLeaf(node.raw)}`);
  }

  /** `in` / `not in` with Odoo's rule: False (or the type's falsy value) also matches NULL. */
  inCondition(field: Field, col: SQL, op: string, values: unknown[]): SQL {
    const negative = op === '!=' || op === 'not in';
    if (field.type === 'boolean') {
      const vs = new Set(values.map(toBool));
      let positive: SQL;
      if (vs.size === 0) positive = FALSE;
      else if (vs.size === 2) positive = TRUE;
      else positive = vs.has(true) ? sql`(${col} = TRUE)` : sql`(${col} IS NOT TRUE)`;
      if (!negative) return positive;
      if (positive === TRUE) return FALSE;
      if (positive === FALSE) return TRUE;
      return vs.has(true) ? sql`(${col} IS NOT TRUE)` : sql`(${col} = TRUE)`;
    }
    const falsy = field.falsyValue;
    let hasFalse = false;
    const vals: unknown[] = [];
    for (const v of values) {
      if (v === false || v === null || v === undefined) {
        hasFalse = true;
        if (falsy !== undefined) vals.push(falsy);
        continue;
      }
      const c = this.convertForColumn(field, v);
      // The falsy value of the type ('' or 0) stands for "not set" too: NULL matches it.
      if (falsy !== undefined && c === falsy) hasFalse = true;
      vals.push(c);
    }
    const unique = [...new Set(vals)];
    if (field.type === 'datetime') {
      // Compare to the whole second: [v, v + 1s).
      const ranges = unique.map((v) => sql`(${col} >= ${v}::timestamp AND ${col} < ${v}::timestamp + interval '1 second')`);
      const cmp = ranges.length === 0 ? FALSE : ranges.length === 1 ? ranges[0] : sql`(${join(ranges, ' OR ')})`;
      return finishIn(col, cmp, hasFalse, negative);
    }
    const cast = raw(`::${arrayType(field)}`);
    const cmp = unique.length === 0 ? FALSE : unique.length === 1 ? sql`${col} = ${unique[0]}` : sql`${col} = ANY(${unique}${cast})`;
    return finishIn(col, cmp, hasFalse, negative);
  }

  private comparison(model: Model, field: Field, col: SQL, op: string, value: unknown, node: Leaf): SQL {
    if (field.type === 'date' || field.type === 'datetime') {
      if (isFalsy(value)) return FALSE;
      return this.dateComparison(field, col, op, value, node);
    }
    let v: unknown = value;
    if (['integer', 'float', 'monetary', 'many2one'].includes(field.type)) {
      if (v === false) v = 0;
      if (v === true) v = 1;
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) v = Number(v);
      if (typeof v !== 'number' || Number.isNaN(v)) throw new PyValueError(`Invalid value in condition ${reprLeaf(node.raw)}`);
    } else if (v === false) {
      return FALSE;
    } else if (typeof v !== 'string' && typeof v !== 'number') {
      throw new PyValueError(`Invalid value in condition ${reprLeaf(node.raw)}`);
    } else if (typeof v === 'number') {
      v = pyStr(v);
    }
    const cmp = sql`${col} ${raw(op)} ${v}`;
    // NULL counts as the falsy value of the type (0, ''): `qty < 5` includes unset quantities.
    const falsy = field.falsyValue;
    if (falsy !== undefined && falsy !== false && compareValues(falsy, op, v)) return sql`(${col} IS NULL OR ${cmp})`;
    void model;
    return cmp;
  }

  private dateComparison(field: Field, col: SQL, op: string, value: unknown, node: Leaf): SQL {
    const { value: v, isDate } = this.dateValue(field, value, node);
    if (field.type === 'date') return sql`${col} ${raw(op)} ${v}::date`;
    // Odoo steps `>` and `<=` by one unit (a day for a date-only value, else a second).
    const step = raw(isDate ? `interval '1 day'` : `interval '1 second'`);
    switch (op) {
      case '>': return sql`${col} >= (${v}::timestamp + ${step})`;
      case '<=': return sql`${col} < (${v}::timestamp + ${step})`;
      default: return sql`${col} ${raw(op)} ${v}::timestamp`;
    }
  }

  /**
   * A client value for a date/datetime field, normalised: ISO date or naive UTC datetime.
   * Dynamic values (`today +3d`) are resolved; a date-only value on a datetime field is the
   * local midnight of the context time zone, in UTC. Zone-suffixed values are refused.
   */
  dateValue(field: Field, value: unknown, node?: Leaf): { value: string; isDate: boolean } {
    if (typeof value !== 'string') throw new PyValueError(`Failed to cast ${pyRepr(value)} into a ${field.type}${node ? ` in condition ${reprLeaf(node.raw)}` : ''}`);
    let v = value.trim();
    if (ISO_ZONE_RE.test(v)) {
      throw new PyValueError(`Invalid ${field.type} value ${pyRepr(value)}: values with a time zone are not accepted, send naive UTC values`);
    }
    let isDate = false;
    if (!DATE_RE.test(v) && !DATETIME_RE.test(v) && DYNAMIC_DATE_RE.test(v) && v !== '') {
      const resolved = resolveDynamicDate(v, this.env.tz);
      v = resolved.value;
      isDate = resolved.isDate;
    }
    if (field.type === 'date') {
      const d = v.slice(0, 10);
      if (!DATE_RE.test(d) || !validDate(d) || (v.length > 10 && !DATETIME_RE.test(v))) throw new PyValueError(`Invalid isoformat string: ${pyRepr(value)}`);
      return { value: d, isDate: true };
    }
    if (DATE_RE.test(v)) {
      if (!validDate(v)) throw new PyValueError(`Invalid isoformat string: ${pyRepr(value)}`);
      return { value: zonedMidnightUtc(v, this.env.tz), isDate: true };
    }
    const m = DATETIME_RE.exec(v);
    if (!m || !validDate(m[1])) throw new PyValueError(`Invalid isoformat string: ${pyRepr(value)}`);
    return { value: `${m[1]} ${m[2]}:${m[3]}:${m[4] ?? '00'}`, isDate };
  }

  private like(field: Field, col: SQL, op: string, pattern: string): SQL {
    const negative = op.startsWith('not ');
    const exact = op.includes('=');
    const kw = op.includes('ilike') ? raw('ILIKE') : raw('LIKE');
    const target = ['char', 'text', 'html', 'selection'].includes(field.type) ? col : sql`CAST(${col} AS VARCHAR)`;
    // No escaping: `%` and `_` in the value act as wildcards, as in Odoo.
    const value = exact ? pattern : `%${pattern}%`;
    return negative ? sql`(${col} IS NULL OR NOT (${target} ${kw} ${value}))` : sql`(${target} ${kw} ${value})`;
  }

  /**
   * many2one / one2many / many2many `any` and `not any` with a sub-domain on the comodel.
   * `activeTest: false` is how Odoo searches x2many ids and `= False` (archived records count).
   */
  any(model: Model, field: Field, op: 'any' | 'not any', sub: unknown, alias: string, opts: { activeTest?: boolean } = {}): SQL {
    const comodel = this.env.registry.get(field.comodel!);
    const subAlias = this.newAlias(comodel.table);
    const negative = op === 'not any';
    let subNode = toNode(sub);
    if (field.type === 'many2one') {
      // Inactive comodel records count for many2one, as in Odoo.
      const where = this.where(comodel, subNode, subAlias, { activeTest: false });
      const col = ident(alias, field.name);
      if (where === TRUE) return negative ? sql`${col} IS NULL` : sql`${col} IS NOT NULL`;
      const inner = sql`${col} IN (SELECT ${ident(subAlias, 'id')} FROM ${ident(comodel.table)} ${ident(subAlias)} WHERE ${where})`;
      return negative ? sql`(${col} IS NULL OR NOT (${inner}))` : inner;
    }
    // x2many: the field's own domain always applies (Odoo's get_comodel_domain).
    const own = fieldDomain(field);
    const ownNode = own.length ? parseDomain(own) : null;
    if (ownNode) subNode = subNode.kind === 'const' && subNode.value ? ownNode : { kind: 'and', children: [subNode, ownNode] };
    // Otherwise the comodel's active_test applies: the field's context, else the environment's.
    const activeTest = opts.activeTest ?? (field.spec.context?.active_test as boolean | undefined);
    const ids = field.type === 'many2many' && !ownNode && activeTest === false ? plainIds(subNode) : null;
    const where = ids ? TRUE : this.where(comodel, subNode, subAlias, { activeTest });
    let exists: SQL;
    if (field.type === 'one2many') {
      const inv = field.inverseField!;
      const cond = where === TRUE ? raw('') : sql` AND ${where}`;
      exists = sql`EXISTS (SELECT 1 FROM ${ident(comodel.table)} ${ident(subAlias)} WHERE ${ident(subAlias, inv.name)} = ${ident(alias, 'id')}${cond})`;
    } else {
      const { table, col1, col2 } = field.m2mRelation;
      const rel = this.newAlias(table);
      if (ids) {
        // Known ids: the relation table alone answers (its foreign key guarantees the comodel rows).
        const cmp = ids.length === 1 ? sql`${ident(rel, col2)} = ${ids[0]}` : sql`${ident(rel, col2)} = ANY(${ids}::int4[])`;
        exists = sql`EXISTS (SELECT 1 FROM ${ident(table)} ${ident(rel)} WHERE ${ident(rel, col1)} = ${ident(alias, 'id')} AND ${cmp})`;
      } else if (where === TRUE) {
        exists = sql`EXISTS (SELECT 1 FROM ${ident(table)} ${ident(rel)} WHERE ${ident(rel, col1)} = ${ident(alias, 'id')})`;
      } else {
        exists = sql`EXISTS (SELECT 1 FROM ${ident(table)} ${ident(rel)} JOIN ${ident(comodel.table)} ${ident(subAlias)} ON ${ident(subAlias, 'id')} = ${ident(rel, col2)} WHERE ${ident(rel, col1)} = ${ident(alias, 'id')} AND ${where})`;
      }
    }
    return negative ? sql`NOT ${exists}` : exists;
  }

  private x2many(model: Model, field: Field, op: string, value: unknown, alias: string, node: Leaf): SQL {
    if (op === '=' || op === 'in' || op === '!=' || op === 'not in') {
      const negative = op === '!=' || op === 'not in';
      if (value instanceof SQL) {
        return this.any(model, field, negative ? 'not any' : 'any', [['id', 'in', value]], alias);
      }
      const vals = asList(op, value);
      const hasFalse = vals.some((v) => v === false || v === null);
      const ids = vals.filter((v) => v !== false && v !== null);
      const parts: SQL[] = [];
      if (ids.length) {
        const names = ids.filter((v) => typeof v === 'string' && !/^\d+$/.test(v));
        const nums = ids.filter((v) => !(typeof v === 'string' && !/^\d+$/.test(v)));
        const sub: unknown[] = names.length && nums.length ? ['|', ['display_name', 'in', names], ['id', 'in', nums]] : names.length ? [['display_name', 'in', names]] : [['id', 'in', nums]];
        // Ids match archived records too (Odoo searches them with active_test=False); names follow active_test.
        parts.push(this.any(model, field, 'any', sub, alias, names.length ? {} : { activeTest: false }));
      }
      // `= False`: no linked record at all, archived ones included.
      if (hasFalse) parts.push(this.any(model, field, 'not any', [], alias, { activeTest: false }));
      if (parts.length === 0) return negative ? TRUE : FALSE;
      const positive = parts.length === 1 ? parts[0] : sql`(${join(parts, ' OR ')})`;
      return negative ? sql`NOT (${positive})` : positive;
    }
    if (INEQUALITIES.has(op)) {
      if (typeof value === 'string') throw new PyTypeError(`Inequality not supported for relational field using a string in condition ${reprLeaf(node.raw)}`);
      return this.any(model, field, 'any', [['id', op, value]], alias);
    }
    throw new PyValueError(`Invalid operator in condition ${reprLeaf(node.raw)}`);
  }

  /**
   * child_of / parent_of. For `id` (or a many2one to the same model, which then names the parent
   * field) the result is a condition on `id`; for other relational fields, a condition on the
   * field through the comodel's `_parent_name`. Names are searched with `display_name ilike`.
   */
  private hierarchy(model: Model, field: Field, op: string, value: unknown, alias: string, node: Leaf): SQL {
    if (value === false) return FALSE;
    if (!field.isRelational && field.name !== 'id') {
      throw new PyValueError(`Cannot execute ${op} for ${model.name}.${field.name}, works only for relational fields in condition ${reprLeaf(node.raw)}`);
    }
    const comodel = field.name === 'id' ? model : this.env.registry.get(field.comodel!);
    let parent = comodel.parentName;
    let target = field;
    if (comodel.name === model.name && field.name !== 'id') {
      parent = field.type === 'many2one' ? field.name : parent;
      if (field.type === 'many2one') target = model.fields.get('id')!;
    }
    const vals = typeof value === 'number' || typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
    if (!vals) throw new PyValueError(`Value of type ${typeof value} is not supported in condition ${reprLeaf(node.raw)}`);
    const ints = vals.filter((v) => typeof v === 'number' && Number.isInteger(v)) as number[];
    const strs = vals.filter((v) => typeof v === 'string') as string[];
    if (!ints.length && !strs.length) return FALSE;
    const ids = this.hierarchyIds(comodel, op, ints, strs, parent, { activeTest: field.type === 'many2one' ? false : undefined });
    if (target.name === 'id') return sql`${ident(alias, 'id')} IN (${ids})`;
    if (target.type === 'many2one') return sql`${ident(alias, target.name)} IN (${ids})`;
    return this.any(model, target, 'any', [['id', 'in', ids]], alias);
  }

  private hierarchyIds(comodel: Model, op: string, ints: number[], strs: string[], parent: string | undefined, opts: { activeTest?: boolean }): SQL {
    const a = this.newAlias(comodel.table);
    let seed = sql`SELECT ${ident(a, 'id')} AS id FROM ${ident(comodel.table)} ${ident(a)} WHERE ${ident(a, 'id')} = ANY(${ints}::int4[])`;
    if (strs.length) {
      const where = this.where(comodel, orDomains(...strs.map((s) => [['display_name', 'ilike', s]])), a, opts);
      seed = sql`SELECT ${ident(a, 'id')} AS id FROM ${ident(comodel.table)} ${ident(a)} WHERE ${ident(a, 'id')} = ANY(${ints}::int4[]) OR ${where}`;
    }
    if (!parent || !comodel.fields.has(parent)) return seed;
    // The walk itself ignores active_test and access (filtering is the rest of the domain's job).
    const t = ident(comodel.table);
    const p = ident(parent);
    const step = op === 'child_of'
      ? sql`SELECT c.id FROM ${t} c JOIN __h ON c.${p} = __h.id`
      : sql`SELECT c.${p} FROM ${t} c JOIN __h ON c.id = __h.id WHERE c.${p} IS NOT NULL`;
    return sql`WITH RECURSIVE __h(id) AS (${seed} UNION ${step}) SELECT id FROM __h`;
  }

  convertForColumn(field: Field, v: unknown): unknown {
    switch (field.type) {
      case 'integer': case 'many2one': case 'many2one_reference': case 'float': case 'monetary': {
        if (typeof v === 'number') return v;
        if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
        if (v === true) return 1;
        throw new PyValueError(`Invalid value ${pyRepr(v)} for field ${field.modelName}.${field.name}`);
      }
      case 'date': case 'datetime':
        return this.dateValue(field, v).value;
      default:
        return typeof v === 'string' ? v : pyStr(v);
    }
  }
}

/** The ids of a sub-domain that is only `id in [ints]`, else null. */
function plainIds(node: Node): number[] | null {
  if (node.kind !== 'leaf' || node.path !== 'id' || node.op !== 'in' || !Array.isArray(node.value)) return null;
  const ids = node.value.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));
  return ids.length && ids.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 2147483647) ? (ids as number[]) : null;
}

function isNode(v: unknown): v is Node {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { kind?: unknown }).kind === 'string' && !(v instanceof SQL);
}

function toNode(sub: unknown): Node {
  if (isNode(sub)) return sub;
  if (Array.isArray(sub) && sub.length > 0 && sub.every((x) => typeof x === 'number')) {
    return { kind: 'leaf', path: 'id', op: 'in', value: sub, raw: ['id', 'in', sub] };
  }
  return parseDomain(sub);
}

/** The value of a like-operator condition, after Odoo's rules for empty and non-string values. */
function likeValue(op: string, value: unknown, node: Leaf): { kind: 'pattern'; pattern: string } | { kind: 'const'; value: boolean } | { kind: 'set' } | { kind: 'unset' } {
  const negative = op.startsWith('not ');
  const exact = op.includes('=');
  if (isFalsy(value)) {
    // `ilike ''` is TRUE, `not ilike ''` FALSE; `=like ''` means unset, `not =like ''` set.
    // The caller decides for relational fields (where `ilike ''` means set).
    const result = negative === exact;
    return result ? { kind: 'set' } : { kind: 'unset' };
  }
  if (typeof value === 'string') return { kind: 'pattern', pattern: value };
  if (value instanceof SQL) throw new PyValueError(`SQL values are not supported with ${op} in condition ${reprLeaf(node.raw)}`);
  if (exact) throw new PyTypeError(`The pattern to match must be a string in condition ${reprLeaf(node.raw)}`);
  return { kind: 'pattern', pattern: pyStr(value) };
}

function finishIn(col: SQL, cmp: SQL, hasFalse: boolean, negative: boolean): SQL {
  if (!negative) {
    if (!hasFalse) return cmp;
    return cmp === FALSE ? sql`${col} IS NULL` : sql`(${col} IS NULL OR ${cmp})`;
  }
  if (hasFalse) return cmp === FALSE ? sql`${col} IS NOT NULL` : sql`(${col} IS NOT NULL AND NOT (${cmp}))`;
  // `!=` / `not in` also match NULL.
  return cmp === FALSE ? TRUE : sql`(${col} IS NULL OR NOT (${cmp}))`;
}

function asList(op: string, value: unknown): unknown[] {
  if (op === 'in' || op === 'not in') {
    if (Array.isArray(value)) return value;
    return [value];
  }
  // `=` with a list behaves like `in`; `= []` means unset.
  if (Array.isArray(value)) return value.length ? value : [false];
  return [value];
}

function isFalsy(v: unknown): boolean {
  if (v === false || v === null || v === undefined || v === '' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v && typeof v === 'object' && !(v instanceof SQL) && !isNode(v)) return Object.keys(v).length === 0;
  return false;
}

function toBool(v: unknown): boolean {
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (['false', '0', 'f', 'n', 'no', 'off', ''].includes(t)) return false;
    return true;
  }
  return !!v;
}

function compareValues(a: unknown, op: string, b: unknown): boolean {
  const x = a as number | string;
  const y = b as number | string;
  if (typeof x !== typeof y) return false;
  switch (op) {
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
  }
  return false;
}

function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

function arrayType(field: Field): string {
  switch (field.type) {
    case 'integer': case 'many2one': case 'many2one_reference': return 'int4[]';
    case 'float': return 'float8[]';
    case 'monetary': return 'numeric[]';
    case 'date': return 'date[]';
    case 'datetime': return 'timestamp[]';
    case 'boolean': return 'bool[]';
    default: return 'varchar[]';
  }
}

function validDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
}

/** Negation pushed into a node when Odoo does so (De Morgan, operator inversion). */
function negate(node: Node): Node | null {
  switch (node.kind) {
    case 'const': return { kind: 'const', value: !node.value };
    case 'not': return node.child;
    case 'and': return { kind: 'or', children: node.children.map((c) => negate(c) ?? { kind: 'not', child: c }) };
    case 'or': return { kind: 'and', children: node.children.map((c) => negate(c) ?? { kind: 'not', child: c }) };
    case 'leaf': {
      if (node.path.includes('.')) return null;
      const inverse: Record<string, string> = {
        '=': '!=', '!=': '=', in: 'not in', 'not in': 'in', like: 'not like', 'not like': 'like',
        ilike: 'not ilike', 'not ilike': 'ilike', '=like': 'not =like', 'not =like': '=like',
        '=ilike': 'not =ilike', 'not =ilike': '=ilike', any: 'not any', 'not any': 'any',
      };
      const op = inverse[node.op];
      return op ? { ...node, op } : null;
    }
  }
}
// ---------------------------------------------------------------- dynamic dates
// ---------------------------------------------------------------- time zones and dynamic dates

/**
 * Resolve an Odoo 19 dynamic date: `today` (a date in the context tz) or `now` (the default,
 * naive UTC), then space-separated terms `+3d`, `-1m`, `+2w`, `+1y`, `+4H`, `-30M`, `+10S`,
 * `=1d` (sets a part), `=monday` / `+monday` / `-monday`, `=week_start`.
 */
export function resolveDynamicDate(expr: string, tz: string): { value: string; isDate: boolean } {
  const m = DYNAMIC_DATE_RE.exec(expr.trim());
  if (!m) throw new PyValueError(`Invalid isoformat string: ${pyRepr(expr)}`);
  const isToday = m[1] === 'today';
  const d = isToday ? localNow(tz) : new Date(Math.floor(Date.now() / 1000) * 1000);
  if (isToday) d.setUTCHours(0, 0, 0, 0);
  const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  for (const term of (m[2] || '').trim().split(/\s+/).filter(Boolean)) {
    const sign = term[0];
    const body = term.slice(1);
    const wd = body === 'week_start' ? 0 : weekdays.indexOf(body);
    if (wd >= 0) {
      const cur = (d.getUTCDay() + 6) % 7;
      let delta = wd - cur;
      if (sign === '+' && delta < 0) delta += 7;
      if (sign === '-' && delta > 0) delta -= 7;
      if (sign === '=' && body !== 'week_start') {
        // `=tuesday`: the given weekday of the current week.
      }
      d.setUTCDate(d.getUTCDate() + delta);
      continue;
    }
    const mm = /^(\d+)([dmwyHMS])$/.exec(body);
    if (!mm) throw new PyValueError(`Invalid isoformat string: ${pyRepr(expr)}`);
    const n = parseInt(mm[1], 10);
    const unit = mm[2];
    if (sign === '=') {
      switch (unit) {
        case 'd': d.setUTCDate(n); d.setUTCHours(0, 0, 0, 0); break;
        case 'm': d.setUTCMonth(n - 1); break;
        case 'y': d.setUTCFullYear(n); break;
        case 'H': d.setUTCHours(n, 0, 0, 0); break;
        case 'M': d.setUTCMinutes(n, 0, 0); break;
        case 'S': d.setUTCSeconds(n, 0); break;
        default: throw new PyValueError(`Invalid isoformat string: ${pyRepr(expr)}`);
      }
      continue;
    }
    const k = sign === '-' ? -n : n;
    switch (unit) {
      case 'd': d.setUTCDate(d.getUTCDate() + k); break;
      case 'w': d.setUTCDate(d.getUTCDate() + 7 * k); break;
      case 'm': d.setUTCMonth(d.getUTCMonth() + k); break;
      case 'y': d.setUTCFullYear(d.getUTCFullYear() + k); break;
      case 'H': d.setUTCHours(d.getUTCHours() + k); break;
      case 'M': d.setUTCMinutes(d.getUTCMinutes() + k); break;
      case 'S': d.setUTCSeconds(d.getUTCSeconds() + k); break;
    }
  }
  const iso = d.toISOString();
  return isToday ? { value: iso.slice(0, 10), isDate: true } : { value: iso.slice(0, 19).replace('T', ' '), isDate: false };
}

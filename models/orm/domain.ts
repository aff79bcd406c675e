// Odoo's domain language compiled to SQL: prefix operators, every comparison operator,
// dotted paths (rewritten as `any` through relations), Odoo's falsy/NULL rules, active_test.
// Relations are compiled as sub-queries (EXISTS / IN), never joins, so rows are never duplicated.

import { SQL, sql, raw, ident, join, TRUE, FALSE } from './sql.ts';
import type { Field } from './fields.ts';
import type { Model } from './model.ts';
import type { Env } from './env.ts';
import { PyValueError, PyTypeError } from './exceptions.ts';

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
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
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
  if (!Array.isArray(domain)) throw new PyValueError(`Invalid domain: ${pyRepr(domain)}`);
  let pos = 0;
  const items = domain as unknown[];
  const next = (): Node => {
    if (pos >= items.length) throw new PyValueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
    const item = items[pos++];
    if (item === '&' || item === '|') {
      const a = next();
      const b = next();
      return { kind: item === '&' ? 'and' : 'or', children: [a, b] };
    }
    if (item === '!') return { kind: 'not', child: next() };
    if (item === true || item === false) return { kind: 'const', value: item };
    if (isLeaf(item)) return parseLeaf(item);
    throw new PyValueError(`Invalid domain term ${pyRepr(item)}`);
  };
  const children: Node[] = [];
  while (pos < items.length) children.push(next());
  if (children.length === 0) return { kind: 'const', value: true };
  if (children.length === 1) return children[0];
  return { kind: 'and', children };
}

function parseLeaf(item: unknown[]): Node {
  if (item.length !== 3) throw new PyValueError(`Invalid domain term ${pyRepr(item)}`);
  let [path, op, value] = item as [unknown, unknown, unknown];
  if (typeof op !== 'string') throw new PyValueError(`Invalid operator in condition ${reprLeaf(item)}`);
  // Constant leaves (1, '=', 1) and (0, '=', 1).
  if (typeof path === 'number' || typeof path === 'boolean') {
    if ((path === 1 || path === true) && op === '=' && value === 1) return { kind: 'const', value: true };
    if ((path === 0 || path === false) && op === '=' && value === 1) return { kind: 'const', value: false };
    throw new PyValueError(`Invalid field ${pyRepr(path)} in condition ${reprLeaf(item)}`);
  }
  if (typeof path !== 'string' || !path) throw new PyValueError(`Invalid field ${pyRepr(path)} in condition ${reprLeaf(item)}`);
  op = op.toLowerCase();
  op = DEPRECATED_ALIASES[op as string] ?? op;
  if (op === 'any!' || op === 'not any!') throw new PyValueError(`Invalid operator in condition ${reprLeaf(item)}`);
  if (!OPERATORS.has(op as string)) throw new PyValueError(`Invalid operator in condition ${reprLeaf(item)}`);
  if (value === null || value === undefined) value = false;
  return { kind: 'leaf', path, op: op as string, value, raw: item };
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

const DYNAMIC_DATE_RE = /^(today|now)((?:\s+[=+-]\S+)*)$/;
const ISO_ZONE_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?$/;

/** Compiles domains of one model; `alias` is the SQL alias of the model's table. */
export class DomainCompiler {
  private aliasCounter = 0;
  constructor(readonly env: Env) {}

  newAlias(base: string): string {
    return `${base.slice(0, 40)}__${++this.aliasCounter}`;
  }

  /** Compile a full search domain (with the implicit active filter) to a WHERE clause. */
  where(model: Model, domain: unknown, alias: string, opts: { activeTest?: boolean } = {}): SQL {
    let node = parseDomain(domain);
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

  private invalidField(model: Model, node: { path: string; raw: unknown[] }): never {
    throw new PyValueError(`Invalid field ${model.name}.${node.path.split('.')[0]} in condition ${reprLeaf(node.raw)}`);
  }

  private leaf(model: Model, node: Extract<Node, { kind: 'leaf' }>, alias: string): SQL {
    const dot = node.path.indexOf('.');
    const fname = dot < 0 ? node.path : node.path.slice(0, dot);
    const rest = dot < 0 ? '' : node.path.slice(dot + 1);
    const field = model.fields.get(fname);
    if (!field) this.invalidField(model, node);
    if (rest) {
      if (!field.isRelational) {
        throw new PyValueError(`Invalid field ${model.name}.${node.path} in condition ${reprLeaf(node.raw)}`);
      }
      // A dotted path is an `any` through the relation.
      const sub: Node = { kind: 'leaf', path: rest, op: node.op, value: node.value, raw: node.raw };
      const negative = isNegativeOp(node.op);
      if (negative && field.type !== 'many2one') {
        // x2many with a negative operator: "no related record fails the positive condition" is not
        // what Odoo does; Odoo applies the operator inside `any`.
      }
      return this.any(model, field, { op: 'any', sub }, alias);
    }
    return this.condition(model, field, node, alias);
  }

  private condition(model: Model, field: Field, node: Extract<Node, { kind: 'leaf' }>, alias: string): SQL {
    let { op, value } = node;
    // Non-stored fields: searchable only through `related` or a `search` method.
    if (field.name === 'id') return this.idCondition(model, node, alias);
    if (!field.store || field.type === 'one2many') {
      if (field.type === 'one2many' || field.type === 'many2many') {
        if (field.type === 'one2many' || field.store) return this.x2many(model, field, node, alias);
      }
      if (field.isRelated) {
        return this.compile(model, { kind: 'leaf', path: field.spec.related!, op, value, raw: node.raw }, alias);
      }
      const search = field.spec.search;
      if (search) {
        // Search methods are synchronous and may return SQL sub-queries as `in` values.
        const fn = typeof search === 'string' ? model.methods.get(search)?.fn : search;
        if (!fn) throw new Error(`Search method ${String(search)} missing on ${model.name}`);
        const domain = (fn as (...a: unknown[]) => unknown).call({ super: async () => undefined }, this.env.model(model.name), op, value);
        if (domain instanceof Promise) throw new Error(`Search method of ${model.name}.${field.name} must be synchronous`);
        return this.compile(model, parseDomain(domain), alias);
      }
      throw new PyValueError(`Non-stored field ${model.name}.${field.name} cannot be searched.`);
    }
    if (field.type === 'many2many') return this.x2many(model, field, node, alias);

    if (op === '=?') {
      if (isFalsy(value)) return TRUE;
      op = '=';
    }
    if (op === 'any' || op === 'not any') {
      if (field.type !== 'many2one') throw new PyValueError(`Operator ${op} not supported on field ${model.name}.${field.name} in condition ${reprLeaf(node.raw)}`);
      return this.any(model, field, { op, sub: value }, alias);
    }
    if (op === 'child_of' || op === 'parent_of') return this.hierarchy(model, field, op, value, alias);

    const col = sql`${ident(alias, field.name)}`;
    if (value instanceof SQL && (op === 'in' || op === 'not in')) {
      // A sub-query given by a search method or internal caller.
      return op === 'in' ? sql`${col} IN (${value})` : sql`(${col} IS NULL OR ${col} NOT IN (${value}))`;
    }
    if (field.type === 'many2one') {
      // Names instead of ids: match the comodel's display name.
      if (['like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'not =like', 'not =ilike'].includes(op)) {
        if (value === '' && (op === 'ilike' || op === 'like')) return sql`(${col} IS NOT NULL)`;
        if (value === '' && (op === 'not ilike' || op === 'not like')) return sql`(${col} IS NULL)`;
        const positive = op.replace(/^not /, '');
        const anyNode = this.any(model, field, { op: 'any', sub: [['display_name', positive, value]] }, alias);
        return op.startsWith('not ') ? sql`(${col} IS NULL OR NOT ${anyNode})` : anyNode;
      }
      const vals = asList(op, value);
      if ((op === '=' || op === '!=' || op === 'in' || op === 'not in') && vals.some((v) => typeof v === 'string')) {
        const names = vals.filter((v) => typeof v === 'string');
        const others = vals.filter((v) => typeof v !== 'string');
        const byName = this.any(model, field, { op: 'any', sub: [['display_name', 'in', names]] }, alias);
        const rest = others.length ? this.inCondition(field, col, 'in', others) : FALSE;
        const positive = others.length ? sql`(${byName} OR ${rest})` : byName;
        return op === '=' || op === 'in' ? positive : sql`((${positive}) IS NOT TRUE)`;
      }
      if (['<', '>', '<=', '>='].includes(op) && typeof value === 'string') {
        throw new PyTypeError(`Cannot compare ${model.name}.${field.name} with a string in condition ${reprLeaf(node.raw)}`);
      }
    }
    switch (op) {
      case '=': case 'in': case '!=': case 'not in':
        return this.inCondition(field, col, op, asList(op, value));
      case '<': case '>': case '<=': case '>=':
        return this.comparison(model, field, col, op, value, node);
      case 'like': case 'ilike': case 'not like': case 'not ilike':
        return this.like(field, col, op, value);
      case '=like': case '=ilike': case 'not =like': case 'not =ilike': {
        if (typeof value !== 'string') throw new PyTypeError(`Value of ${op} must be a string in condition ${reprLeaf(node.raw)}`);
        const neg = op.startsWith('not ');
        if (value === '') return this.inCondition(field, col, neg ? 'not in' : 'in', [false]);
        const kw = op.includes('ilike') ? raw('ILIKE') : raw('LIKE');
        const text = field.type === 'char' || field.type === 'text' || field.type === 'html' || field.type === 'selection' ? col : sql`CAST(${col} AS VARCHAR)`;
        return neg ? sql`(${col} IS NULL OR NOT (${text} ${kw} ${value}))` : sql`(${text} ${kw} ${value})`;
      }
    }
    throw new PyValueError(`Invalid operator in condition ${reprLeaf(node.raw)}`);
  }

  private idCondition(model: Model, node: Extract<Node, { kind: 'leaf' }>, alias: string): SQL {
    const col = sql`${ident(alias, 'id')}`;
    let { op, value } = node;
    if (op === '=?') {
      if (isFalsy(value)) return TRUE;
      op = '=';
    }
    if (op === 'any') return this.compile(model, parseDomain(value), alias);
    if (op === 'not any') return sql`((${this.compile(model, parseDomain(value), alias)}) IS NOT TRUE)`;
    if (op === 'child_of' || op === 'parent_of') return this.hierarchy(model, model.fields.get('id')!, op, value, alias);
    if (value instanceof SQL && (op === 'in' || op === 'not in')) return op === 'in' ? sql`${col} IN (${value})` : sql`${col} NOT IN (${value})`;
    if (op === '=' || op === 'in' || op === '!=' || op === 'not in') {
      const vals = asList(op, value).filter((v) => v !== false);
      if (vals.some((v) => typeof v === 'string' && !/^\d+$/.test(v))) {
        // Names given for ids: match display name.
        return this.compile(model, { kind: 'leaf', path: 'display_name', op, value, raw: node.raw }, alias);
      }
      const ints = vals.map((v) => Number(v));
      const positive = ints.length ? sql`${col} = ANY(${ints}::int4[])` : FALSE;
      return op === '=' || op === 'in' ? positive : ints.length ? sql`NOT (${positive})` : TRUE;
    }
    if (['<', '>', '<=', '>='].includes(op)) return sql`${col} ${raw(op)} ${Number(value)}`;
    if (['like', 'ilike', 'not like', 'not ilike'].includes(op)) return this.like(model.fields.get('id')!, col, op, value);
    throw new PyValueError(`Invalid operator in condition ${reprLeaf(node.raw)}`);
  }

  /** `in` / `not in` with Odoo's False-matches-NULL-or-falsy rule. */
  inCondition(field: Field, col: SQL, op: string, values: unknown[]): SQL {
    const negative = op === '!=' || op === 'not in';
    if (field.type === 'boolean') {
      const vs = new Set(values.map((v) => v === 'false' ? false : v === 'true' ? true : !!v));
      let positive: SQL;
      if (vs.size === 0) positive = FALSE;
      else if (vs.size === 2) positive = TRUE;
      else positive = vs.has(true) ? sql`(${col} = TRUE)` : sql`(${col} IS NOT TRUE)`;
      if (!negative) return positive;
      if (positive === TRUE) return FALSE;
      if (positive === FALSE) return TRUE;
      return vs.has(true) ? sql`(${col} IS NOT TRUE)` : sql`(${col} = TRUE)`;
    }
    const hasFalse = values.some((v) => v === false);
    let vals = values.filter((v) => v !== false).map((v) => convertForColumn(field, v));
    const falsy = field.falsyValue;
    if (falsy !== undefined && falsy !== false && hasFalse) vals.push(falsy);
    vals = [...new Set(vals)];
    if (field.type === 'datetime') {
      const cast = raw(`::timestamp[]`);
      const cmp = vals.length ? sql`date_trunc('second', ${col}) = ANY(${vals}${cast})` : FALSE;
      return finishIn(col, cmp, hasFalse, negative);
    }
    const cast = raw(`::${arrayType(field)}`);
    const cmp = vals.length === 0 ? FALSE : vals.length === 1 ? sql`${col} = ${vals[0]}` : sql`${col} = ANY(${vals}${cast})`;
    return finishIn(col, cmp, hasFalse, negative);
  }

  private comparison(model: Model, field: Field, col: SQL, op: string, value: unknown, node: Extract<Node, { kind: 'leaf' }>): SQL {
    if (field.type === 'date' || field.type === 'datetime') {
      if (value === false || value === '' || value === null) return FALSE;
      return this.dateComparison(field, col, op, value, node);
    }
    if (field.type === 'integer' || field.type === 'float' || field.type === 'monetary' || field.type === 'many2one') {
      let v = value;
      if (v === false) v = 0;
      if (typeof v === 'string') {
        if (field.type === 'many2one') throw new PyTypeError(`Cannot compare ${model.name}.${field.name} with a string`);
        v = Number(v);
      }
      if (typeof v !== 'number' || Number.isNaN(v)) throw new PyValueError(`Invalid value in condition ${reprLeaf(node.raw)}`);
      // NULL counts as 0 for numeric comparisons.
      if (field.type === 'many2one') return sql`${col} ${raw(op)} ${v}`;
      return sql`COALESCE(${col}, 0) ${raw(op)} ${v}`;
    }
    if (value === false) return FALSE;
    return sql`${col} ${raw(op)} ${value}`;
  }

  private dateComparison(field: Field, col: SQL, op: string, value: unknown, node: Extract<Node, { kind: 'leaf' }>): SQL {
    if (typeof value !== 'string') throw new PyValueError(`Invalid date value in condition ${reprLeaf(node.raw)}`);
    let v = value.trim();
    if (ISO_ZONE_RE.test(v)) throw new PyValueError(`Invalid datetime value ${pyRepr(value)}: time zones are not supported, use naive UTC values`);
    const dyn = DYNAMIC_DATE_RE.exec(v);
    if (dyn) v = resolveDynamicDate(v, this.env.tz);
    if (field.type === 'date') {
      v = v.slice(0, 10);
      if (!DATE_RE.test(v)) throw new PyValueError(`Invalid date value ${pyRepr(value)}`);
      return sql`${col} ${raw(op)} ${v}::date`;
    }
    if (DATE_RE.test(v)) {
      // A date on a datetime field means local midnight in the user's time zone.
      const start = sql`((${v}::timestamp AT TIME ZONE ${this.env.tz}) AT TIME ZONE 'UTC')`;
      switch (op) {
        case '<': case '>=': return sql`${col} ${raw(op)} ${start}`;
        case '>': return sql`${col} >= (${start} + interval '1 day')`;
        case '<=': return sql`${col} < (${start} + interval '1 day')`;
      }
    }
    if (!DATETIME_RE.test(v)) throw new PyValueError(`Invalid datetime value ${pyRepr(value)}`);
    const ts = v.replace('T', ' ').slice(0, 19);
    switch (op) {
      case '>': return sql`${col} >= (${ts}::timestamp + interval '1 second')`;
      case '<=': return sql`${col} < (${ts}::timestamp + interval '1 second')`;
      default: return sql`${col} ${raw(op)} ${ts}::timestamp`;
    }
  }

  private like(field: Field, col: SQL, op: string, value: unknown): SQL {
    const negative = op.startsWith('not ');
    if (value === false || value === null) value = '';
    const text = typeof value === 'string' ? value : pyStr(value);
    if (text === '') return negative ? FALSE : TRUE;
    const kw = op.includes('ilike') ? raw('ILIKE') : raw('LIKE');
    const target = ['char', 'text', 'html', 'selection'].includes(field.type) ? col : sql`CAST(${col} AS VARCHAR)`;
    const pattern = `%${text}%`;
    return negative ? sql`(${col} IS NULL OR NOT (${target} ${kw} ${pattern}))` : sql`(${target} ${kw} ${pattern})`;
  }

  /** many2one / one2many / many2many `any` and `not any` with a sub-domain on the comodel. */
  any(model: Model, field: Field, spec: { op: 'any' | 'not any'; sub: unknown }, alias: string): SQL {
    const comodel = this.env.registry.get(field.comodel!);
    const sub = spec.sub;
    const subAlias = this.newAlias(comodel.table);
    const negative = spec.op === 'not any';
    if (field.type === 'many2one') {
      // Inactive comodel records count for many2one, as in Odoo.
      const where = this.where(comodel, subDomain(sub), subAlias, { activeTest: false });
      const col = ident(alias, field.name);
      const inner = sql`${col} IN (SELECT ${ident(subAlias, 'id')} FROM ${ident(comodel.table)} ${ident(subAlias)} WHERE ${where})`;
      return negative ? sql`(${col} IS NULL OR NOT (${inner}))` : inner;
    }
    const where = this.where(comodel, subDomain(sub), subAlias);
    let exists: SQL;
    if (field.type === 'one2many') {
      const inv = field.inverseField!;
      exists = sql`EXISTS (SELECT 1 FROM ${ident(comodel.table)} ${ident(subAlias)} WHERE ${ident(subAlias, inv.name)} = ${ident(alias, 'id')} AND ${where})`;
    } else {
      const { table, col1, col2 } = field.m2mRelation;
      const rel = this.newAlias(table);
      exists = sql`EXISTS (SELECT 1 FROM ${ident(table)} ${ident(rel)} JOIN ${ident(comodel.table)} ${ident(subAlias)} ON ${ident(subAlias, 'id')} = ${ident(rel, col2)} WHERE ${ident(rel, col1)} = ${ident(alias, 'id')} AND ${where})`;
    }
    return negative ? sql`NOT ${exists}` : exists;
  }

  private x2many(model: Model, field: Field, node: Extract<Node, { kind: 'leaf' }>, alias: string): SQL {
    let { op, value } = node;
    if (op === '=?') {
      if (isFalsy(value)) return TRUE;
      op = '=';
    }
    if (op === 'any' || op === 'not any') return this.any(model, field, { op, sub: value }, alias);
    if (op === 'child_of' || op === 'parent_of') {
      const comodel = this.env.registry.get(field.comodel!);
      const ids = this.hierarchyIds(comodel, op, value);
      return this.any(model, field, { op: 'any', sub: [['id', 'in', ids]] }, alias);
    }
    if (op === '=' || op === 'in' || op === '!=' || op === 'not in') {
      const vals = asList(op, value);
      const negative = op === '!=' || op === 'not in';
      const hasFalse = vals.some((v) => v === false);
      const ids = vals.filter((v) => v !== false);
      const parts: SQL[] = [];
      if (ids.length) {
        const byName = ids.some((v) => typeof v === 'string');
        parts.push(this.any(model, field, { op: 'any', sub: byName ? [['display_name', 'in', ids]] : [['id', 'in', ids]] }, alias));
      }
      if (hasFalse) parts.push(this.any(model, field, { op: 'not any', sub: [] }, alias));
      if (parts.length === 0) return negative ? TRUE : FALSE;
      const positive = parts.length === 1 ? parts[0] : sql`(${join(parts, ' OR ')})`;
      return negative ? sql`NOT (${positive})` : positive;
    }
    if (['like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'not =like', 'not =ilike'].includes(op)) {
      const negative = op.startsWith('not ');
      const positiveOp = op.replace(/^not /, '');
      if (value === '' || value === false) return this.any(model, field, { op: negative ? 'not any' : 'any', sub: [] }, alias);
      return this.any(model, field, { op: negative ? 'not any' : 'any', sub: [['display_name', positiveOp, value]] }, alias);
    }
    throw new PyValueError(`Invalid operator in condition ${reprLeaf(node.raw)}`);
  }

  /** child_of / parent_of through the comodel's parent field, with a recursive CTE. */
  private hierarchy(model: Model, field: Field, op: string, value: unknown, alias: string): SQL {
    const comodel = field.name === 'id' ? model : this.env.registry.get(field.comodel!);
    const ids = this.hierarchyIds(comodel, op, value);
    const col = ident(alias, field.name);
    if (ids instanceof SQL) return sql`${col} IN (${ids})`;
    return FALSE;
  }

  private hierarchyIds(comodel: Model, op: string, value: unknown): SQL {
    const vals = Array.isArray(value) ? value : [value];
    if (vals.length === 0 || vals.every((v) => v === false)) return sql`SELECT NULL::int4 WHERE FALSE`;
    const strs = vals.filter((v) => typeof v === 'string');
    const ints = vals.filter((v) => typeof v === 'number');
    const a = this.newAlias(comodel.table);
    let seed = sql`SELECT ${ident(a, 'id')} AS id FROM ${ident(comodel.table)} ${ident(a)} WHERE ${ident(a, 'id')} = ANY(${ints}::int4[])`;
    if (strs.length) {
      const where = this.where(comodel, orDomains(...strs.map((s) => [['display_name', 'ilike', s]])), a, { activeTest: false });
      seed = sql`SELECT ${ident(a, 'id')} AS id FROM ${ident(comodel.table)} ${ident(a)} WHERE ${ident(a, 'id')} = ANY(${ints}::int4[]) OR ${where}`;
    }
    const parent = comodel.parentName;
    if (!parent) return seed;
    const t = ident(comodel.table);
    const p = ident(parent);
    const step = op === 'child_of'
      ? sql`SELECT c.id FROM ${t} c JOIN __h ON c.${p} = __h.id`
      : sql`SELECT c.${p} FROM ${t} c JOIN __h ON c.id = __h.id WHERE c.${p} IS NOT NULL`;
    return sql`WITH RECURSIVE __h(id) AS (${seed} UNION ${step}) SELECT id FROM __h`;
  }
}

function subDomain(sub: unknown): unknown {
  if (Array.isArray(sub) && sub.length > 0 && sub.every((x) => typeof x === 'number')) return [['id', 'in', sub]];
  return sub;
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
  // `=` with a list behaves like `in`, `= []` means unset.
  if (Array.isArray(value)) return value.length ? value : [false];
  return [value];
}

function isFalsy(v: unknown): boolean {
  return v === false || v === null || v === undefined || v === '' || v === 0 || (Array.isArray(v) && v.length === 0);
}

function isNegativeOp(op: string): boolean {
  return op === '!=' || op.startsWith('not ');
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

function convertForColumn(field: Field, v: unknown): unknown {
  switch (field.type) {
    case 'integer': case 'many2one': case 'float': case 'monetary': {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
      if (v === true) return 1;
      throw new PyValueError(`Invalid value ${pyRepr(v)} for field ${field.modelName}.${field.name}`);
    }
    case 'date': return typeof v === 'string' ? v.slice(0, 10) : v;
    case 'datetime': {
      if (typeof v !== 'string') throw new PyValueError(`Invalid value ${pyRepr(v)} for field ${field.modelName}.${field.name}`);
      if (ISO_ZONE_RE.test(v)) throw new PyValueError(`Invalid datetime value ${pyRepr(v)}: time zones are not supported, use naive UTC values`);
      return v.replace('T', ' ').slice(0, 19);
    }
    default: return typeof v === 'string' ? v : pyStr(v);
  }
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

/** `today +3d`, `now -1m =1d` ... → ISO string (date for `today`, datetime for `now`). */
export function resolveDynamicDate(expr: string, _tz: string): string {
  const m = DYNAMIC_DATE_RE.exec(expr.trim())!;
  const d = new Date();
  const isToday = m[1] === 'today';
  if (isToday) d.setUTCHours(0, 0, 0, 0);
  d.setUTCMilliseconds(0);
  for (const term of (m[2] || '').trim().split(/\s+/).filter(Boolean)) {
    const sign = term[0];
    const body = term.slice(1);
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    const wd = weekdays.indexOf(body) >= 0 ? weekdays.indexOf(body) : body === 'week_start' ? 0 : -1;
    if (wd >= 0) {
      const cur = (d.getUTCDay() + 6) % 7;
      let delta = wd - cur;
      if (sign === '+' && delta < 0) delta += 7;
      if (sign === '-' && delta > 0) delta -= 7;
      d.setUTCDate(d.getUTCDate() + delta);
      continue;
    }
    const mm = /^(\d+)([dmwyHMS])$/.exec(body);
    if (!mm) throw new PyValueError(`Invalid dynamic date term ${pyRepr(term)}`);
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
        default: throw new PyValueError(`Invalid dynamic date term ${pyRepr(term)}`);
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
  return isToday ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

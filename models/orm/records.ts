// Recordsets and the ORM's core operations (search, read, create, write, unlink, copy).
// Everything is batched: one query per (model, field kind) per call, never one per record.

import type { Env, Context } from './env.ts';
import type { Model } from './model.ts';
import { pyHashable, pyIter, pyRequireStr } from './pyargs.ts';
import { type Field, formatDatetime } from './fields.ts';
import { SQL, sql, raw, ident, join, TRUE } from './sql.ts';
import { DomainCompiler, andDomains, fieldDomain, pyRepr } from './domain.ts';
import { MissingError, PyValueError, PyTypeError, UserError, AccessError } from './exceptions.ts';
import { parseOrder } from './order.ts';
import { toColumn, formatValue } from './fields_convert.ts';
import { applyX2many, createX2many, m2mDelete, m2mInsert } from './x2many.ts';
import { collectDependents, computeStored, protecting, recompute, recomputeDependents, triggerDependents } from './recompute.ts';

export type Vals = Record<string, unknown>;
export type Load = '_classic_read' | '_classic_write' | null;
/** A record's values split for the INSERT: columns, x2many commands, inverse writes. */
type Prepared = { columns: Vals; x2many: [Field, unknown][]; inverse: [Field, unknown][] };

interface ReadPlan {
  fields: Field[];
  columns: string[];
  joined: { field: string; comodel: Model; column: string }[];
  /** Per field: where its value and its many2one's name (-1: none) sit in an array row of the search (id first). */
  at: number[];
  dnAt: number[];
  direct: boolean;
}
/** search_read plans per model and (load, field names) (see readPlan). */
const READ_PLANS = new WeakMap<Model, Map<string, ReadPlan>>();

/** ORDER BY clauses without joins, per model and (depth, tie-break, alias, order) (see orderToSql). */
const PLAIN_ORDERS = new WeakMap<Model, Map<string, { joins: SQL; orderBy: SQL | null }>>();

const MAGIC = new Set(['id', 'create_uid', 'create_date', 'write_uid', 'write_date', 'parent_path', '__last_update']);
const INSERT_BATCH = 5000;

/** From this many records, create computes stored fields before the INSERT (see stagedPrecompute). */
const BULK_PRECOMPUTE_MIN = 1000;

export class RecordSet implements Iterable<RecordSet> {
  readonly env: Env;
  readonly model: Model;
  readonly ids: number[];

  constructor(env: Env, model: Model, ids: number[]) {
    this.env = env;
    this.model = model;
    this.ids = ids;
  }

  get _name(): string {
    return this.model.name;
  }
  get length(): number {
    return this.ids.length;
  }
  get id(): number | false {
    return this.ids.length === 1 ? this.ids[0] : this.ids.length === 0 ? false : this.ensureOne() as never;
  }
  *[Symbol.iterator](): Iterator<RecordSet> {
    for (const id of this.ids) yield new RecordSet(this.env, this.model, [id]);
  }
  ensureOne(): this {
    if (this.ids.length !== 1) throw new PyValueError(`Expected singleton: ${this.toString()}`);
    return this;
  }
  toString(): string {
    return `${this.model.name}(${this.ids.join(', ')}${this.ids.length === 1 ? ',' : ''})`;
  }
  browse(ids: number | number[] | readonly number[]): RecordSet {
    return new RecordSet(this.env, this.model, typeof ids === 'number' ? [ids] : [...ids]);
  }
  withEnv(env: Env): RecordSet {
    return new RecordSet(env, this.model, this.ids);
  }
  withContext(ctx: Context): RecordSet {
    return this.withEnv(this.env.withContext(ctx));
  }
  sudo(flag = true): RecordSet {
    return this.withEnv(this.env.sudo(flag));
  }
  union(other: RecordSet): RecordSet {
    return this.browse([...new Set([...this.ids, ...other.ids])]);
  }
  field(name: string): Field {
    const f = this.model.fields.get(name);
    if (!f) throw new PyValueError(`Invalid field ${pyRepr(name)} on ${pyRepr(this.model.name)}`);
    return f;
  }

  // ---------------------------------------------------------------- method dispatch

  /** Call a model method by name (overrides included), like `records.method(*args)`. */
  async call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const m = this.model.methods.get(method);
    if (!m) throw new Error(`The method '${this.model.name}.${method}' does not exist`);
    return (await m.fn.call({ super: async () => undefined }, this, ...args)) as T;
  }

  // Convenience wrappers going through the method table (so model overrides apply).
  search(domain: unknown[] = [], opts: { offset?: number; limit?: number | null; order?: string | null } = {}): Promise<RecordSet> {
    return this.call('search', domain, opts.offset ?? 0, opts.limit ?? null, opts.order ?? null);
  }
  searchCount(domain: unknown[] = [], limit: number | null = null): Promise<number> {
    return this.call('search_count', domain, limit);
  }
  read(fields: string[] | null = null, load: Load = '_classic_read'): Promise<Vals[]> {
    return this.call('read', fields, load);
  }
  /** Values as read with load=null (many2one as bare id): the internal view of records. */
  fetch(fields: string[]): Promise<Vals[]> {
    return this._read(fields, null);
  }
  create(vals: Vals | Vals[]): Promise<RecordSet> {
    return this.call('create', Array.isArray(vals) ? vals : [vals]);
  }
  write(vals: Vals): Promise<boolean> {
    return this.call('write', vals);
  }
  unlink(): Promise<boolean> {
    return this.call('unlink');
  }
  searchRead(domain: unknown[] = [], fields: string[] | null = null, opts: { offset?: number; limit?: number | null; order?: string | null; load?: Load } = {}): Promise<Vals[]> {
    return this.call('search_read', domain, fields, opts.offset ?? 0, opts.limit ?? null, opts.order ?? null, opts.load === undefined ? '_classic_read' : opts.load);
  }

  // ---------------------------------------------------------------- access

  async checkAccess(operation: 'read' | 'write' | 'create' | 'unlink'): Promise<void> {
    const checker = this.env.registry.accessChecker;
    if (!checker || this.env.isSuperuser) return;
    await checker(this.env, this.model.name, operation, true);
  }

  /** Fields among `names` whose `groups` the env's user is in none of (Odoo's field access; superuser: none). */
  async deniedFields(names: Iterable<string>): Promise<Set<string>> {
    const denied = new Set<string>();
    const checker = this.env.registry.groupChecker;
    if (!checker || this.env.isSuperuser) return denied;
    for (const n of names) {
      const groups = this.model.fields.get(n)?.spec.groups;
      if (groups && !(await checker(this.env, groups.split(',').map((g) => g.trim())))) denied.add(n);
    }
    return denied;
  }

  /** Odoo's AccessError for an explicitly requested field the user may not access. */
  async checkFieldAccess(names: Iterable<string>, operation: 'read' | 'write'): Promise<void> {
    const [first] = await this.deniedFields(names);
    if (first === undefined) return;
    throw new AccessError(`You do not have enough rights to access the field "${first}" on ${this.model.description} (${this.model.name}). Please contact your system administrator.\n\nOperation: ${operation}`);
  }

  /** Names to read: restricted fields are dropped when all fields are asked, refused when named. */
  private async accessibleNames(fields: unknown, names: string[] | null): Promise<string[] | null> {
    if (!names) return names;
    if (!fields || (Array.isArray(fields) && fields.length === 0)) {
      const denied = await this.deniedFields(names);
      return denied.size ? names.filter((n) => !denied.has(n)) : names;
    }
    await this.checkFieldAccess(names, 'read');
    return names;
  }

  /** The model's per-record restriction for the env's user (null: none, or superuser). */
  async accessCondition(operation: 'read' | 'write' | 'create' | 'unlink', alias: string = this.model.table): Promise<SQL | null> {
    const filter = this.model.accessFilter;
    if (!filter || this.env.isSuperuser) return null;
    return filter.condition(this.env, operation, alias);
  }

  /** Raise the model's AccessError when some existing records of `this` fall outside the per-record restriction. */
  async checkRecordAccess(operation: 'read' | 'write' | 'create' | 'unlink'): Promise<void> {
    if (!this.ids.length) return;
    const cond = await this.accessCondition(operation);
    if (!cond) return;
    const table = ident(this.model.table);
    const rows = await this.env.cr.query<{ id: number }>(sql`SELECT ${table}.id FROM ${table} WHERE ${table}.id = ANY(${[...new Set(this.ids)]}::int4[]) AND NOT COALESCE((${cond}), false)`);
    if (!rows.length) return;
    const forbidden = new Set(rows.map((r) => r.id));
    throw await this.model.accessFilter!.error(this.browse(this.ids.filter((id) => forbidden.has(id))), operation);
  }

  // ---------------------------------------------------------------- search

  /** SQL selecting the ids matching `domain` (for sub-queries and set-based hot paths). */
  searchQuery(
    domain: unknown,
    opts: { order?: string | null; limit?: number | null; offset?: number | null; activeTest?: boolean; columns?: string[]; displayNames?: { field: string; comodel: Model; column: string }[]; extraWhere?: SQL | null } = {},
  ): SQL {
    if (this.model.abstract) throw new UserError(`Model ${this.model.name} is abstract and cannot be searched`);
    const compiler = new DomainCompiler(this.env);
    const alias = this.model.table;
    const domainWhere = compiler.where(this.model, domain, alias, { activeTest: opts.activeTest });
    const where = opts.extraWhere ? sql`(${domainWhere}) AND (${opts.extraWhere})` : domainWhere;
    const { joins, orderBy } = this.orderToSql(opts.order === undefined ? this.model.order : opts.order, alias, compiler);
    // `columns`: also select these stored columns (search_fetch), named after their fields;
    // `displayNames`: the name column of many2one targets, as `__dn__<field>` (LEFT JOIN by id).
    const selected = [sql`${ident(alias, 'id')}`, ...(opts.columns ?? []).map((c) => sql`${ident(alias, c)} AS ${ident(c)}`)];
    const nameJoins: SQL[] = [];
    for (const d of opts.displayNames ?? []) {
      const a = compiler.newAlias(d.comodel.table);
      nameJoins.push(sql` LEFT JOIN ${ident(d.comodel.table)} ${ident(a)} ON ${ident(a, 'id')} = ${ident(alias, d.field)}`);
      selected.push(sql`${ident(a, d.column)} AS ${ident(`__dn__${d.field}`)}`);
    }
    let q = sql`SELECT ${join(selected)} FROM ${ident(this.model.table)} ${ident(alias)}${joins}${join(nameJoins, '')} WHERE ${where}`;
    if (orderBy) q = sql`${q} ORDER BY ${orderBy}`;
    // LIMIT as a literal: a bound limit keeps PostgreSQL from ever reusing a prepared statement's
    // generic plan (it estimates an unknown limit at 10% of the rows), so every call was planned.
    if (opts.limit) q = sql`${q} LIMIT ${raw(String(toCount(opts.limit, 'limit')))}`;
    if (opts.offset) q = sql`${q} OFFSET ${Number(opts.offset)}`;
    return q;
  }

  async _search(domain: unknown, offset: unknown = 0, limit: unknown = null, order: unknown = null): Promise<RecordSet> {
    await this.checkAccess('read');
    const lim = toLimit(limit);
    const off = toOffset(offset);
    const ord = order === '' || order === false || order === null || order === undefined ? this.model.order : pyRequireStr(order);
    if (lim === 0 && limit !== null && limit !== undefined && limit !== false && limit !== '' && limit !== 0) return this.browse([]);
    const extraWhere = await this.accessCondition('read');
    const rows = await this.env.cr.query<{ id: number }>(this.searchQuery(domain, { order: ord, limit: lim, offset: off, extraWhere }));
    return this.browse(rows.map((r) => r.id));
  }

  async _searchCount(domain: unknown, limit: unknown = null): Promise<number> {
    await this.checkAccess('read');
    const compiler = new DomainCompiler(this.env);
    const alias = this.model.table;
    const extra = await this.accessCondition('read', alias);
    const domainWhere = compiler.where(this.model, domain, alias);
    const where = extra ? sql`(${domainWhere}) AND (${extra})` : domainWhere;
    const lim = toLimit(limit);
    const q = lim
      ? sql`SELECT count(*) AS c FROM (SELECT 1 FROM ${ident(this.model.table)} ${ident(alias)} WHERE ${where} LIMIT ${raw(String(lim))}) t`
      : sql`SELECT count(*) AS c FROM ${ident(this.model.table)} ${ident(alias)} WHERE ${where}`;
    const rows = await this.env.cr.query<{ c: number }>(q);
    return Number(rows[0].c);
  }

  /** ORDER BY clause from an Odoo order spec; many2one orders follow the comodel's _order. */
  orderToSql(order: string | null, alias: string, compiler: DomainCompiler, depth = 0, tieBreak = true): { joins: SQL; orderBy: SQL | null } {
    // An order without joins depends on nothing but its text and alias: built once per process.
    const key = `${depth}|${tieBreak ? 1 : 0}|${alias}|${order || this.model.order}`;
    let cache = PLAIN_ORDERS.get(this.model);
    const hit = cache?.get(key);
    if (hit) return hit;
    const built = this.buildOrder(order, alias, compiler, depth, tieBreak);
    if (built.joins.isEmpty) {
      if (!cache) PLAIN_ORDERS.set(this.model, (cache = new Map()));
      if (cache.size >= 1000) cache.clear();
      cache.set(key, built);
    }
    return built;
  }

  private buildOrder(order: string | null, alias: string, compiler: DomainCompiler, depth: number, tieBreak: boolean): { joins: SQL; orderBy: SQL | null } {
    const terms = parseOrder(order || this.model.order, this.model);
    const joins: SQL[] = [];
    const parts: SQL[] = [];
    for (const t of terms) {
      const field = this.model.fields.get(t.field)!;
      const dir = raw(t.direction);
      const nulls = t.nulls ? raw(` ${t.nulls}`) : raw('');
      if (!field.store && field.isRelated && depth < 2) {
        // A non-stored related field through stored many2one fields: join along the path and
        // order by its target there (as fields_get says it is sortable).
        const path = field.spec.related!.split('.');
        let cur: Model = this.model;
        let curAlias = alias;
        const hops: SQL[] = [];
        let ok = true;
        for (const name of path.slice(0, -1)) {
          const pf = cur.fields.get(name);
          if (!pf || pf.type !== 'many2one' || !pf.store) {
            ok = false;
            break;
          }
          const next = this.env.registry.get(pf.comodel!);
          const a = compiler.newAlias(next.table);
          hops.push(sql` LEFT JOIN ${ident(next.table)} ${ident(a)} ON ${ident(a, 'id')} = ${ident(curAlias, pf.name)}`);
          cur = next;
          curAlias = a;
        }
        if (!ok || !cur.fields.has(path[path.length - 1])) continue;
        const term = `${path[path.length - 1]} ${t.direction}${t.nulls ? ` ${t.nulls}` : ''}`;
        const inner = new RecordSet(this.env, cur, []).orderToSql(term, curAlias, compiler, depth + 1, false);
        if (!inner.orderBy) continue;
        joins.push(...hops);
        if (!inner.joins.isEmpty) joins.push(inner.joins);
        parts.push(inner.orderBy);
        continue;
      }
      if (field.type === 'many2one' && field.store && depth < 2) {
        const comodel = this.env.registry.get(field.comodel!);
        const sub = compiler.newAlias(comodel.table);
        joins.push(sql` LEFT JOIN ${ident(comodel.table)} ${ident(sub)} ON ${ident(sub, 'id')} = ${ident(alias, field.name)}`);
        const co = new RecordSet(this.env, comodel, []);
        const inner = co.orderToSql(comodel.order, sub, compiler, depth + 1);
        if (!inner.joins.isEmpty) joins.push(inner.joins);
        if (inner.orderBy) {
          // Flip every direction of the comodel order when sorting desc.
          const flipped = t.direction === 'DESC' ? flipOrder(inner.orderBy) : inner.orderBy;
          parts.push(flipped);
        }
        continue;
      }
      if (!field.sortable && field.name !== 'id') continue;
      const col = field.type === 'char' || field.type === 'text' ? sql`${ident(alias, field.name)}` : sql`${ident(alias, field.name)}`;
      parts.push(sql`${col} ${dir}${nulls}`);
    }
    if (tieBreak && !terms.some((t) => t.field === 'id')) parts.push(sql`${ident(alias, 'id')} ${raw(terms.length && terms[terms.length - 1].direction === 'DESC' && false ? 'DESC' : 'ASC')}`);
    return { joins: join(joins, ''), orderBy: parts.length ? join(parts, ', ') : null };
  }

  // ---------------------------------------------------------------- read

  /** read(): the wire shape (see spec §7.1). */
  async _read(fields: string[] | null | undefined, load: Load = '_classic_read'): Promise<Vals[]> {
    await this.checkAccess('read');
    await this.checkRecordAccess('read');
    const names = await this.accessibleNames(fields, this.readNames(fields));
    // Only `id` asked: nothing is fetched, missing ids come back too (as Odoo 19 does).
    if (names === null) return this.ids.map((id) => ({ id }));
    return this.formatRead(names, await this.fetchValues(names), load);
  }

  /** Field names to read (validated), in the requested order; null when only `id` is asked. */
  private readNames(fields: unknown): string[] | null {
    const model = this.model;
    if (!fields || (Array.isArray(fields) && fields.length === 0)) return [...model.fields.keys()].filter((n) => n !== 'id');
    const names: string[] = [];
    for (const item of pyIter(fields)) {
      const n = pyHashable(item);
      if (typeof n !== 'string' || !model.fields.has(n)) throw new PyValueError(`Invalid field ${pyRepr(n)} on ${pyRepr(model.name)}`);
      if (n !== 'id' && !names.includes(n)) names.push(n);
    }
    return names.length ? names : null;
  }

  private async formatRead(names: string[], values: Map<number, Vals>, load: Load, known?: Map<string, Map<number, string>>): Promise<Vals[]> {
    const model = this.model;
    const out: Vals[] = [];
    const m2oNames = load === '_classic_read' ? await this.m2oDisplayNames(names, values, known) : null;
    const fields = names.map((n) => model.fields.get(n)!);
    for (const id of this.ids) {
      const row = values.get(id);
      if (!row) continue;
      const rec: Vals = { id };
      for (const f of fields) rec[f.name] = formatValue(f, row[f.name], m2oNames);
      out.push(rec);
    }
    return out;
  }

  /**
   * search_read in one query for the columns (Odoo's search_fetch): the search selects the
   * stored columns directly; other fields are then fetched in batch for the page.
   */
  async _searchRead(domain: unknown, fields: unknown, offset: unknown, limit: unknown, order: unknown, load: Load): Promise<Vals[]> {
    await this.checkAccess('read');
    const names = await this.accessibleNames(fields, this.readNames(fields));
    const lim = toLimit(limit);
    const off = toOffset(offset);
    const ord = order === '' || order === false || order === null || order === undefined ? this.model.order : pyRequireStr(order);
    const plan = this.readPlan(names ?? [], load);
    const extraWhere = await this.accessCondition('read');
    const q = this.searchQuery(domain, { order: ord, limit: lim, offset: off, columns: plan.columns, displayNames: plan.joined, extraWhere });
    // The selected row is the whole answer: rows as arrays, one object per record (the answer's).
    if (names !== null && plan.direct && !this.env.cache.has(`pending:${this.model.name}`)) return formatRows(await this.env.cr.queryArrays(q), plan);
    const rows = await this.env.cr.query(q);
    if (names === null) return rows.map((r) => ({ id: r.id }));
    if (!rows.length) return [];
    const recs = this.browse(rows.map((r) => r.id as number));
    const prefetched = new Map<number, Vals>(rows.map((r) => [r.id as number, r]));
    const known = new Map<string, Map<number, string>>();
    for (const j of plan.joined) {
      const map = known.get(j.comodel.name) ?? new Map<number, string>();
      for (const r of rows) if (r[j.field]) map.set(r[j.field] as number, (r[`__dn__${j.field}`] as string) || '');
      known.set(j.comodel.name, map);
    }
    return recs.formatRead(names, await recs.fetchValues(names, prefetched), load, known);
  }

  /**
   * What search_read selects for `names` (built once per model, names and load): the stored
   * columns, the many2one names joined from their comodel, and whether the selected row is
   * the whole answer (every field a column, every many2one name joined).
   */
  private readPlan(names: string[], load: Load): ReadPlan {
    const key = `${load}|${names.join(',')}`;
    let byKey = READ_PLANS.get(this.model);
    const hit = byKey?.get(key);
    if (hit) return hit;
    const fields = names.map((n) => this.model.fields.get(n)!);
    const columns = fields.filter((f) => f.columnType);
    // Many2one names that are a plain column of the comodel come with the same query.
    const joined = load === '_classic_read'
      ? columns.filter((f) => f.type === 'many2one').map((f) => ({ field: f.name, comodel: this.env.registry.get(f.comodel!), column: this.displayNameColumn(this.env.registry.get(f.comodel!)) })).filter((j) => j.column !== null) as ReadPlan['joined']
      : [];
    const dnKeys = fields.map((f) => (load === '_classic_read' && f.type === 'many2one' ? `__dn__${f.name}` : null));
    const direct = columns.length === fields.length && dnKeys.every((k, i) => k === null || joined.some((j) => j.field === fields[i].name));
    // search selects id, the columns, then the joined names (see searchQuery)
    const at = fields.map((f) => 1 + columns.indexOf(f));
    const dnAt = fields.map((f, i) => (dnKeys[i] === null ? -1 : 1 + columns.length + joined.findIndex((j) => j.field === f.name)));
    const plan: ReadPlan = { fields, columns: columns.map((f) => f.name), joined, at, dnAt, direct };
    if (!byKey) READ_PLANS.set(this.model, (byKey = new Map()));
    if (byKey.size >= 1000) byKey.clear();
    byKey.set(key, plan);
    return plan;
  }

  /** Raw values (m2o as id|null, x2many as id lists) of existing records, keyed by id. */
  async fetchValues(names: string[], prefetched?: Map<number, Vals>): Promise<Map<number, Vals>> {
    const model = this.model;
    const ids = [...new Set(this.ids.filter((id) => Number.isInteger(id)))];
    const values = new Map<number, Vals>();
    if (ids.length === 0) return values;
    const columns = names.map((n) => model.fields.get(n)!).filter((f) => f.columnType);
    const alias = model.table;
    // Records being created with precomputed fields are served from their pending values.
    const overlay = this.env.cache.get(`pending:${model.name}`) as Map<number, Vals> | undefined;
    let dbIds = ids;
    if (overlay) {
      dbIds = [];
      for (const id of ids) {
        const p = overlay.get(id);
        if (!p) {
          dbIds.push(id);
          continue;
        }
        const row: Vals = { id };
        for (const f of columns) row[f.name] = p[f.name] ?? null;
        values.set(id, row);
      }
    }
    if (prefetched) {
      // Rows already selected with every column (search_fetch): no query.
      for (const id of dbIds) {
        const r = prefetched.get(id);
        if (r) values.set(id, r);
      }
      dbIds = [];
    }
    if (dbIds.length) {
      const cols = [sql`${ident(alias, 'id')}`, ...columns.map((f) => sql`${ident(alias, f.name)}`)];
      const rows = await this.env.cr.query(sql`SELECT ${join(cols)} FROM ${ident(model.table)} ${ident(alias)} WHERE ${ident(alias, 'id')} = ANY(${dbIds}::int4[])`);
      for (const r of rows) values.set(r.id, r);
    }
    const existing = [...values.keys()];
    if (existing.length === 0) return values;
    const existingSet = this.browse(existing);
    for (const n of names) {
      const f = model.fields.get(n)!;
      if (f.columnType) continue;
      if (f.type === 'many2many' && f.store && !f.isComputed) {
        const byId = await existingSet.fetchMany2many(f);
        for (const [id, row] of values) row[n] = byId.get(id) ?? [];
      } else if (f.type === 'one2many' && !f.isComputed && !f.isRelated) {
        const byId = await existingSet.fetchOne2many(f);
        for (const [id, row] of values) row[n] = byId.get(id) ?? [];
      }
    }
    // Non-stored computed and related fields, one batch per compute method.
    const pending = names.map((n) => model.fields.get(n)!).filter((f) => !f.columnType && (f.isComputed || f.isRelated) && !(f.store && f.isX2many && !f.isComputed));
    const done = new Set<string>();
    for (const f of pending) {
      if (done.has(f.name)) continue;
      if (f.isRelated && !f.isComputed) {
        const byId = await existingSet.fetchRelated(f);
        for (const [id, row] of values) row[f.name] = byId.get(id) ?? null;
        done.add(f.name);
        continue;
      }
      const group = pending.filter((g) => g.spec.compute === f.spec.compute);
      const computed = await existingSet.runCompute(f, group.map((g) => g.name));
      for (const [id, row] of values) {
        const v = computed.get(id);
        for (const g of group) row[g.name] = v ? v[g.name] ?? null : null;
      }
      for (const g of group) done.add(g.name);
    }
    return values;
  }

  async runCompute(field: Field, names: string[]): Promise<Map<number, Vals>> {
    const compute = field.spec.compute!;
    if (typeof compute === 'function') return compute(this, names);
    const m = this.model.methods.get(compute);
    if (!m) throw new Error(`Compute method ${compute} missing on ${this.model.name}`);
    return (await m.fn.call({ super: async () => undefined }, this, names)) as Map<number, Vals>;
  }

  private async fetchMany2many(f: Field): Promise<Map<number, number[]>> {
    const comodel = this.env.registry.get(f.comodel!);
    const { table, col1, col2 } = f.m2mRelation;
    const compiler = new DomainCompiler(this.env);
    const alias = comodel.table;
    const where = compiler.where(comodel, fieldDomain(f), alias);
    const co = new RecordSet(this.env, comodel, []);
    const { joins, orderBy } = co.orderToSql(comodel.order, alias, compiler);
    const rows = await this.env.cr.query<{ src: number; dst: number }>(
      sql`SELECT r.${ident(col1)} AS src, r.${ident(col2)} AS dst FROM ${ident(table)} r JOIN ${ident(comodel.table)} ${ident(alias)} ON ${ident(alias, 'id')} = r.${ident(col2)}${joins} WHERE r.${ident(col1)} = ANY(${this.ids}::int4[]) AND ${where} ORDER BY ${orderBy ?? raw('1')}`,
    );
    return groupPairs(rows);
  }

  async fetchOne2many(f: Field): Promise<Map<number, number[]>> {
    const comodel = this.env.registry.get(f.comodel!);
    const inv = f.inverseField!;
    const co = new RecordSet(this.env, comodel, []);
    const q = co.searchQuery(andDomains([[inv.name, 'in', this.ids]], fieldDomain(f)), { order: comodel.order, extraWhere: await co.accessCondition('read') });
    // Re-select with the inverse column so we can group by parent.
    const rows = await this.env.cr.query<{ src: number; dst: number }>(
      sql`SELECT c.${ident(inv.name)} AS src, c.id AS dst FROM (${q}) q JOIN ${ident(comodel.table)} c ON c.id = q.id`,
    );
    return groupPairs(rows);
  }

  async fetchRelated(f: Field): Promise<Map<number, unknown>> {
    const path = f.spec.related!.split('.');
    const out = new Map<number, unknown>();
    const first = this.model.fields.get(path[0]);
    if (!first) throw new Error(`Related field ${this.model.name}.${f.name}: unknown ${path[0]}`);
    const vals = await this.fetchValues([path[0]]);
    if (path.length === 1) {
      for (const [id, v] of vals) out.set(id, v[path[0]]);
      return out;
    }
    const comodel = this.env.registry.get(first.comodel!);
    const targets = new Set<number>();
    for (const v of vals.values()) {
      const x = v[path[0]];
      if (Array.isArray(x)) x.forEach((i) => targets.add(i));
      else if (x) targets.add(x as number);
    }
    const co = new RecordSet(this.env.sudo(), comodel, [...targets]);
    const restField = new (f.constructor as typeof Field)(comodel.name, `__rel_${f.name}`, { ...f.spec, related: path.slice(1).join('.') });
    const sub = path.length === 2 ? await co.fetchValues([path[1]]).then((m) => new Map([...m].map(([k, v]) => [k, v[path[1]]]))) : await co.fetchRelated(restField);
    for (const [id, v] of vals) {
      const x = v[path[0]];
      if (Array.isArray(x)) out.set(id, x.length ? sub.get(x[0]) ?? null : null);
      else out.set(id, x ? sub.get(x as number) ?? null : null);
    }
    return out;
  }

  /** display names of many2one targets, one query per comodel (as superuser). */
  private async m2oDisplayNames(names: string[], values: Map<number, Vals>, known?: Map<string, Map<number, string>>): Promise<Map<string, Map<number, string>>> {
    const result = new Map<string, Map<number, string>>();
    const byModel = new Map<string, Set<number>>();
    for (const n of names) {
      const f = this.model.fields.get(n)!;
      if (f.type !== 'many2one') continue;
      const set = byModel.get(f.comodel!) ?? new Set<number>();
      const have = known?.get(f.comodel!);
      for (const row of values.values()) if (row[n] && !have?.has(row[n] as number)) set.add(row[n] as number);
      byModel.set(f.comodel!, set);
    }
    for (const [comodel, ids] of byModel) {
      const map = new Map(known?.get(comodel) ?? []);
      if (ids.size) {
        const co = new RecordSet(this.env.sudo(), this.env.registry.get(comodel), [...ids]);
        for (const [id, name] of await co.displayNames()) map.set(id, name);
      }
      result.set(comodel, map);
    }
    return result;
  }

  /**
   * The stored column that is the display name of `comodel`'s records, when display_name is
   * Odoo's default (the rec_name field as is): such names can be joined in a query.
   */
  private displayNameColumn(comodel: Model): string | null {
    const dn = comodel.fields.get('display_name');
    if (!dn || dn.spec.compute !== '_compute_display_name' || dn.store) return null;
    if (!this.env.registry.isBaseMethod(comodel, '_compute_display_name')) return null;
    const rn = comodel.recNameField;
    const f = rn ? comodel.fields.get(rn) : undefined;
    return f && f.columnType && (f.type === 'char' || f.type === 'text') && !comodel.abstract ? f.name : null;
  }

  async displayNames(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const ids = [...new Set(this.ids)];
    if (!ids.length) return out;
    const f = this.model.fields.get('display_name')!;
    // The compute reads what it needs (and only existing records): no separate existence query.
    const vals = f.isComputed && !f.store ? await this.browse(ids).runCompute(f, ['display_name']) : await this.browse(ids).fetchValues(['display_name']);
    for (const [id, v] of vals) out.set(id, (v.display_name as string) || '');
    return out;
  }

  // ---------------------------------------------------------------- create

  async _create(valsList: unknown): Promise<RecordSet> {
    if (!Array.isArray(valsList)) valsList = [valsList];
    const list = valsList as unknown[];
    if (list.length === 0) return this.browse([]);
    await this.checkAccess('create');
    const model = this.model;
    if (model.abstract) throw new UserError(`Model ${model.name} is abstract and cannot be created`);
    for (const vals of list) {
      if (!vals || typeof vals !== 'object' || Array.isArray(vals)) throw new PyTypeError(`create() values must be a dict, got ${pyRepr(vals)}`);
    }
    const givenNames = new Set<string>();
    for (const vals of list) for (const k in vals as Vals) givenNames.add(k);
    await this.checkFieldAccess(givenNames, 'write');
    const prepared = await this.prepareCreate(list as Vals[]);
    const n = prepared.length;
    const seq = `${model.table}_id_seq`;
    const idRows = await this.env.cr.query<{ id: number }>(sql`SELECT nextval(${seq}) AS id FROM generate_series(1, ${n})`);
    const ids = idRows.map((r) => Number(r.id));
    // Per record: a stored computed field given a value keeps it (unless readonly); the records
    // that did not give one are computed. `given` maps a field to the indexes that gave it.
    const stored = [...model.fields.values()].filter((f) => f.store && f.columnType && (f.isComputed || f.isRelated));
    const given = new Map<string, Set<number>>();
    for (const f of stored) {
      if (f.readonly) continue;
      const idx = new Set<number>();
      prepared.forEach((p, i) => {
        if (f.name in p.columns) idx.add(i);
      });
      if (idx.size) given.set(f.name, idx);
    }
    const toCompute = stored.filter((f) => (given.get(f.name)?.size ?? 0) < n);
    let precomputed = toCompute.filter((f) => f.isComputed && f.spec.precompute);
    if (precomputed.length) await this.precompute(precomputed, ids, prepared, given);
    // Big flat creates: compute the other stored fields before the INSERT too (staged rows), so
    // each row is written once instead of INSERT + UPDATE. Not when relational commands or
    // inverses could still change what the computes read.
    const rest = toCompute.filter((f) => !precomputed.includes(f));
    if (rest.length && n >= BULK_PRECOMPUTE_MIN && prepared.every((p) => !p.x2many.length && !p.inverse.length)) {
      if (await this.stagedPrecompute(rest, ids, prepared, given)) precomputed = [...precomputed, ...rest];
    }
    await this.insertRows(ident(model.table), ids, prepared);
    const records = this.browse(ids);
    // Relational commands, batched per field over all records; then inverses, grouped by value.
    const x2manyFields = new Map<Field, { id: number; value: unknown }[]>();
    const inverseFields = new Map<Field, { id: number; value: unknown }[]>();
    const collect = (into: Map<Field, { id: number; value: unknown }[]>, f: Field, id: number, value: unknown) => {
      const list = into.get(f);
      if (list) list.push({ id, value });
      else into.set(f, [{ id, value }]);
    };
    prepared.forEach((p, i) => {
      for (const [f, cmds] of p.x2many) collect(x2manyFields, f, ids[i], cmds);
      for (const [f, v] of p.inverse) collect(inverseFields, f, ids[i], v);
    });
    // New records have no relation rows yet, unless another field of this call fills the same table.
    const relationTable = (g: Field) => (g.type === 'many2many' ? g.m2mRelation.table : this.env.registry.get(g.comodel!).table);
    for (const [f, items] of x2manyFields) {
      const fresh = f.type === 'many2many' && ![...x2manyFields.keys()].some((g) => g !== f && relationTable(g) === f.m2mRelation.table);
      await createX2many(this, f, items, { fresh });
    }
    for (const [f, items] of inverseFields) {
      for (const group of groupByValue(items)) await this.browse(group.ids).applyInverse(f, group.value);
    }
    const after = toCompute.filter((f) => !precomputed.includes(f));
    if (after.length) {
      // Fields needed by the same records together (one compute call per method and record set).
      const byIds = new Map<string, { ids: number[]; fields: Field[] }>();
      for (const f of after) {
        const gave = given.get(f.name);
        const need = gave ? ids.filter((_, i) => !gave.has(i)) : ids;
        const key = gave ? need.join(',') : '*';
        const g = byIds.get(key) ?? { ids: need, fields: [] };
        g.fields.push(f);
        byIds.set(key, g);
      }
      for (const g of byIds.values()) await (g.ids === ids ? records : this.browse(g.ids)).recompute(g.fields, { triggers: false });
    }
    const written = new Set<string>([...model.fields.keys()]);
    // Without relational commands in this call, nothing can reference the new records yet:
    // dependents reached through a many2one/many2many pointing to them are skipped.
    const flat = x2manyFields.size === 0 && inverseFields.size === 0;
    await records.triggerDependents(written, { skipSelf: true, newRecords: flat });
    await records.checkConstraints(written);
    await records.checkRecordAccess('create');
    return records;
  }

  /** INSERT the prepared rows into `target` (the model's table or a staging table), 5000 per statement. */
  private async insertRows(target: SQL, ids: number[], prepared: { columns: Vals }[]): Promise<void> {
    const model = this.model;
    const n = ids.length;
    // Every record gets the union of columns; a missing value is NULL (defaults were applied).
    const colNames = new Set<string>();
    for (const p of prepared) for (const k in p.columns) colNames.add(k);
    const fieldsOrdered = model.columns.filter((f) => colNames.has(f.name));
    const logVals = model.logAccess ? sql`, ${this.env.uid}::int4, ${this.env.uid}::int4, (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')` : raw('');
    const colIdents: SQL[] = [ident('id'), ...fieldsOrdered.map((f) => ident(f.name))];
    if (model.logAccess) colIdents.push(ident('create_uid'), ident('write_uid'), ident('create_date'), ident('write_date'));
    for (let start = 0; start < n; start += INSERT_BATCH) {
      const end = Math.min(n, start + INSERT_BATCH);
      const arrays: SQL[] = [sql`unnest(${ids.slice(start, end)}::int4[])`];
      for (const f of fieldsOrdered) {
        const arr: unknown[] = new Array(end - start);
        for (let i = start; i < end; i++) {
          const v = prepared[i].columns[f.name];
          arr[i - start] = v === undefined ? null : v;
        }
        arrays.push(sql`unnest(${arr}${raw(`::${f.columnType}[]`)})`);
      }
      await this.env.cr.execute(sql`INSERT INTO ${target} (${join(colIdents)}) SELECT *${logVals} FROM (SELECT ${join(arrays)}) AS v`);
    }
  }

  /**
   * Compute stored fields of many new records before their INSERT, whatever the compute methods
   * read (ORM or raw SQL): the rows go to a temporary staging table first, and a temporary view
   * named like the model's table (temporary objects come first in PostgreSQL's name lookup)
   * shows the real rows plus the staged ones while the methods run. Their results are then
   * inserted with the rows: one write per row instead of INSERT + UPDATE of every new row.
   * Everything temporary is dropped before returning (and with the transaction on error).
   */
  private async stagedPrecompute(fields: Field[], ids: number[], prepared: { columns: Vals }[], given: Map<string, Set<number>>): Promise<boolean> {
    const model = this.model;
    const cr = this.env.cr;
    const stage = `${model.table.slice(0, 40)}__staged`;
    const [{ schema }] = await cr.query<{ schema: string }>(sql`SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ${model.table}::regclass`);
    // Already inside such a create of this model (a compute creating records): the usual way.
    if (schema.startsWith('pg_temp')) return false;
    await cr.execute(sql`CREATE TEMP TABLE ${ident(stage)} ON COMMIT DROP AS SELECT * FROM ${ident(schema, model.table)} WITH NO DATA`);
    let viewCreated = false;
    try {
      await this.insertRows(ident(stage), ids, prepared);
      await cr.execute(sql`CREATE INDEX ON ${ident(stage)} (id)`);
      await cr.execute(sql`CREATE TEMP VIEW ${ident(model.table)} AS SELECT * FROM ${ident(schema, model.table)} UNION ALL SELECT * FROM ${ident(stage)}`);
      viewCreated = true;
      const groups: Field[][] = [];
      for (const f of fields) {
        const g = groups.find((x) => (f.isComputed ? x[0].isComputed && x[0].spec.compute === f.spec.compute : x[0] === f));
        if (g) g.push(f);
        else groups.push([f]);
      }
      for (let start = 0; start < ids.length; start += INSERT_BATCH) {
        const chunkIds = ids.slice(start, start + INSERT_BATCH);
        const chunk = this.browse(chunkIds);
        for (let k = 0; k < groups.length; k++) {
          const group = groups[k];
          const need = chunkIds.filter((_, j) => group.some((g) => !given.get(g.name)?.has(start + j)));
          if (!need.length) continue;
          const values = await computeStored(need.length === chunkIds.length ? chunk : this.browse(need), group);
          chunkIds.forEach((id, j) => {
            const v = values.get(id);
            for (const g of group) if (!given.get(g.name)?.has(start + j)) prepared[start + j].columns[g.name] = toColumn(g, v ? v[g.name] ?? false : false);
          });
          // A later method reading what this one computed must find it in the staged rows.
          const later = groups.slice(k + 1).flat();
          const needed = group.some((e) => (this.env.registry.triggers.get(`${model.name}.${e.name}`) ?? []).some((t) => t.path.length === 0 && later.includes(t.target)));
          if (needed) {
            const cols = group.map((g) => chunkIds.map((_, j) => prepared[start + j].columns[g.name] ?? null));
            const sets = group.map((g) => sql`${ident(g.name)} = v.${ident(g.name)}`);
            const arrays = [sql`unnest(${chunkIds}::int4[]) AS id`, ...group.map((g, i) => sql`unnest(${cols[i]}${raw(`::${g.columnType}[]`)}) AS ${ident(g.name)}`)];
            await cr.execute(sql`UPDATE ${ident(stage)} t SET ${join(sets)} FROM (SELECT ${join(arrays)}) v WHERE t.id = v.id`);
          }
        }
      }
    } finally {
      if (viewCreated) await cr.execute(sql`DROP VIEW IF EXISTS pg_temp.${ident(model.table)}`).catch(() => undefined);
      await cr.execute(sql`DROP TABLE IF EXISTS pg_temp.${ident(stage)}`).catch(() => undefined);
    }
    return true;
  }

  /**
   * Compute `fields` (precompute) of records about to be inserted: their values are served to the
   * compute methods from memory (fetch / fetchValues), then added to the INSERT.
   */
  private async precompute(fields: Field[], ids: number[], prepared: { columns: Vals }[], given: Map<string, Set<number>>): Promise<void> {
    const model = this.model;
    const key = `pending:${model.name}`;
    const overlay = new Map<number, Vals>();
    const now = formatDatetime(new Date());
    const uid = this.env.uid;
    const byName = model.fields;
    prepared.forEach((p, i) => {
      // only the given columns: fetchValues reads a missing one as NULL
      const row: Vals = {};
      for (const k in p.columns) {
        const v = p.columns[k];
        row[k] = v === undefined ? null : typeof v === 'string' && byName.get(k)!.type === 'json' ? JSON.parse(v) : v;
      }
      if (model.logAccess) {
        row.create_uid = uid;
        row.write_uid = uid;
        row.create_date = now;
        row.write_date = now;
      }
      overlay.set(ids[i], row);
    });
    const previous = this.env.cache.get(key);
    this.env.cache.set(key, overlay);
    try {
      const groups: Field[][] = [];
      for (const f of fields) {
        const g = groups.find((x) => x[0].spec.compute === f.spec.compute);
        if (g) g.push(f);
        else groups.push([f]);
      }
      for (let start = 0; start < ids.length; start += INSERT_BATCH) {
        const chunkIds = ids.slice(start, start + INSERT_BATCH);
        const chunk = this.browse(chunkIds);
        for (const group of groups) {
          const need = chunkIds.filter((_, j) => group.some((g) => !given.get(g.name)?.has(start + j)));
          if (!need.length) continue;
          const values = await computeStored(need.length === chunkIds.length ? chunk : this.browse(need), group);
          chunkIds.forEach((id, j) => {
            const v = values.get(id);
            for (const g of group) {
              if (given.get(g.name)?.has(start + j)) continue;
              const col = toColumn(g, v ? v[g.name] ?? false : false);
              prepared[start + j].columns[g.name] = col;
              overlay.get(id)![g.name] = col;
            }
          });
        }
      }
    } finally {
      if (previous === undefined) this.env.cache.delete(key);
      else this.env.cache.set(key, previous);
    }
  }

  /**
   * Each record's values, its defaults first (context `default_<f>`, then field defaults), split
   * into columns, x2many commands and inverse writes. A constant default is converted once for
   * the whole call; default functions are called once per record, as in Odoo.
   */
  private async prepareCreate(list: Vals[]): Promise<Prepared[]> {
    const model = this.model;
    const ctx = this.env.context;
    const candidates: { f: Field; value: unknown; fn?: (env: Env) => unknown; split?: Prepared }[] = [];
    for (const f of model.fields.values()) {
      if (MAGIC.has(f.name)) continue;
      const key = `default_${f.name}`;
      if (key in ctx) candidates.push({ f, value: ctx[key] });
      else if (f.spec.default !== undefined) {
        const def = f.spec.default;
        if (typeof def === 'function') candidates.push({ f, value: undefined, fn: def as (env: Env) => unknown });
        else candidates.push({ f, value: def });
      }
    }
    const out: Prepared[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const vals = list[i];
      const p: Prepared = { columns: {}, x2many: [], inverse: [] };
      for (const c of candidates) {
        if (c.f.name in vals) continue;
        if (c.fn) {
          const v = c.fn(this.env);
          this.splitInto(p, c.f.name, v instanceof Promise ? await v : v);
        } else {
          if (!c.split) {
            c.split = { columns: {}, x2many: [], inverse: [] };
            this.splitInto(c.split, c.f.name, c.value);
          }
          // the converted constant is shared: columns are never mutated after conversion
          for (const k in c.split.columns) p.columns[k] = c.split.columns[k];
          for (const x of c.split.x2many) p.x2many.push(x);
          for (const x of c.split.inverse) p.inverse.push(x);
        }
      }
      for (const name in vals) this.splitInto(p, name, vals[name]);
      out[i] = p;
    }
    return out;
  }

  /** Split vals into column values, x2many commands and inverse writes; validate names. */
  private splitVals(vals: Vals): Prepared {
    const p: Prepared = { columns: {}, x2many: [], inverse: [] };
    for (const name in vals) this.splitInto(p, name, vals[name]);
    return p;
  }

  /** One field's value into `p`: a column value, x2many commands or an inverse write (or nothing). */
  private splitInto(p: Prepared, name: string, value: unknown): void {
    const f = this.model.fields.get(name);
    if (!f) throw new PyValueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(this.model.name)}`);
    if (MAGIC.has(name) || name === 'display_name') return;
    if (f.isX2many && !(f.isComputed && !f.spec.inverse) && !f.isRelated) {
      p.x2many.push([f, value]);
    } else if (f.columnType) {
      p.columns[name] = toColumn(f, value);
      // A stored related field writes through; a stored computed one calls its inverse.
      if ((f.isComputed && f.spec.inverse) || (f.isRelated && !f.readonly)) p.inverse.push([f, value]);
    } else if (f.spec.inverse || (f.isRelated && !f.readonly)) {
      p.inverse.push([f, value]);
    }
    // Writing a non-stored computed field without inverse is ignored, like Odoo.
  }

  // ---------------------------------------------------------------- write

  async _write(vals: unknown): Promise<boolean> {
    if (!vals || typeof vals !== 'object' || Array.isArray(vals)) throw new PyTypeError(`write() values must be a dict, got ${pyRepr(vals)}`);
    if (this.ids.length === 0) return true;
    await this.checkAccess('write');
    await this.checkRecordAccess('write');
    await this.checkFieldAccess(Object.keys(vals as Vals), 'write');
    const model = this.model;
    const { columns, x2many, inverse } = this.splitVals(vals as Vals);
    const written = new Set(Object.keys(vals as Vals));
    const ids = [...new Set(this.ids)];
    const records = ids.length === this.ids.length ? this : this.browse(ids);
    // Records depending on us through a relation we are about to change (a line moving from an
    // item to another): recompute them too, besides those depending on the new values.
    const relational = [...written].filter((n) => model.fields.get(n)?.isRelational);
    const before = relational.length ? await records.collectDependents(new Set(relational), { skipSelf: true }) : new Map<Field, Set<number>>();
    const sets: SQL[] = [];
    for (const [name, v] of Object.entries(columns)) sets.push(sql`${ident(name)} = ${v}${raw(`::${model.fields.get(name)!.columnType}`)}`);
    if (model.logAccess) sets.push(sql`write_uid = ${this.env.uid}, write_date = (now() AT TIME ZONE 'UTC')`);
    if (sets.length) {
      const rows = await this.env.cr.query<{ id: number }>(sql`UPDATE ${ident(model.table)} SET ${join(sets)} WHERE id = ANY(${ids}::int4[]) RETURNING id`);
      if (rows.length !== ids.length) throw this.missingError(ids, rows.map((r) => r.id));
    } else {
      const rows = await this.env.cr.query<{ id: number }>(sql`SELECT id FROM ${ident(model.table)} WHERE id = ANY(${ids}::int4[])`);
      if (rows.length !== ids.length) throw this.missingError(ids, rows.map((r) => r.id));
    }
    // Fields being written are protected from recomputation on these records (Odoo's
    // env.protecting): with the fields computed by the same method, the written value wins.
    const protect: Field[] = [];
    for (const name of Object.keys(columns)) {
      const f = model.fields.get(name)!;
      if (!f.store || !(f.isComputed || f.isRelated)) continue;
      const siblings = f.isComputed ? [...model.fields.values()].filter((g) => g.store && g.isComputed && g.spec.compute === f.spec.compute) : [f];
      for (const g of siblings) if (!protect.includes(g)) protect.push(g);
    }
    await records.protecting(protect, async () => {
      for (const [f, cmds] of x2many) await records.applyX2many(f, cmds, false, { triggers: false });
      for (const [f, v] of inverse) await records.applyInverse(f, v);
      // Stored computed fields depending on what changed (these records and related ones).
      const after = await records.collectDependents(written, { skipSelf: false });
      for (const [f, set] of before) {
        const into = after.get(f) ?? new Set<number>();
        for (const id of set) into.add(id);
        after.set(f, into);
      }
      await recomputeDependents(this, after, 0);
    });
    await records.checkConstraints(written);
    return true;
  }

  /** Run `fn` with `fields` of these records protected from recomputation (nests). */
  protecting<T>(fields: Field[], fn: () => Promise<T>): Promise<T> {
    return protecting(this, fields, fn);
  }

  missingError(ids: number[], found: number[]): MissingError {
    const missing = ids.filter((id) => !found.includes(id));
    return new MissingError(`Record does not exist or has been deleted.\n(Record: ${this.model.name}(${missing.join(', ')}${missing.length === 1 ? ',' : ''}), User: ${this.env.uid})`);
  }

  /**
   * Apply x2many commands (0–6, short forms such as [5] and [4, id] accepted, or a plain id list)
   * to every record of the set, set-based (see x2many.ts).
   */
  applyX2many(f: Field, value: unknown, creating: boolean, opts: { triggers?: boolean } = {}): Promise<void> {
    return applyX2many(this, f, value, creating, opts);
  }
  /** Link one record to `targets` (kept for callers; see applyX2many for set-based use). */
  async m2mLink(f: Field, id: number, targets: number[]): Promise<void> {
    await m2mInsert(this, f, targets.map(() => id), targets);
  }
  async m2mUnlink(f: Field, id: number, targets: number[] | null): Promise<void> {
    await m2mDelete(this, f, [id], targets);
  }

  async applyInverse(f: Field, value: unknown): Promise<void> {
    if (f.spec.inverse) {
      const inv = f.spec.inverse;
      if (typeof inv === 'function') return inv(this, value);
      const m = this.model.methods.get(inv);
      if (!m) throw new Error(`Inverse method ${inv} missing on ${this.model.name}`);
      await m.fn.call({ super: async () => undefined }, this, value);
      return;
    }
    if (f.isRelated) {
      // Write through the relation path (`source_id.name`), on the records at the end of it.
      const path = f.spec.related!.split('.');
      let recs: RecordSet = this;
      for (let i = 0; i < path.length - 1; i++) {
        const vals = await recs.fetchValues([path[i]]);
        const next = new Set<number>();
        for (const v of vals.values()) {
          const x = v[path[i]];
          if (Array.isArray(x)) x.forEach((j) => next.add(j));
          else if (x) next.add(x as number);
        }
        recs = this.env.model(recs.model.fields.get(path[i])!.comodel!).browse([...next]);
      }
      if (recs.length) await recs.write({ [path[path.length - 1]]: value });
    }
  }

  /** Recompute stored computed (and stored related) fields on these records and store them. */
  recompute(fields: Field[], opts: { triggers?: boolean; depth?: number } = {}): Promise<void> {
    return recompute(this, fields, opts);
  }
  /** Records of stored computed fields that depend on `changed` fields of these records, per field. */
  collectDependents(changed: Set<string>, opts: { skipSelf: boolean; newRecords?: boolean }): Promise<Map<Field, Set<number>>> {
    return collectDependents(this, changed, opts);
  }
  /** Find stored computed fields depending on `changed` fields of these records; recompute. */
  triggerDependents(changed: Set<string>, opts: { skipSelf: boolean; depth?: number; newRecords?: boolean }): Promise<void> {
    return triggerDependents(this, changed, opts);
  }

  async checkConstraints(written: Set<string>): Promise<void> {
    for (const c of this.model.constraints) {
      if (c.fields.some((f) => written.has(f))) await c.check(this);
    }
  }

  // ---------------------------------------------------------------- unlink

  async _unlink(): Promise<boolean> {
    if (!this.ids.length) return true;
    await this.checkAccess('unlink');
    await this.checkRecordAccess('unlink');
    const model = this.model;
    // Records of other models whose stored computes depend on these: found before the rows go.
    const pending = await this.collectDependents(new Set(model.fields.keys()), { skipSelf: true });
    for (const [f, ids] of pending) if (f.modelName === model.name) for (const id of this.ids) ids.delete(id);
    await this.env.cr.execute(sql`DELETE FROM ${ident(model.table)} WHERE id = ANY(${this.ids}::int4[])`);
    await recomputeDependents(this, pending, 0);
    return true;
  }

  // ---------------------------------------------------------------- copy

  async copyData(defaults: Vals = {}): Promise<Vals[]> {
    const model = this.model;
    const names = [...model.fields.values()].filter((f) => f.copy && !MAGIC.has(f.name) && f.name !== 'display_name' && (f.store || f.spec.inverse)).map((f) => f.name);
    const rows = await this._read(names, null);
    // Odoo's copy_data reads the records: missing ones are its MissingError
    if (rows.length < new Set(this.ids).size) throw this.missingError(this.ids, rows.map((r) => r.id as number));
    return rows.map((row) => {
      const vals: Vals = {};
      for (const n of names) {
        const f = model.fields.get(n)!;
        if (n in defaults) continue;
        const v = row[n];
        if (f.type === 'many2many') vals[n] = [[6, 0, v]];
        else if (f.type === 'one2many') continue;
        else vals[n] = v;
      }
      return { ...vals, ...defaults };
    });
  }
}

// ---------------------------------------------------------------- value conversion

/** read() values straight from selected array rows (see ReadPlan): columns as formatValue gives them, joined many2one names. */
function formatRows(rows: unknown[][], plan: ReadPlan): Vals[] {
  const { fields, at, dnAt } = plan;
  const out: Vals[] = new Array(rows.length);
  const n = fields.length;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const rec: Vals = { id: r[0] };
    for (let k = 0; k < n; k++) {
      const f = fields[k];
      const dn = dnAt[k];
      const v = r[at[k]];
      rec[f.name] = dn < 0 ? formatValue(f, v, null) : v === null || v === undefined ? false : [Number(v), (r[dn] as string) || ''];
    }
    out[i] = rec;
  }
  return out;
}

/** Records grouped by equal value (for inverse methods, which take one value). */
function groupByValue(items: { id: number; value: unknown }[]): { ids: number[]; value: unknown }[] {
  const out = new Map<string, { ids: number[]; value: unknown }>();
  for (const it of items) {
    const key = JSON.stringify(it.value) ?? 'undefined';
    const g = out.get(key) ?? { ids: [], value: it.value };
    g.ids.push(it.id);
    out.set(key, g);
  }
  return [...out.values()];
}

function groupPairs(rows: { src: number; dst: number }[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of rows) {
    const list = out.get(r.src);
    if (list) list.push(r.dst);
    else out.set(r.src, [r.dst]);
  }
  return out;
}

function flipOrder(orderBy: SQL): SQL {
  const parts = orderBy.parts.map((p) => p.replace(/\b(ASC|DESC)\b/g, (m) => (m === 'ASC' ? 'DESC' : 'ASC')));
  return new SQL(parts, orderBy.values);
}

// An int (True counts as 1, a numeric string as its value), never a list or dict coerced the
// JavaScript way; beyond 2**53 it makes no difference, so it is capped to stay an exact SQL bigint.
function toCount(v: unknown, what: string): number {
  const n = v === true ? 1 : typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new PyValueError(`Invalid ${what}: ${pyRepr(v)}`);
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}
/** A `limit` argument: null for none (None, False, 0, ''), else a non-negative int. */
export function toLimit(v: unknown): number | null {
  if (v === null || v === undefined || v === false || v === '' || v === 0) return null;
  return toCount(v, 'limit');
}
/** An `offset` argument: 0 for none, else a non-negative int. */
export function toOffset(v: unknown): number {
  if (v === null || v === undefined || v === false || v === '') return 0;
  return toCount(v, 'offset');
}

export { TRUE, AccessError };

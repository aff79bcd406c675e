// Grouping: read_group (deprecated in 19, still used) and formatted_read_group (spec §11),
// compiled to one GROUP BY query; many2one labels fetched in one batch per comodel.

import { RecordSet, type Vals } from './records.ts';
import type { Field } from './fields.ts';
import { SQL, sql, raw, ident, join } from './sql.ts';
import { DomainCompiler, andDomains, parseDomain, DATE_PART_SQL } from './domain.ts';
import { parseOrder } from './order.ts';
import { PyValueError } from './exceptions.ts';
import { pyIter, pyRequireStr } from './pyargs.ts';
import { pyRepr } from './domain.ts';
import { toLimit, toOffset } from './records.ts';

// odoo/orm/models.py regex_read_group_spec: `field[.property][:granularity or aggregate]`
const READ_GROUP_SPEC = /^([\p{L}\p{N}_]+)(\.([\p{L}\p{N}_]+))?(?::([\p{L}\p{N}_]+))?$/u;

/** Odoo's parse_read_group_spec: the spec as a string of the right form, or its ValueError/TypeError. */
function checkSpec(spec: unknown): string {
  const s = pyRequireStr(spec);
  if (!READ_GROUP_SPEC.test(s)) {
    throw new PyValueError(
      `Invalid aggregate/groupby specification ${pyRepr(s)}.\n` +
        '- Valid aggregate specification looks like "<field_name>:<agg>" example: "quantity:sum".\n' +
        '- Valid groupby specification looks like "<no_datish_field_name>" or "<datish_field_name>:<granularity>" example: "date:month" or "<properties_field_name>.<property>:<granularity>".',
    );
  }
  return s;
}

/** A groupby argument as a list of specs: one string, or any iterable of them (Python's semantics). */
function groupbyList(groupby: unknown): unknown[] {
  if (groupby === null || groupby === undefined || groupby === false) return [];
  return typeof groupby === 'string' ? [groupby] : pyIter(groupby);
}

// Odoo 19's READ_GROUP_TIME_GRANULARITY (the number granularities are DATE_PART_SQL's keys).
const GRANULARITIES = ['hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
const DATE_PARTS = DATE_PART_SQL;
const AGGREGATORS = new Set(['sum', 'avg', 'min', 'max', 'count', 'count_distinct', 'bool_and', 'bool_or', 'array_agg', 'recordset']);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

interface GroupSpec {
  spec: string;
  field: Field;
  granularity?: string;
  expr: SQL;
  /** Extra join needed (many2many, many2one ordering). */
  join?: SQL;
  /** ORDER BY terms (ascending) when not the group expression itself: a many2one follows its comodel's _order. */
  order?: SQL;
}
interface AggSpec {
  key: string;
  field?: Field;
  func: string;
  expr: SQL;
}

function parseGroupby(self: RecordSet, rawSpec: unknown, alias: string, defaultMonth: boolean, compiler: DomainCompiler): GroupSpec {
  const spec = checkSpec(rawSpec);
  const [fname, gran] = spec.split(':');
  const field = self.model.fields.get(fname);
  if (!field) throw new PyValueError(`Invalid field '${fname}' on model '${self.model.name}'`);
  if (!field.groupable && !(field.type === 'many2many' && field.store)) throw new PyValueError(`Field ${field.name} of ${self.model.name} cannot be grouped`);
  const col = sql`${ident(alias, field.name)}`;
  if (field.type === 'date' || field.type === 'datetime') {
    const g = gran ?? (defaultMonth ? 'month' : undefined);
    if (!g) throw new PyValueError(`Granularity not set on a date(time) field: '${spec}'`);
    const local = field.type === 'datetime' ? sql`timezone(${self.env.tz}, timezone('UTC', ${col}))` : col;
    if (g in DATE_PARTS) return { spec, field, granularity: g, expr: sql`EXTRACT(${raw(DATE_PARTS[g])} FROM ${local})::int` };
    if (!(GRANULARITIES as readonly string[]).includes(g)) throw new PyValueError(`Granularity specification isn't correct: '${g}'`);
    // Weeks start on the language's first day: Sunday for en_US (shift by a day around date_trunc).
    const start = g === 'week' ? sql`(date_trunc('week', ${local}::timestamp + INTERVAL '1 DAY') - INTERVAL '1 DAY')` : sql`date_trunc(${g}, ${local}::timestamp)`;
    // date_trunc of a date gives a timestamp: cast back to date.
    const trunc = field.type === 'date' ? sql`${start}::date` : start;
    return { spec, field, granularity: g, expr: trunc };
  }
  if (gran) throw new PyValueError(`Granularity set on a field that is not a date or datetime: '${spec}'`);
  if (field.type === 'many2many') {
    const { table, col1, col2 } = field.m2mRelation;
    const rel = compiler.newAlias(table);
    return { spec, field, expr: sql`${ident(rel, col2)}`, join: sql` LEFT JOIN ${ident(table)} ${ident(rel)} ON ${ident(rel, col1)} = ${ident(alias, 'id')}` };
  }
  if (field.type === 'many2one') {
    // Groups come in the comodel's order (Odoo orders a many2one by its comodel's _order). The
    // group key is the comodel's id, so its other columns may be ordered on (functional dependency).
    const comodel = self.env.registry.get(field.comodel!);
    const terms = parseOrder(comodel.order, comodel);
    const plain = terms.every((t) => comodel.fields.get(t.field)?.sortable && comodel.fields.get(t.field)!.type !== 'many2one');
    if (plain && !comodel.abstract) {
      const co = compiler.newAlias(comodel.table);
      const coRs = new RecordSet(self.env, comodel, []);
      const { orderBy } = coRs.orderToSql(comodel.order, co, compiler);
      return {
        spec, field,
        expr: sql`${ident(co, 'id')}`,
        join: sql` LEFT JOIN ${ident(comodel.table)} ${ident(co)} ON ${ident(co, 'id')} = ${col}`,
        order: orderBy ?? undefined,
      };
    }
  }
  return { spec, field, expr: col };
}

function parseAggregate(self: RecordSet, rawSpec: unknown, alias: string, legacy: boolean): AggSpec | null {
  // legacy read_group `fields` also take `name:func(field)`
  const spec = legacy ? pyRequireStr(rawSpec) : rawSpec === '__count' ? '__count' : checkSpec(rawSpec);
  if (spec === '__count') return { key: '__count', func: 'count', expr: sql`COUNT(*)` };
  let key: string;
  let fname: string;
  let func: string | undefined;
  const m = /^(\w+):(\w+)\((\w+)\)$/.exec(spec);
  if (m) [key, func, fname] = [m[1], m[2], m[3]];
  else {
    const [f, a] = spec.split(':');
    fname = f;
    func = a;
    key = legacy ? f : spec;
  }
  const field = self.model.fields.get(fname);
  if (!field) throw new PyValueError(`Invalid field '${fname}' on model '${self.model.name}'`);
  if (!func) {
    if (!legacy) throw new PyValueError(`Aggregate method is mandatory for ${fname}`);
    func = field.aggregator;
    if (!func) return null;
  }
  if (!AGGREGATORS.has(func)) throw new PyValueError(`Invalid aggregation function ${func}`);
  if (!field.store || !field.columnType) {
    if (fname === 'id' && (func === 'recordset' || func === 'array_agg' || func === 'count' || func === 'count_distinct')) {
      // ids are fine
    } else if (legacy) return null;
    else throw new PyValueError(`Cannot aggregate non-stored field ${fname}`);
  }
  const col = sql`${ident(alias, field.name)}`;
  let expr: SQL;
  switch (func) {
    case 'count': expr = sql`COUNT(${col})`; break;
    case 'count_distinct': expr = sql`COUNT(DISTINCT ${col})`; break;
    case 'recordset': case 'array_agg': expr = sql`ARRAY_AGG(${col} ORDER BY ${ident(alias, 'id')})`; break;
    default: expr = sql`${raw(func.toUpperCase())}(${col})`;
  }
  return { key, field, func, expr };
}

async function runGrouping(self: RecordSet, domain: unknown, groups: GroupSpec[], aggs: AggSpec[], alias: string, compiler: DomainCompiler, opts: { having?: SQL; order?: SQL | null; limit?: number | null; offset?: number }): Promise<Record<string, unknown>[]> {
  await self.checkAccess('read');
  const extra = await self.accessCondition('read', alias);
  const domainWhere = compiler.where(self.model, domain, alias);
  const where = extra ? sql`(${domainWhere}) AND (${extra})` : domainWhere;
  const selects: SQL[] = [];
  groups.forEach((g, i) => selects.push(sql`${g.expr} AS ${ident(`g${i}`)}`));
  aggs.forEach((a, i) => selects.push(sql`${a.expr} AS ${ident(`a${i}`)}`));
  if (!selects.length) selects.push(sql`COUNT(*) AS a_count`);
  const joins = join(groups.filter((g) => g.join).map((g) => g.join!), '');
  let q = sql`SELECT ${join(selects)} FROM ${ident(self.model.table)} ${ident(alias)}${joins} WHERE ${where}`;
  if (groups.length) q = sql`${q} GROUP BY ${join(groups.map((_, i) => raw(String(i + 1))))}`;
  if (opts.having && !opts.having.isEmpty) q = sql`${q} HAVING ${opts.having}`;
  if (groups.length) q = sql`${q} ORDER BY ${opts.order ?? join(groups.map((g, i) => groupOrder(g, i, 'ASC')))}`;
  if (opts.limit) q = sql`${q} LIMIT ${opts.limit}`;
  if (opts.offset) q = sql`${q} OFFSET ${opts.offset}`;
  return self.env.cr.query(q);
}

/** ORDER BY term of group `i` in direction `dir` (a many2one follows its comodel order). */
function groupOrder(g: GroupSpec, i: number, dir: 'ASC' | 'DESC'): SQL {
  if (g.order) {
    const flipped = dir === 'DESC' ? new SQL(g.order.parts.map((p) => p.replace(/\b(ASC|DESC)\b/g, (m) => (m === 'ASC' ? 'DESC' : 'ASC'))), g.order.values) : g.order;
    return sql`${flipped}, ${raw(String(i + 1))} ${raw(dir)}`;
  }
  return raw(`${i + 1} ${dir}${dir === 'ASC' ? ' NULLS LAST' : ' NULLS FIRST'}`);
}

/**
 * Week number as Odoo labels week groups for en_US (weeks start on Sunday; week 1 holds
 * January 1st; days of late December in that week belong to the next year).
 */
function weekNumberEnUs(t: number): [number, number] {
  const d = new Date(t);
  const sundayOnOrBefore = (x: number) => x - new Date(x).getUTCDay() * 86400000;
  const year = d.getUTCFullYear();
  const fdny = sundayOnOrBefore(Date.UTC(year + 1, 0, 1));
  if (t >= fdny) return [year + 1, 1];
  const fdow = sundayOnOrBefore(Date.UTC(year, 0, 1));
  return [year, Math.floor((t - fdow) / 86400000 / 7) + 1];
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Start (ISO), end (ISO) and label of a date bucket. */
function dateBucket(value: string, g: string, field: Field): { from: string; to: string; label: string } {
  const v = value.slice(0, 19);
  const d = new Date(v.replace(' ', 'T') + (v.length > 10 ? 'Z' : 'T00:00:00Z'));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  const end = new Date(d);
  let label: string;
  switch (g) {
    // Odoo's 'hh:00 dd MMM': a 12-hour clock without am/pm
    case 'hour': end.setUTCHours(d.getUTCHours() + 1); label = `${pad(d.getUTCHours() % 12 || 12)}:00 ${pad(day)} ${MONTHS[m].slice(0, 3)}`; break;
    case 'day': end.setUTCDate(day + 1); label = `${pad(day)} ${MONTHS[m].slice(0, 3)} ${y}`; break;
    case 'week': {
      end.setUTCDate(day + 7);
      const [wy, wn] = weekNumberEnUs(Date.UTC(y, m, day));
      label = `W${wn} ${String(wy).padStart(4, '0')}`;
      break;
    }
    case 'month': end.setUTCMonth(m + 1); label = `${MONTHS[m]} ${y}`; break;
    case 'quarter': end.setUTCMonth(m + 3); label = `Q${Math.floor(m / 3) + 1} ${y}`; break;
    default: end.setUTCFullYear(y + 1); label = `${y}`;
  }
  const fmt = (x: Date) => (field.type === 'date' ? x.toISOString().slice(0, 10) : x.toISOString().slice(0, 19).replace('T', ' '));
  return { from: fmt(d), to: fmt(end), label };
}

/** Convert a local bucket start back to UTC for datetime fields (the range is sent in UTC). */
function toUtc(local: string, tz: string): string {
  if (tz === 'UTC' || local.length <= 10) return local;
  const asUtc = new Date(local.replace(' ', 'T') + 'Z');
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(fmt.formatToParts(asUtc).map((x) => [x.type, x.value]));
  const shown = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offset = shown - asUtc.getTime();
  return new Date(asUtc.getTime() - offset).toISOString().slice(0, 19).replace('T', ' ');
}

async function labelsFor(self: RecordSet, groups: GroupSpec[], rows: Record<string, unknown>[]): Promise<Map<string, Map<number, string>>> {
  const out = new Map<string, Map<number, string>>();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g.field.type !== 'many2one' && g.field.type !== 'many2many') continue;
    const ids = [...new Set(rows.map((r) => r[`g${i}`]).filter((v) => v !== null && v !== undefined) as number[])];
    const names = await self.env.model(g.field.comodel!).sudo().browse(ids).displayNames();
    out.set(g.spec, names);
  }
  return out;
}

interface GroupValue {
  value: unknown;
  domain: unknown[];
  range?: { from: string; to: string };
}

function groupValue(self: RecordSet, g: GroupSpec, v: unknown, labels: Map<string, Map<number, string>>, formatted: boolean): GroupValue {
  const fname = g.field.name;
  if (v === null || v === undefined) {
    // No linked record at all for a many2many.
    return { value: false, domain: g.field.type === 'many2many' ? [[fname, 'not any', []]] : [[fname, '=', false]] };
  }
  if (g.field.type === 'many2one' || g.field.type === 'many2many') {
    const id = Number(v);
    return { value: [id, labels.get(g.spec)?.get(id) ?? ''], domain: [[fname, '=', id]] };
  }
  if (g.granularity && g.granularity in DATE_PARTS) {
    return { value: Number(v), domain: [[`${fname}.${g.granularity}`, '=', Number(v)]] };
  }
  if (g.granularity) {
    const b = dateBucket(String(v), g.granularity, g.field);
    const from = g.field.type === 'datetime' ? toUtc(b.from, self.env.tz) : b.from;
    const to = g.field.type === 'datetime' ? toUtc(b.to, self.env.tz) : b.to;
    return {
      value: formatted ? [from, b.label] : b.label,
      domain: ['&', [fname, '>=', from], [fname, '<', to]],
      range: { from, to },
    };
  }
  return { value: v, domain: [[fname, '=', v]] };
}

function aggValue(a: AggSpec, v: unknown): unknown {
  if (a.func === 'count' || a.func === 'count_distinct') return Number(v ?? 0);
  if (a.func === 'array_agg' || a.func === 'recordset') return (v as unknown[]) ?? [];
  if (v === null || v === undefined) return a.func === 'bool_and' || a.func === 'bool_or' ? false : a.field && (a.field.type === 'integer' || a.field.type === 'float' || a.field.type === 'monetary') ? 0 : false;
  return v;
}

function orderSql(order: string, groups: GroupSpec[], aggs: AggSpec[]): SQL {
  const parts: SQL[] = [];
  for (const term of order.split(',')) {
    const m = /^\s*([\w:().]+)(?:\s+(asc|desc))?\s*$/i.exec(term);
    if (!m) throw new PyValueError(`Invalid order ${JSON.stringify(order)} for grouping`);
    const dir = raw((m[2] ?? 'asc').toUpperCase());
    const gi = groups.findIndex((g) => g.spec === m[1] || g.field.name === m[1]);
    if (gi >= 0) {
      parts.push(groupOrder(groups[gi], gi, (m[2] ?? 'asc').toUpperCase() as 'ASC' | 'DESC'));
      continue;
    }
    const ai = aggs.findIndex((a) => a.key === m[1] || (a.field && `${a.field.name}:${a.func}` === m[1]));
    if (ai >= 0) {
      parts.push(sql`${raw(String(groups.length + ai + 1))} ${dir}`);
      continue;
    }
    if (m[1] === '__count') {
      parts.push(sql`COUNT(*) ${dir}`);
      continue;
    }
    throw new PyValueError(`Order term ${JSON.stringify(m[1])} is not a groupby or aggregate`);
  }
  return join(parts);
}

export async function readGroup(self: RecordSet, domain: unknown, fields: unknown, groupby: unknown, offset: unknown, limit: unknown, orderby: unknown, lazy: unknown): Promise<Vals[]> {
  const alias = self.model.table;
  const compiler = new DomainCompiler(self.env);
  const allGroupbys = groupbyList(groupby);
  const isLazy = lazy !== false;
  const gbs = isLazy ? allGroupbys.slice(0, 1) : allGroupbys;
  // Date groups default to month; the result key stays the spec as given ('date' or 'date:week').
  const groups = gbs.map((s) => parseGroupby(self, s, alias, true, compiler));
  // Odoo: `<first groupby>_count` in lazy mode, else `__count`; the count comes before other aggregates.
  const countKey = isLazy && groups.length === 1 ? `${groups[0].spec.split(':')[0]}_count` : '__count';
  const aggs: AggSpec[] = [{ key: countKey, func: 'count', expr: sql`COUNT(*)` }];
  for (const rawSpec of fields === null || fields === undefined || fields === false ? [] : pyIter(fields)) {
    const spec = pyRequireStr(rawSpec);
    if (spec === '__count') continue;
    // A bare groupby field gets no aggregate (its value is the group itself).
    if (!spec.includes(':') && gbs.includes(spec)) continue;
    const a = parseAggregate(self, spec, alias, true);
    if (a && !aggs.some((x) => x.key === a.key)) aggs.push(a);
  }
  const order = orderby && typeof orderby === 'string' ? orderSql(orderby, groups, aggs) : null;
  const rows = await runGrouping(self, domain, groups, aggs, alias, compiler, { order, limit: toLimit(limit), offset: toOffset(offset) });
  const labels = await labelsFor(self, groups, rows);
  const base = Array.isArray(domain) ? domain : [];
  return rows.map((r) => {
    const out: Vals = {};
    let gdomain: unknown[] = base;
    const range: Record<string, unknown> = {};
    groups.forEach((g, i) => {
      const gv = groupValue(self, g, r[`g${i}`], labels, false);
      out[g.spec] = gv.value;
      // __domain: the request domain AND each group's condition (in that order, like Odoo).
      gdomain = andDomains(gdomain, gv.domain);
      if (g.granularity && !(g.granularity in DATE_PARTS)) range[g.spec] = gv.range ?? false;
    });
    aggs.forEach((a, i) => (out[a.key] = aggValue(a, r[`a${i}`])));
    out.__domain = gdomain;
    if (gbs.length < allGroupbys.length) out.__context = { group_by: allGroupbys.slice(gbs.length) };
    if (Object.keys(range).length) out.__range = range;
    return out;
  });
}

export async function formattedReadGroup(self: RecordSet, domain: unknown, groupby: unknown, aggregates: unknown, having: unknown, offset: unknown, limit: unknown, order: unknown): Promise<Vals[]> {
  const alias = self.model.table;
  const compiler = new DomainCompiler(self.env);
  const gbs = groupbyList(groupby);
  const groups = gbs.map((s) => parseGroupby(self, s, alias, false, compiler));
  const aggs = (aggregates === null || aggregates === undefined || aggregates === false ? [] : pyIter(aggregates)).map((s) => parseAggregate(self, s, alias, false)!);
  let havingSql: SQL | undefined;
  if (Array.isArray(having) && having.length) havingSql = compileHaving(self, having, alias);
  const ord = order && typeof order === 'string' ? orderSql(order, groups, aggs) : null;
  const rows = await runGrouping(self, domain, groups, aggs, alias, compiler, { having: havingSql, order: ord, limit: toLimit(limit), offset: toOffset(offset) });
  const labels = await labelsFor(self, groups, rows);
  return rows.map((r) => {
    const out: Vals = {};
    let extra: unknown[] = [];
    groups.forEach((g, i) => {
      const gv = groupValue(self, g, r[`g${i}`], labels, true);
      out[g.spec] = gv.value;
      extra = andDomains(extra, gv.domain);
    });
    if (groups.length) out.__extra_domain = extra;
    aggs.forEach((a, i) => (out[a.key] = aggValue(a, r[`a${i}`])));
    return out;
  });
}

function compileHaving(self: RecordSet, having: unknown[], alias: string): SQL {
  const node = parseDomain(having);
  const build = (n: ReturnType<typeof parseDomain>): SQL => {
    switch (n.kind) {
      case 'const': return n.value ? raw('TRUE') : raw('FALSE');
      case 'and': return sql`(${join(n.children.map(build), ' AND ')})`;
      case 'or': return sql`(${join(n.children.map(build), ' OR ')})`;
      case 'not': return sql`NOT (${build(n.child)})`;
      case 'leaf': {
        const a = parseAggregate(self, n.path, alias, false)!;
        const ops: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
        if (n.op === 'in' || n.op === 'not in') {
          const vals = Array.isArray(n.value) ? n.value : [n.value];
          return n.op === 'in' ? sql`${a.expr} = ANY(${vals})` : sql`NOT (${a.expr} = ANY(${vals}))`;
        }
        if (!ops[n.op]) throw new PyValueError(`Invalid having operator ${n.op}`);
        return sql`${a.expr} ${raw(ops[n.op])} ${n.value}`;
      }
    }
  };
  return build(node);
}

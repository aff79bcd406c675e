// The ORM methods every model has, with Odoo 19's public signatures (parameter names are
// the JSON-2 API). Implementations live on RecordSet; this table is what RPC can reach.

import type { MethodSpec } from './model.ts';
import type { RecordSet, Vals } from './records.ts';
import { fieldsGet } from './fields_get.ts';
import { readGroup, formattedReadGroup } from './read_group.ts';
import { webRead, webSearchRead } from './web_read.ts';
import { load } from './load.ts';
import { PyAssertionError, PyTypeError, UserError } from './exceptions.ts';
import { pyIter } from './pyargs.ts';
import { toLimit, toOffset } from './records.ts';
import { sql, ident } from './sql.ts';

const NEGATIVE_OPERATORS = new Set(['!=', 'not like', 'not ilike', 'not =like', 'not =ilike', 'not in']);

const model = (params: MethodSpec['params'], fn: MethodSpec['fn'], extra: Partial<MethodSpec> = {}): MethodSpec => ({ api: 'model', params, fn, ...extra });
const record = (params: MethodSpec['params'], fn: MethodSpec['fn'], extra: Partial<MethodSpec> = {}): MethodSpec => ({ api: 'record', params, fn, ...extra });
const privateRecord = (fn: MethodSpec['fn']): MethodSpec => ({ api: 'record', params: [], fn, private: true });

export const BASE_METHODS: Record<string, MethodSpec> = {
  search: model(['domain', ['offset', 0], ['limit', null], ['order', null]], (self, domain, offset, limit, order) => self._search(domain, offset, limit, order), { readonly: true }),
  search_count: model(['domain', ['limit', null]], (self, domain, limit) => self._searchCount(domain, limit), { readonly: true }),
  search_read: model(
    [['domain', null], ['fields', null], ['offset', 0], ['limit', null], ['order', null], ['load', '_classic_read']],
    async (self, domain, fields, offset, limit, order, load) => {
      const methods = self.model.methods;
      // Search and column fetch in one query, unless the model overrides search or read.
      if (methods.get('search') === BASE_METHODS.search && methods.get('read') === BASE_METHODS.read) {
        return self._searchRead(domain ?? [], fields === '' ? null : fields, offset, limit, order, load === undefined ? '_classic_read' : (load as never));
      }
      const recs = await self.call<RecordSet>('search', domain ?? [], offset, limit, order);
      if (!recs.length) return [];
      return recs.call('read', fields, load);
    },
    { readonly: true },
  ),
  read: record([['fields', null], ['load', '_classic_read']], (self, fields, load) => self._read(fields === '' ? null : fields, load === undefined ? '_classic_read' : load), { readonly: true }),
  create: model(['vals_list'], (self, valsList) => self._create(valsList)),
  write: record(['vals'], (self, vals) => self._write(vals)),
  unlink: record([], (self) => self._unlink()),
  copy: record([['default', null]], async (self, defaults) => {
    // Through copy_data, so that models overriding it (a " (copy)" name...) shape their copies.
    const valsList = await self.call<Vals[]>('copy_data', (defaults as Vals) || {});
    const created = [];
    for (const vals of valsList) created.push(...(await self.browse([]).create(vals)).ids);
    return self.browse(created);
  }),
  copy_data: record([['default', null]], (self, defaults) => self.copyData((defaults as Vals) || {}), { private: false }),
  // `exists` is @api.private in Odoo 19: refused over RPC, used internally.
  exists: privateRecord(async (self) => {
    if (!self.ids.length) return self;
    const rows = await self.env.cr.query<{ id: number }>(sql`SELECT id FROM ${ident(self.model.table)} WHERE id = ANY(${self.ids}::int4[])`);
    const found = new Set(rows.map((r) => r.id));
    return self.browse(self.ids.filter((id) => found.has(id)));
  }),
  search_fetch: { api: 'model', params: ['domain', 'field_names'], private: true, fn: async (self, domain, fieldNames) => (await self.search(domain as unknown[])).read(fieldNames as string[]) },
  fetch: privateRecord((self, fieldNames) => self.read(fieldNames as string[])),
  check_access: privateRecord(async (self, operation) => {
    await self.checkAccess(operation as 'read');
  }),
  // Views come from ir.ui.view (models/base/ir_ui_view.ts), which answers for every model.
  get_views: model(['views', ['options', null]], (self, views, options) => self.env.model('ir.ui.view').call('_get_views_of', self.model.name, views, options), { readonly: true }),
  get_view: model([['view_id', null], ['view_type', 'form']], (self, viewId, viewType) => self.env.model('ir.ui.view').call('_get_view_of', self.model.name, viewId, viewType), { readonly: true }),
  fields_get: model([['allfields', null], ['attributes', null]], (self, allfields, attributes) => fieldsGet(self, allfields, attributes), { readonly: true }),
  name_search: model([['name', ''], ['domain', null], ['operator', 'ilike'], ['limit', 100]], async (self, name, domain, operator, limit) => {
    // a domain that is not a list is refused by the search, with the Domain() wording
    if (domain && !Array.isArray(domain)) return self.search(domain as unknown[]);
    const dom: unknown[] = [...((domain as unknown[]) || [])];
    const recName = self.model.recNameField;
    if (name !== '' && name !== false && name !== null && name !== undefined) {
      if (!recName) return [];
      if (dom.length) dom.unshift('&');
      dom.push(['display_name', operator || 'ilike', name]);
    }
    const recs = await self.search(dom, { limit: toLimit(limit ?? 100) });
    const names = await recs.displayNames();
    return recs.ids.map((id) => [id, names.get(id) ?? '']);
  }, { readonly: true }),
  name_create: model(['name'], async (self, name) => {
    const recName = self.model.recNameField;
    if (!recName || self.model.fields.get(recName)?.type !== 'char') return false;
    const rec = await self.create({ [recName]: name });
    const names = await rec.displayNames();
    return [rec.ids[0], names.get(rec.ids[0]) ?? ''];
  }),
  default_get: model(['fields'], async (self, fields) => {
    if (!Array.isArray(fields)) throw new PyTypeError('default_get() missing 1 required positional argument: \'fields\'');
    const out: Vals = {};
    for (const name of fields as string[]) {
      const f = self.model.fields.get(name);
      if (!f) continue;
      const key = `default_${name}`;
      let v: unknown;
      if (key in self.env.context) v = self.env.context[key];
      else if (f.spec.default !== undefined) v = typeof f.spec.default === 'function' ? await (f.spec.default as (e: unknown) => unknown)(self.env) : f.spec.default;
      else continue;
      if (f.isX2many && Array.isArray(v) && v.every((x) => typeof x === 'number')) v = [[6, 0, v]];
      if (f.type === 'many2one' && v === null) v = false;
      out[name] = v;
    }
    return out;
  }, { readonly: true }),
  read_group: model(
    ['domain', 'fields', 'groupby', ['offset', 0], ['limit', null], ['orderby', false], ['lazy', true]],
    (self, domain, fields, groupby, offset, limit, orderby, lazy) => readGroup(self, domain, fields, groupby, offset, limit, orderby, lazy),
    { readonly: true },
  ),
  formatted_read_group: model(
    ['domain', ['groupby', []], ['aggregates', []], ['having', []], ['offset', 0], ['limit', null], ['order', null]],
    (self, domain, groupby, aggregates, having, offset, limit, order) => formattedReadGroup(self, domain, groupby, aggregates, having, offset, limit, order),
    { readonly: true },
  ),
  web_read_group: model(
    ['domain', 'groupby', ['aggregates', []], ['limit', null], ['offset', 0], ['order', null]],
    async (self, domain, groupby, aggregates, limit, offset, order) => {
      const aggs = [...new Set([...(aggregates === null || aggregates === undefined || aggregates === false ? [] : pyIter(aggregates)), '__count'])];
      const off = toOffset(offset);
      const lim = toLimit(limit);
      const all = await formattedReadGroup(self, domain, groupby, aggs, [], 0, null, order);
      const groups = lim ? all.slice(off, off + lim) : all.slice(off);
      return { groups, length: all.length };
    },
    { readonly: true },
  ),
  web_search_read: model(
    ['domain', 'specification', ['offset', 0], ['limit', null], ['order', null], ['count_limit', null]],
    (self, domain, specification, offset, limit, order, countLimit) => webSearchRead(self, domain, specification, offset, limit, order, countLimit),
    { readonly: true },
  ),
  web_read: record(['specification'], (self, specification) => webRead(self, specification), { readonly: true }),
  web_save: record(['vals', 'specification', ['next_id', null]], async (self, vals, specification) => {
    let recs = self;
    if (recs.ids.length) await recs.write(vals as Vals);
    else recs = await self.create(vals as Vals);
    return webRead(recs, specification);
  }),
  has_access: record(['operation'], async (self, operation) => {
    const checker = self.env.registry.accessChecker;
    // ir.model.access._get_allowed_models: `assert mode in (...), 'Invalid access mode'`
    if (!['read', 'write', 'create', 'unlink'].includes(operation as string)) throw new PyAssertionError('Invalid access mode');
    if (!checker || self.env.isSuperuser) return true;
    return checker(self.env, self.model.name, operation as 'read', false);
  }),
  check_access_rights: model(['operation', ['raise_exception', true]], async (self, operation, raiseException) => {
    const checker = self.env.registry.accessChecker;
    if (!checker || self.env.isSuperuser) return raiseException === false ? true : null;
    const ok = await checker(self.env, self.model.name, operation as 'read', raiseException !== false);
    // With raise_exception (the default) Odoo returns None when allowed.
    return raiseException === false ? ok : null;
  }),
  check_access_rule: record(['operation'], async () => null),
  get_metadata: record([], async (self) => {
    const log = self.model.logAccess;
    const recs = log ? await self.read(['create_uid', 'create_date', 'write_uid', 'write_date']) : self.ids.map((id) => ({ id }) as Vals);
    // External ids, oldest first: `xmlid`/`noupdate` are those of the first one.
    const xml = new Map<number, { xmlid: string; noupdate: boolean }[]>();
    if (self.env.registry.has('ir.model.data') && self.ids.length) {
      const rows = await self.env.cr.query<{ res_id: number; module: string; name: string; noupdate: boolean }>(
        sql`SELECT res_id, module, name, COALESCE(noupdate, FALSE) AS noupdate FROM ir_model_data WHERE model = ${self.model.name} AND res_id = ANY(${self.ids}::int4[]) ORDER BY id`,
      );
      for (const r of rows) xml.set(r.res_id, [...(xml.get(r.res_id) ?? []), { xmlid: `${r.module}.${r.name}`, noupdate: !!r.noupdate }]);
    }
    return recs.map((r) => {
      const list = xml.get(r.id as number) ?? [];
      return {
        id: r.id,
        ...(log ? { create_uid: r.create_uid, create_date: r.create_date, write_uid: r.write_uid, write_date: r.write_date } : {}),
        xmlid: list[0]?.xmlid ?? false,
        xmlids: list,
        noupdate: list[0]?.noupdate ?? false,
      };
    });
  }, { readonly: true }),
  // Odoo's import API (see load.ts).
  load: model(['fields', 'data'], (self, fields, data) => load(self, fields, data)),
  action_archive: record([], async (self) => {
    if (!self.model.activeField) throw new UserError(`Model ${self.model.name} has no active field`);
    await self.write({ active: false });
    return true;
  }),
  action_unarchive: record([], async (self) => {
    if (!self.model.activeField) throw new UserError(`Model ${self.model.name} has no active field`);
    await self.write({ active: true });
    return true;
  }),
  toggle_active: record([], async (self) => {
    const rows = await self.withContext({ active_test: false }).fetch(['active']);
    const on = rows.filter((r) => r.active).map((r) => r.id as number);
    const off = rows.filter((r) => !r.active).map((r) => r.id as number);
    if (on.length) await self.browse(on).write({ active: false });
    if (off.length) await self.browse(off).write({ active: true });
    return true;
  }),
  _compute_display_name: { api: 'record', private: true, fn: computeDisplayName },
  _search_display_name: { api: 'model', private: true, fn: (self: RecordSet, operator: string, value: unknown) => {
    const recName = self.model.recNameField;
    const fnames = self.model.recNamesSearch ?? (recName ? [recName] : []);
    if (!fnames.length) return [['id', operator, value]];
    if (fnames.length === 1) return [[fnames[0], operator, value]];
    // Like Odoo: any of the fields matches; for a negative operator, none of them does.
    const negative = NEGATIVE_OPERATORS.has(operator);
    return [...Array(fnames.length - 1).fill(negative ? '&' : '|'), ...fnames.map((f) => [f, operator, value])];
  } },
};

/** Default display name: the rec_name field (or the comodel name for a many2one rec_name). */
async function computeDisplayName(self: RecordSet): Promise<Map<number, Vals>> {
  const out = new Map<number, Vals>();
  const recName = self.model.recNameField;
  if (!recName) {
    for (const id of self.ids) out.set(id, { display_name: `${self.model.name},${id}` });
    return out;
  }
  const f = self.model.fields.get(recName)!;
  const values = await self.fetchValues([recName]);
  let names: Map<number, string> | null = null;
  if (f.type === 'many2one') {
    const ids = [...values.values()].map((v) => v[recName]).filter(Boolean) as number[];
    names = await self.env.model(f.comodel!).sudo().browse([...new Set(ids)]).displayNames();
  }
  for (const [id, v] of values) {
    const raw = v[recName];
    out.set(id, { display_name: names ? (raw ? names.get(raw as number) ?? '' : '') : raw === null || raw === undefined ? '' : String(raw) });
  }
  return out;
}

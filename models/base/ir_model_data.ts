// ir.model.data: external identifiers (`module.name` → model + res_id). Used by `load` (import:
// `id` columns, `field/id` references), `get_metadata` (xmlid), OdooRPC's `env.ref()` through
// `check_object_reference`, and internal helpers (`_xmlid_lookup`, `_xmlid_to_res_id`).

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql, ident } from '../orm/sql.ts';
import { AccessError, PyValueError } from '../orm/exceptions.ts';

export const IrModelData: ModelSpec = {
  _name: 'ir.model.data',
  _description: 'Model Data',
  _order: 'module, model, name',
  _sql_constraints: [
    ['name_nospaces', "CHECK(name NOT LIKE '% %')", 'External IDs cannot contain spaces'],
    // Odoo 19 has a unique index on (module, name); `_update_xmlids` upserts against it.
    ['module_name_uniq', 'unique (module, name)', 'You cannot have multiple records with the same external ID in the same module!'],
  ],
  _indexes: [['model_res_id_index', '(model, res_id)']],
  fields: {
    name: { type: 'char', string: 'External Identifier', required: true, help: 'External Key/Identifier that can be used for data integration with third-party systems' },
    complete_name: { type: 'char', string: 'Complete ID', compute: '_compute_complete_name', depends: ['module', 'name'] },
    model: { type: 'char', string: 'Model Name', required: true },
    module: { type: 'char', string: 'Module', required: true, default: '' },
    res_id: { type: 'many2one_reference', string: 'Record ID', help: 'ID of the target record in the database' },
    noupdate: { type: 'boolean', string: 'Non Updatable', default: false },
    reference: { type: 'char', string: 'Reference', compute: '_compute_reference', depends: ['model', 'res_id'], readonly: true },
  },
  methods: {
    _compute_complete_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['module', 'name']);
        return new Map(rows.map((r) => [r.id as number, { complete_name: [r.module, r.name].filter(Boolean).join('.') }]));
      },
    },
    _compute_reference: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['model', 'res_id']);
        return new Map(rows.map((r) => [r.id as number, { reference: `${r.model},${r.res_id ?? 0}` }]));
      },
    },
    _compute_display_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['module', 'name', 'model', 'res_id']);
        const out = new Map<number, Vals>();
        const byModel = new Map<string, number[]>();
        for (const r of rows) {
          if (r.res_id && self.env.registry.has(r.model as string)) byModel.set(r.model as string, [...(byModel.get(r.model as string) ?? []), r.res_id as number]);
        }
        const names = new Map<string, Map<number, string>>();
        for (const [model, ids] of byModel) names.set(model, await self.env.model(model).sudo().browse(ids).displayNames());
        for (const r of rows) {
          const complete = [r.module, r.name].filter(Boolean).join('.');
          const target = r.res_id ? names.get(r.model as string)?.get(r.res_id as number) : undefined;
          out.set(r.id as number, { display_name: target || complete });
        }
        return out;
      },
    },
    _search_display_name: {
      api: 'model',
      private: true,
      fn: (_self: RecordSet, operator: string, value: unknown) => [['name', operator, value]],
    },
    _xmlid_lookup: { api: 'model', private: true, params: ['xmlid'], fn: (self: RecordSet, xmlid: string) => xmlidLookup(self.env, xmlid) },
    _xmlid_to_res_model_res_id: {
      api: 'model',
      private: true,
      params: ['xmlid', ['raise_if_not_found', false]],
      fn: async (self: RecordSet, xmlid: string, raiseIfNotFound = false) => {
        try {
          return await xmlidLookup(self.env, xmlid);
        } catch (e) {
          if (raiseIfNotFound) throw e;
          return [false, false];
        }
      },
    },
    _xmlid_to_res_id: {
      api: 'model',
      private: true,
      params: ['xmlid', ['raise_if_not_found', false]],
      fn: (self: RecordSet, xmlid: string, raiseIfNotFound = false) => xmlidToResId(self.env, xmlid, raiseIfNotFound),
    },
    // Used by OdooRPC's env.ref(): [model, res_id], or [model, false] when the user cannot read it.
    check_object_reference: {
      api: 'model',
      params: ['module', 'xml_id', ['raise_on_access_error', false]],
      readonly: true,
      fn: async (self: RecordSet, module: unknown, xmlId: unknown, raiseOnAccessError: unknown) => {
        const [model, resId] = await xmlidLookup(self.env, `${String(module)}.${String(xmlId)}`);
        let visible = false;
        try {
          visible = (await self.env.model(model).search([['id', '=', resId]])).length > 0;
        } catch (e) {
          if (!(e instanceof AccessError)) throw e;
        }
        if (visible) return [model, resId];
        if (raiseOnAccessError) throw new AccessError(`Not enough access rights on the external ID "${String(module)}.${String(xmlId)}"`);
        return [model, false];
      },
    },
    _update_xmlids: {
      api: 'model',
      private: true,
      params: ['data_list', ['update', false]],
      fn: (self: RecordSet, dataList: XmlidData[], update = false) => updateXmlids(self.env, dataList, update),
    },
  },
};

export interface XmlidData {
  xml_id: string;
  model: string;
  res_id: number;
  noupdate?: boolean;
}

/** (model, res_id) of `module.name`, or ValueError "External ID not found in the system: ...". */
export async function xmlidLookup(env: Env, xmlid: string): Promise<[string, number]> {
  if (typeof xmlid !== 'string' || !xmlid.includes('.')) throw new PyValueError(`External ID not found in the system: ${String(xmlid)}`);
  const dot = xmlid.indexOf('.');
  const rows = await env.cr.query<{ model: string; res_id: number | null }>(
    sql`SELECT model, res_id FROM ir_model_data WHERE module = ${xmlid.slice(0, dot)} AND name = ${xmlid.slice(dot + 1)}`,
  );
  if (!rows.length || !rows[0].res_id) throw new PyValueError(`External ID not found in the system: ${xmlid}`);
  return [rows[0].model, rows[0].res_id];
}

/** res_id of an external id (false when missing, unless `raiseIfNotFound`). */
export async function xmlidToResId(env: Env, xmlid: string, raiseIfNotFound = false): Promise<number | false> {
  try {
    return (await xmlidLookup(env, xmlid))[1];
  } catch (e) {
    if (raiseIfNotFound) throw e;
    return false;
  }
}

/** The record of an external id (like `env.ref`), or null when missing or deleted. */
export async function ref(env: Env, xmlid: string, raiseIfNotFound = true): Promise<RecordSet | null> {
  let found: [string, number];
  try {
    found = await xmlidLookup(env, xmlid);
  } catch (e) {
    if (raiseIfNotFound) throw e;
    return null;
  }
  const [model, resId] = found;
  const rows = await env.cr.query(sql`SELECT id FROM ${ident(env.registry.get(model).table)} WHERE id = ${resId}`);
  if (!rows.length) {
    if (raiseIfNotFound) throw new PyValueError(`No record found for unique ID ${xmlid}. It may have been deleted.`);
    return null;
  }
  return env.model(model).browse([resId]);
}

/** Create or re-point external ids in one statement (ON CONFLICT (module, name)). */
export async function updateXmlids(env: Env, dataList: XmlidData[], update = false): Promise<void> {
  if (!dataList.length) return;
  const modules: string[] = [];
  const names: string[] = [];
  const models: string[] = [];
  const resIds: number[] = [];
  const noupdate: boolean[] = [];
  const seen = new Set<string>();
  for (const d of dataList) {
    if (seen.has(d.xml_id)) continue;
    seen.add(d.xml_id);
    const dot = d.xml_id.indexOf('.');
    if (dot <= 0) throw new PyValueError(`Invalid external ID ${d.xml_id}: expected module.name`);
    modules.push(d.xml_id.slice(0, dot));
    names.push(d.xml_id.slice(dot + 1));
    models.push(d.model);
    resIds.push(d.res_id);
    noupdate.push(!!d.noupdate);
  }
  const guard = update ? sql` AND NOT ir_model_data.noupdate` : sql``;
  await env.cr.execute(sql`
    INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_uid, write_uid, create_date, write_date)
    SELECT m, n, mo, r, nu, ${env.uid}::int4, ${env.uid}::int4, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM unnest(${modules}::varchar[], ${names}::varchar[], ${models}::varchar[], ${resIds}::int4[], ${noupdate}::bool[]) AS v(m, n, mo, r, nu)
    ON CONFLICT (module, name) DO UPDATE SET model = EXCLUDED.model, res_id = EXCLUDED.res_id, write_date = now() AT TIME ZONE 'UTC'
    WHERE (ir_model_data.res_id IS DISTINCT FROM EXCLUDED.res_id OR ir_model_data.model <> EXCLUDED.model)${guard}`);
}

// Data records shipped by the addons (Odoo's XML data files), loaded at every start-up: a record
// is created once and known afterwards by its external id (ir.model.data) when that model
// exists; until then by a lookup the caller gives (e.g. by name), so a database loaded before
// ir.model.data existed adopts its records instead of duplicating them.

import type { Env } from '../orm/env.ts';
import type { Vals } from '../orm/records.ts';

export interface DataRecord {
  /** External id, `module.name`. */
  xmlid: string;
  model: string;
  vals: Vals;
  /** Odoo's noupdate: never rewrite (nor re-create) the record once it was created. */
  noupdate?: boolean;
  /** Finds the record when no external id points to it (fallback and migration). */
  find?: (env: Env) => Promise<number | undefined>;
}

function hasIrModelData(env: Env): boolean {
  if (!env.registry.has('ir.model.data')) return false;
  const fields = env.registry.get('ir.model.data').fields;
  return ['module', 'name', 'model', 'res_id'].every((f) => fields.has(f));
}

/** Database id of an external id, or undefined (also when the record was deleted). */
export async function xmlidToResId(env: Env, xmlid: string): Promise<number | undefined> {
  if (!hasIrModelData(env)) return undefined;
  const [module, name] = xmlid.split('.', 2);
  const rows = await env.model('ir.model.data').sudo().withContext({ active_test: false })
    .searchRead([['module', '=', module], ['name', '=', name]], ['model', 'res_id'], { limit: 1, load: null });
  if (!rows.length || !rows[0].res_id) return undefined;
  const model = rows[0].model as string;
  if (!env.registry.has(model)) return undefined;
  const exists = await env.model(model).sudo().browse([rows[0].res_id as number]).call<{ ids: number[] }>('exists');
  return exists.ids[0];
}

/** Create or update one shipped record; returns its id (undefined: deleted noupdate record). */
export async function loadDataRecord(env: Env, rec: DataRecord): Promise<number | undefined> {
  const su = env.sudo().withContext({ active_test: false, tracking_disable: true });
  const Model = su.model(rec.model);
  const [module, name] = rec.xmlid.split('.', 2);
  if (hasIrModelData(env)) {
    const imd = su.model('ir.model.data');
    const found = await imd.searchRead([['module', '=', module], ['name', '=', name]], ['res_id'], { limit: 1, load: null });
    if (found.length) {
      const resId = found[0].res_id as number;
      const alive = (await Model.browse([resId]).call<{ ids: number[] }>('exists')).ids[0];
      if (rec.noupdate) return alive;
      if (alive) {
        await Model.browse([alive]).write(rec.vals);
        return alive;
      }
      const created = (await Model.create(rec.vals)).ids[0];
      await imd.browse([found[0].id as number]).write({ res_id: created });
      return created;
    }
    const adopted = rec.find ? await rec.find(su) : undefined;
    if (adopted && !rec.noupdate) await Model.browse([adopted]).write(rec.vals);
    const id = adopted ?? (await Model.create(rec.vals)).ids[0];
    const vals: Vals = { module, name, model: rec.model, res_id: id };
    if (imd.model.fields.has('noupdate')) vals.noupdate = !!rec.noupdate;
    await imd.create(vals);
    return id;
  }
  const existing = rec.find ? await rec.find(su) : undefined;
  if (existing) {
    if (!rec.noupdate) await Model.browse([existing]).write(rec.vals);
    return existing;
  }
  return (await Model.create(rec.vals)).ids[0];
}

// ---------------------------------------------------------------- mail data

export const SUBTYPE_DATA: Record<'mail.mt_comment' | 'mail.mt_note', Vals> = {
  'mail.mt_comment': { name: 'Discussions', sequence: 0, default: true, internal: false },
  'mail.mt_note': { name: 'Note', sequence: 100, default: false, internal: true },
};

function findSubtype(name: string) {
  return async (env: Env): Promise<number | undefined> => {
    const ids = await env.model('mail.message.subtype').search([['name', '=', name], ['res_model', '=', false]], { limit: 1, order: 'id' });
    return ids.ids[0];
  };
}

export async function loadMailData(env: Env): Promise<void> {
  for (const [xmlid, vals] of Object.entries(SUBTYPE_DATA)) {
    await loadDataRecord(env, { xmlid, model: 'mail.message.subtype', vals, find: findSubtype(vals.name as string) });
  }
}

/** Id of `mail.mt_note` / `mail.mt_comment` (cached per transaction). */
export async function subtypeId(env: Env, xmlid: keyof typeof SUBTYPE_DATA): Promise<number | null> {
  const key = `mail:subtype:${xmlid}`;
  if (env.cache.has(key)) return env.cache.get(key) as number | null;
  const id = (await xmlidToResId(env, xmlid)) ?? (await findSubtype(SUBTYPE_DATA[xmlid].name as string)(env.sudo())) ?? null;
  env.cache.set(key, id);
  return id;
}

// Loads our Odoo-style XML data files `views/<addon>/*.xml` at every start: `<record>` elements
// (views, window actions, any model) and `<menuitem>` shortcuts, upserted by external id
// (`<addon>.<id>`). Records of models the registry does not have (an addon not installed yet),
// and records referring to skipped ones, are skipped. Then every view is checked (inheritance
// applies, fields exist): a bad view fails the start, as Odoo fails the module update.
// Records whose external id left the files are deleted, as Odoo deletes the data a module no
// longer declares when it is updated: ir_model_data_file remembers which file loaded each id.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import type { Cursor, Env } from '../orm/env.ts';
import type { Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { childElements, parseArch, serializeArch, type ArchElement } from '../tools/view_arch.ts';
import { updateXmlids } from './ir_model_data.ts';
import { checkView } from './ir_ui_view.ts';

// Same depth as every models/<addon>/x.ts, so the path also resolves from the esbuild bundle.
const VIEWS = new URL('../../views/', import.meta.url);

/** Schema extra of base: the external ids the data files loaded, by file. */
export async function ensureDataFileTable(cr: Cursor): Promise<void> {
  await cr.execute(`CREATE TABLE IF NOT EXISTS ir_model_data_file (
    module varchar NOT NULL, name varchar NOT NULL, file varchar NOT NULL, PRIMARY KEY (module, name))`);
}

/** The data files in load order (the registry's addon order; other folders after, alphabetically): [addon, file name, text]. */
function dataFiles(addonOrder: string[], views: URL): [string, string, string][] {
  if (!existsSync(views)) return [];
  const addons = readdirSync(views, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const rank = (a: string) => (addonOrder.includes(a) ? addonOrder.indexOf(a) : addonOrder.length);
  addons.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const out: [string, string, string][] = [];
  for (const addon of addons) {
    const dir = new URL(`${addon}/`, views);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.xml')).sort()) out.push([addon, file, readFileSync(new URL(file, dir), 'utf8')]);
  }
  return out;
}

class Skip extends Error {}

class DataLoader {
  /** External ids skipped (model absent): records referring to them are skipped too. */
  readonly skipped = new Set<string>();
  readonly viewIds: number[] = [];
  /** External ids the files declare (loaded or skipped) → the file that declares them. */
  readonly declared = new Map<string, string>();
  file = '';

  constructor(private readonly env: Env) {}

  full(addon: string, xmlid: string): string {
    return xmlid.includes('.') ? xmlid : `${addon}.${xmlid}`;
  }

  async resId(addon: string, xmlid: string): Promise<[string, number]> {
    const full = this.full(addon, xmlid);
    if (this.skipped.has(full)) throw new Skip(full);
    const dot = full.indexOf('.');
    const [row] = await this.env.cr.query<{ model: string; res_id: number }>(
      sql`SELECT model, res_id FROM ir_model_data WHERE module = ${full.slice(0, dot)} AND name = ${full.slice(dot + 1)}`,
    );
    if (!row) throw new Error(`views/${addon}: external id ${full} not found`);
    return [row.model, row.res_id];
  }

  /** Python-literal `eval` values: booleans, numbers, strings, and `[(4, ref('x'))]`-style group links. */
  async evalValue(addon: string, expr: string): Promise<unknown> {
    const refs = [...expr.matchAll(/ref\(\s*['"]([\w.]+)['"]\s*\)/g)].map((m) => m[1]);
    if (refs.length) return [[6, 0, await Promise.all(refs.map(async (r) => (await this.resId(addon, r))[1]))]];
    const t = expr.trim();
    if (t === 'True') return true;
    if (t === 'False' || t === 'None') return false;
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
    const str = /^'(.*)'$|^"(.*)"$/s.exec(t);
    if (str) return str[1] ?? str[2];
    throw new Error(`views/${addon}: unsupported eval "${expr}"`);
  }

  async upsert(addon: string, id: string, model: string, vals: Vals): Promise<number> {
    const full = this.full(addon, id);
    this.declared.set(full, this.file);
    const dot = full.indexOf('.');
    const [row] = await this.env.cr.query<{ res_id: number }>(
      sql`SELECT res_id FROM ir_model_data WHERE module = ${full.slice(0, dot)} AND name = ${full.slice(dot + 1)} AND model = ${model}`,
    );
    const recs = this.env.model(model);
    if (row && (await recs.browse([row.res_id]).call<{ ids: number[] }>('exists')).ids.length) {
      await recs.browse([row.res_id]).write(vals);
      return row.res_id;
    }
    const created = await recs.create(vals);
    await updateXmlids(this.env, [{ xml_id: full, model, res_id: created.ids[0] }]);
    return created.ids[0];
  }

  async record(addon: string, node: ArchElement): Promise<void> {
    const id = node.getAttribute('id') ?? '';
    const model = node.getAttribute('model') ?? '';
    const full = this.full(addon, id);
    this.declared.set(full, this.file);
    if (!this.env.registry.has(model)) {
      this.skipped.add(full);
      return;
    }
    const vals: Vals = {};
    try {
      for (const f of childElements(node)) {
        if (f.tagName !== 'field') continue;
        const name = f.getAttribute('name') ?? '';
        if (!this.env.registry.get(model).fields.has(name)) throw new Error(`views/${addon}: ${full}: ${model} has no field "${name}"`);
        const ref = f.getAttribute('ref');
        const ev = f.getAttribute('eval');
        if (ref !== null) vals[name] = (await this.resId(addon, ref))[1];
        else if (ev !== null) vals[name] = await this.evalValue(addon, ev);
        else if (f.getAttribute('type') === 'xml') vals[name] = childElements(f).map((c) => serializeArch(c)).join('\n');
        else vals[name] = f.textContent ?? '';
      }
      // Records of models not installed yet: a view or action of an absent model is skipped.
      for (const key of ['model', 'res_model']) {
        if (typeof vals[key] === 'string' && ['ir.ui.view', 'ir.actions.act_window'].includes(model) && !this.env.registry.has(vals[key] as string)) throw new Skip(full);
      }
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      this.skipped.add(full);
      return;
    }
    if (model === 'ir.ui.view') {
      if (!vals.mode) vals.mode = vals.inherit_id ? 'extension' : 'primary';
      // an inheriting view has its parent's type
      if (!vals.type && vals.inherit_id) vals.type = (await this.env.model('ir.ui.view').browse([vals.inherit_id as number]).fetch(['type']))[0]?.type;
      else if (!vals.type && typeof vals.arch === 'string') vals.type = parseArch(vals.arch).tagName;
    }
    const resId = await this.upsert(addon, id, model, vals);
    if (model === 'ir.ui.view') this.viewIds.push(resId);
  }

  async menuitem(addon: string, node: ArchElement): Promise<void> {
    const id = node.getAttribute('id') ?? '';
    const full = this.full(addon, id);
    this.declared.set(full, this.file);
    const vals: Vals = {};
    try {
      const parent = node.getAttribute('parent');
      if (parent) vals.parent_id = (await this.resId(addon, parent))[1];
      const action = node.getAttribute('action');
      if (action) {
        const [model, resId] = await this.resId(addon, action);
        vals.action = `${model},${resId}`;
        if (!node.getAttribute('name')) {
          const [a] = await this.env.model(model).browse([resId]).fetch(['name']);
          vals.name = a?.name;
        }
      }
      if (node.getAttribute('name')) vals.name = node.getAttribute('name');
      if (node.getAttribute('sequence')) vals.sequence = Number(node.getAttribute('sequence'));
      if (node.getAttribute('web_icon')) vals.web_icon = node.getAttribute('web_icon');
      const groups = node.getAttribute('groups');
      if (groups) {
        vals.group_ids = [[6, 0, await Promise.all(groups.split(',').map(async (g) => (await this.resId(addon, g.trim()))[1]))]];
      }
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      this.skipped.add(full);
      return;
    }
    await this.upsert(addon, id, 'ir.ui.menu', vals);
  }
}

/** Load every views/<addon>/*.xml file (of `opts.dir`, tests), drop what left them, then check all active views of served models. */
export async function loadViewData(env: Env, opts: { dir?: URL } = {}): Promise<void> {
  const sudo = env.sudo();
  // Views are checked once at the end: a view may be loaded before the extension it needs.
  const loader = new DataLoader(sudo.withContext({ install_mode: true }));
  for (const [addon, file, text] of dataFiles(env.registry.addons.map((a) => a.name), opts.dir ?? VIEWS)) {
    let root: ArchElement;
    try {
      root = parseArch(text);
    } catch (e) {
      throw new Error(`views/${addon}/${file}: ${(e as Error).message}`);
    }
    loader.file = `${addon}/${file}`;
    const nodes = root.tagName === 'odoo' ? childElements(root).flatMap((n) => (n.tagName === 'data' ? childElements(n) : [n])) : [];
    for (const node of nodes) {
      if (node.tagName === 'record') await loader.record(addon, node);
      else if (node.tagName === 'menuitem') await loader.menuitem(addon, node);
      else throw new Error(`views/${addon}/${file}: unexpected <${node.tagName}>`);
    }
  }
  await removeUndeclared(sudo, loader.declared);
  const rows = await sudo.cr.query<{ id: number; model: string }>(sql`SELECT id, model FROM ir_ui_view WHERE active AND mode = 'primary' ORDER BY id`);
  for (const r of rows) {
    if (!env.registry.has(r.model)) continue;
    const [xml] = await sudo.cr.query<{ xmlid: string }>(sql`SELECT module || '.' || name AS xmlid FROM ir_model_data WHERE model = 'ir.ui.view' AND res_id = ${r.id} LIMIT 1`);
    try {
      await checkView(sudo, r.id);
    } catch (e) {
      throw new Error(`Invalid view ${xml?.xmlid ?? r.id}: ${(e as Error).message}`);
    }
  }
}

/** Delete the records loaded from a data file whose external ids no file declares any more. */
async function removeUndeclared(env: Env, declared: Map<string, string>): Promise<void> {
  const gone = await env.cr.query<{ module: string; name: string; file: string; model: string | null; res_id: number | null }>(sql`
    SELECT f.module, f.name, f.file, d.model, d.res_id FROM ir_model_data_file f
    LEFT JOIN ir_model_data d ON d.module = f.module AND d.name = f.name
    WHERE f.module || '.' || f.name <> ALL(${[...declared.keys()]}::varchar[]) ORDER BY f.module, f.name`);
  // menus before the actions they open, views extending others before those
  const order = ['ir.ui.menu', 'ir.actions.act_window', 'ir.ui.view'];
  gone.sort((a, b) => (order.indexOf(a.model ?? '') >>> 0) - (order.indexOf(b.model ?? '') >>> 0));
  for (const model of new Set(gone.map((g) => g.model))) {
    if (!model || !env.registry.has(model)) continue;
    let ids = gone.filter((g) => g.model === model && g.res_id).map((g) => g.res_id as number);
    const parent = model === 'ir.ui.view' ? 'inherit_id' : model === 'ir.ui.menu' ? 'parent_id' : null;
    // submenus still declared move to the top level, as Odoo's menu unlink does
    if (model === 'ir.ui.menu') await env.model(model).withContext({ active_test: false }).search([['parent_id', 'in', ids], ['id', 'not in', ids]]).then((r) => r.write({ parent_id: false }));
    while (ids.length) {
      const rows = await env.model(model).withContext({ active_test: false }).browse(ids).call<{ ids: number[] }>('exists')
        .then((r) => env.model(model).browse(r.ids).fetch(parent ? [parent] : []));
      // leaves first: a view still extended (a menu still holding submenus) waits for its children
      const parents = new Set(parent ? rows.map((r) => r[parent]).filter(Boolean) : []);
      const leaves = rows.filter((r) => !parents.has(r.id)).map((r) => r.id as number);
      if (!leaves.length) break;
      await env.model(model).browse(leaves).unlink();
      ids = rows.map((r) => r.id as number).filter((id) => !leaves.includes(id));
    }
  }
  for (const g of gone) {
    await env.cr.execute(sql`DELETE FROM ir_model_data WHERE module = ${g.module} AND name = ${g.name}`);
    await env.cr.execute(sql`DELETE FROM ir_model_data_file WHERE module = ${g.module} AND name = ${g.name}`);
    env.registry.logger.info({ xmlid: `${g.module}.${g.name}`, model: g.model, res_id: g.res_id }, `views/${g.file}: ${g.module}.${g.name} is no longer declared, deleted`);
  }
  const entries = [...declared];
  await env.cr.execute(sql`
    INSERT INTO ir_model_data_file (module, name, file)
    SELECT split_part(x, '.', 1), substr(x, length(split_part(x, '.', 1)) + 2), f
    FROM unnest(${entries.map((e) => e[0])}::varchar[], ${entries.map((e) => e[1])}::varchar[]) AS v(x, f)
    ON CONFLICT (module, name) DO UPDATE SET file = EXCLUDED.file WHERE ir_model_data_file.file <> EXCLUDED.file`);
}

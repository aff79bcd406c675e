// ir.ui.menu: the application menus. A menu shows to the users of its groups (all users when it
// has none) when they also see its parents; `action` points at the window action it opens.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql, ident } from '../orm/sql.ts';
import { AccessError } from '../orm/exceptions.ts';
import { checkModelAccess, userGroups, xmlidToResId } from './ir_model_access.ts';

const ACTION_MODELS: [string, string][] = [
  ['ir.actions.report', 'ir.actions.report'], ['ir.actions.act_window', 'ir.actions.act_window'], ['ir.actions.act_url', 'ir.actions.act_url'],
  ['ir.actions.server', 'ir.actions.server'], ['ir.actions.client', 'ir.actions.client'],
];

/** SQL: neither menu `alias` nor any ancestor has groups the user is outside of. */
async function visibleCondition(env: Env, alias: string) {
  const groups = [...(await userGroups(env)).ids];
  return sql`NOT EXISTS (
    WITH RECURSIVE up(id, parent_id) AS (
      SELECT m.id, m.parent_id FROM ir_ui_menu m WHERE m.id = ${ident(alias, 'id')}
      UNION SELECT m.id, m.parent_id FROM ir_ui_menu m JOIN up ON m.id = up.parent_id
    )
    SELECT 1 FROM up WHERE EXISTS (SELECT 1 FROM ir_ui_menu_group_rel r WHERE r.menu_id = up.id)
      AND NOT EXISTS (SELECT 1 FROM ir_ui_menu_group_rel r WHERE r.menu_id = up.id AND r.gid = ANY(${groups}::int4[])))`;
}

export const IrUiMenu: ModelSpec = {
  _name: 'ir.ui.menu',
  _description: 'Menu',
  _order: 'sequence,id',
  _parent_name: 'parent_id',
  _access_filter: {
    condition: async (env, operation, alias) => (operation === 'read' ? visibleCondition(env, alias) : null),
    error: (records) => new AccessError(`You are not allowed to access 'Menu' (ir.ui.menu) records.\n\nRecords: ${records.ids.join(', ')}`),
  },
  fields: {
    name: { type: 'char', string: 'Menu', required: true, translate: true },
    active: { type: 'boolean', string: 'Active', default: true },
    sequence: { type: 'integer', string: 'Sequence', default: 10 },
    child_id: { type: 'one2many', comodel: 'ir.ui.menu', inverseName: 'parent_id', string: 'Child IDs' },
    parent_id: { type: 'many2one', comodel: 'ir.ui.menu', string: 'Parent Menu', index: true, ondelete: 'restrict' },
    parent_path: { type: 'char', string: 'Parent Path', index: true },
    group_ids: {
      type: 'many2many', comodel: 'res.groups', relation: 'ir_ui_menu_group_rel', column1: 'menu_id', column2: 'gid', string: 'Groups',
      help: "If you have groups, the visibility of this menu will be based on these groups. If this field is empty, Odoo will compute visibility based on the related object's read access.",
    },
    complete_name: { type: 'char', string: 'Full Path', compute: '_compute_complete_name', depends: ['name', 'parent_id.complete_name'] },
    web_icon: { type: 'char', string: 'Web Icon File' },
    action: { type: 'reference', string: 'Action', selection: ACTION_MODELS },
    web_icon_data: { type: 'binary', string: 'Web Icon Image' },
    display_name: { type: 'char', string: 'Display Name', compute: '_compute_display_name', search: '_search_display_name', depends: ['parent_id', 'name'] },
  },
  methods: {
    // The web client's menus: ir.ui.menu.load_menus and the web addon's load_web_menus (Odoo 19).
    load_menus: { api: 'model', params: ['debug'], readonly: true, fn: (self: RecordSet, debug: unknown) => loadMenus(self.env, !!debug) },
    load_web_menus: { api: 'model', params: ['debug'], readonly: true, fn: (self: RecordSet, debug: unknown) => loadWebMenus(self.env, !!debug) },
    _compute_complete_name: {
      api: 'record', private: true,
      fn: async (self: RecordSet) => new Map([...(await fullPaths(self))].map(([id, path]) => [id, { complete_name: path }])),
    },
    _compute_display_name: {
      api: 'record', private: true,
      fn: async (self: RecordSet) => new Map([...(await fullPaths(self))].map(([id, path]) => [id, { display_name: path }])),
    },
  },
};

/** "Parent/Child" names of the menus, following parents in SQL (sudo: a path is shown whole). */
async function fullPaths(self: RecordSet): Promise<Map<number, string>> {
  const rows = await self.env.cr.query<{ id: number; path: string }>(sql`
    WITH RECURSIVE up(start, id, parent_id, path, depth) AS (
      SELECT m.id, m.id, m.parent_id, m.name, 0 FROM ir_ui_menu m WHERE m.id = ANY(${self.ids}::int4[])
      UNION ALL
      SELECT up.start, p.id, p.parent_id, p.name || '/' || up.path, up.depth + 1
      FROM ir_ui_menu p JOIN up ON p.id = up.parent_id WHERE up.depth < 50
    )
    SELECT DISTINCT ON (start) start AS id, path FROM up ORDER BY start, depth DESC`);
  const out = new Map<number, string>(rows.map((r) => [r.id, r.path]));
  return new Map<number, string>(self.ids.map((id) => [id, out.get(id) ?? '']));
}


// The model an action opens, by action type: a menu shows when its user may read that model.
const ACTION_MODEL_FIELD: Record<string, string> = { 'ir.actions.act_window': 'res_model', 'ir.actions.report': 'model', 'ir.actions.server': 'model_name' };

interface MenuRow {
  id: number;
  name: string;
  parent_id: number | false;
  action: string | false;
  web_icon: string | false;
}

/**
 * Odoo's _visible_menu_ids: menus of none of the user's groups (Technical Features only in debug)
 * are hidden; a menu with an action shows when the action exists and its model may be read by
 * the user, and then so do its parents; a menu without one shows only as such a parent.
 */
async function visibleMenus(env: Env, debug: boolean): Promise<MenuRow[]> {
  // Odoo reads the menus with the user's rights: a user who may not read ir.ui.menu (portal) is refused
  await checkModelAccess(env, 'ir.ui.menu', 'read');
  const groups = new Set((await userGroups(env)).ids);
  if (!debug) {
    const noOne = await xmlidToResId(env.sudo(), 'base.group_no_one', 'res.groups');
    if (noOne) groups.delete(noOne);
  }
  const sudo = env.sudo().model('ir.ui.menu');
  const all = (await sudo.search([], { order: 'sequence,id' }).then((r) => r.fetch(['name', 'parent_id', 'action', 'web_icon', 'group_ids']))) as unknown as (MenuRow & { group_ids: number[] })[];
  const inGroups = new Map(all.filter((m) => !m.group_ids.length || m.group_ids.some((g) => groups.has(g))).map((m) => [m.id, m]));
  const byType = new Map<string, number[]>();
  for (const m of inGroups.values()) {
    if (!m.action) continue;
    const [type, id] = m.action.split(',');
    byType.set(type, [...(byType.get(type) ?? []), Number(id)]);
  }
  // existing actions → may the user read what they open?
  const allowed = new Set<string>();
  for (const [type, ids] of byType) {
    if (!env.registry.has(type)) continue;
    const field = ACTION_MODEL_FIELD[type];
    const rows = await env.sudo().model(type).withContext({ active_test: false }).browse(ids).call<RecordSet>('exists')
      .then((r) => r.fetch(field && env.registry.get(type).fields.has(field) ? [field] : []));
    for (const r of rows) {
      const model = field ? r[field] : false;
      if (!model || (await checkModelAccess(env, String(model), 'read', false))) allowed.add(`${type},${r.id}`);
    }
  }
  const visible = new Set<number>();
  for (const m of inGroups.values()) {
    if (!m.action || !allowed.has(m.action)) continue;
    for (let cur: MenuRow | undefined = m; cur && !visible.has(cur.id); cur = cur.parent_id ? inGroups.get(cur.parent_id) : undefined) visible.add(cur.id);
  }
  return all.filter((m) => visible.has(m.id));
}

/** ir.ui.menu.load_menus(debug): every visible menu under an application, by id, plus 'root'. */
export async function loadMenus(env: Env, debug: boolean): Promise<Record<string, Record<string, unknown>>> {
  const menus = await visibleMenus(env, debug);
  const children = new Map<number | false, number[]>();
  for (const m of menus) children.set(m.parent_id, [...(children.get(m.parent_id) ?? []), m.id]);
  const appOf = new Map<number, number>();
  const setApp = (app: number, id: number): void => {
    appOf.set(id, app);
    for (const c of children.get(id) ?? []) setApp(app, c);
  };
  for (const root of children.get(false) ?? []) setApp(root, root);
  const shown = menus.filter((m) => appOf.has(m.id));
  const ids = shown.map((m) => m.id);
  const xmlids = new Map((await env.cr.query<{ res_id: number; xmlid: string }>(sql`
    SELECT res_id, module || '.' || name AS xmlid FROM ir_model_data WHERE model = 'ir.ui.menu' AND res_id = ANY(${ids}::int4[]) ORDER BY id`)).map((r) => [r.res_id, r.xmlid]));
  const paths = new Map<string, unknown>();
  for (const m of shown) {
    if (!m.action || paths.has(m.action)) continue;
    const [type, id] = m.action.split(',');
    const [row] = env.registry.get(type).fields.has('path') ? await env.sudo().model(type).browse([Number(id)]).fetch(['path']) : [];
    paths.set(m.action, row?.path ?? false);
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of shown) {
    const [type, id] = m.action ? m.action.split(',') : [false, false];
    out[m.id] = {
      id: m.id, name: m.name, app_id: appOf.get(m.id), action_model: type, action_id: id === false ? false : Number(id),
      web_icon: m.web_icon ?? false, web_icon_data: false, web_icon_data_mimetype: false, xmlid: xmlids.get(m.id) ?? '',
      action_path: m.action ? paths.get(m.action) : false, children: children.get(m.id) ?? [],
    };
  }
  out.root = { id: false, name: 'root', children: children.get(false) ?? [] };
  return out;
}

/**
 * The web addon's load_web_menus(debug): load_menus in the web client's keys; an application
 * opens the action of its first (sub)menu that has one, and has an icon.
 */
export async function loadWebMenus(env: Env, debug: boolean): Promise<Record<string, Record<string, unknown>>> {
  const menus = await loadMenus(env, debug);
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, menu] of Object.entries(menus)) {
    if (key === 'root') {
      out.root = {
        id: 'root', name: menu.name, children: menu.children, appID: false, xmlid: '', actionID: false, actionModel: false, actionPath: false,
        webIcon: null, webIconData: null, webIconDataMimetype: null, backgroundImage: null,
      };
      continue;
    }
    let { action_id: actionId, action_model: actionModel, action_path: actionPath, web_icon: webIcon, web_icon_data: webIconData } = menu;
    if (menu.id === menu.app_id) {
      for (let child: Record<string, unknown> | false = menu; child && !actionId;) {
        ({ action_id: actionId, action_model: actionModel, action_path: actionPath } = child);
        const kids = child.children as number[];
        child = kids.length ? menus[kids[0]] : false;
      }
      const parts = typeof webIcon === 'string' && webIcon ? webIcon.split(',') : [];
      if (menu.web_icon_data) webIconData = `data:${String(menu.web_icon_data_mimetype)};base64,${String(menu.web_icon_data)}`;
      else if (parts.length === 3) webIcon = parts.join(',');
      else webIconData = '/web/static/img/default_icon_app.png';
    }
    out[key] = {
      id: menu.id, name: menu.name, children: menu.children, appID: menu.app_id, xmlid: menu.xmlid, actionID: actionId,
      actionModel, actionPath, webIcon, webIconData, webIconDataMimetype: menu.web_icon_data_mimetype,
    };
  }
  return out;
}

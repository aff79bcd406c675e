// ir.ui.menu: the application menus. A menu shows to the users of its groups (all users when it
// has none) when they also see its parents; `action` points at the window action it opens.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql, ident } from '../orm/sql.ts';
import { AccessError } from '../orm/exceptions.ts';
import { userGroups } from './ir_model_access.ts';

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


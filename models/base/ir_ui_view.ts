// ir.ui.view: view definitions (form, list, search, graph, pivot...) stored as records, combined
// through inheritance (`inherit_id`, mode primary / extension) and served by `get_views` /
// `get_view`, which every model has (models/orm/methods.ts delegates here). Archs are checked
// when written: well-formed, every spec locatable in its parent, every field named known.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { MissingError, PyValueError, UserError, ValidationError } from '../orm/exceptions.ts';
import { describeField } from '../orm/fields_get.ts';
import { userGroups } from './ir_model_access.ts';
import { xmlidLookup } from './ir_model_data.ts';
import {
  ArchError, applyInheritance, childElements, descendants, namedFields, parseArch, serializeArch, type ArchElement,
} from '../tools/view_arch.ts';

export const VIEW_TYPES: [string, string][] = [
  ['list', 'List'], ['form', 'Form'], ['graph', 'Graph'], ['pivot', 'Pivot'], ['calendar', 'Calendar'],
  ['kanban', 'Kanban'], ['search', 'Search'], ['qweb', 'QWeb'], ['activity', 'Activity'],
];

// The field attributes get_views gives per field (Odoo 19's _get_view_field_attributes).
const VIEW_FIELD_ATTRIBUTES = new Set([
  'change_default', 'context', 'currency_field', 'digits', 'domain', 'aggregator', 'groups', 'help', 'name', 'readonly',
  'related', 'relation', 'relation_field', 'required', 'searchable', 'selection', 'size', 'sortable', 'store', 'string',
  'translate', 'trim', 'type', 'groupable', 'sanitize', 'sanitize_tags',
]);

interface ViewRow {
  id: number;
  name: string;
  model: string | null;
  type: string | null;
  mode: string;
  priority: number;
  inherit_id: number | null;
  arch_db: string | null;
  active: boolean;
}

async function modelViews(env: Env, model: string): Promise<Map<number, ViewRow>> {
  const rows = await env.cr.query<ViewRow>(sql`
    SELECT id, name, model, type, mode, priority, inherit_id, arch_db, active FROM ir_ui_view WHERE model = ${model} ORDER BY priority, id`);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The arch of view `id` with its inheritance applied (its primary root's, for an extension). */
export async function combinedArch(env: Env, id: number): Promise<{ root: ViewRow; arch: ArchElement }> {
  const [row] = await env.cr.query<{ model: string | null }>(sql`SELECT model FROM ir_ui_view WHERE id = ${id}`);
  if (!row) throw new MissingError('Record does not exist or has been deleted.\n(Record: ir.ui.view(' + id + ',), User: ' + env.uid + ')');
  const views = await modelViews(env, row.model ?? '');
  let root = views.get(id)!;
  while (root.mode !== 'primary' && root.inherit_id && views.has(root.inherit_id)) root = views.get(root.inherit_id)!;
  const build = (view: ViewRow, seen: Set<number>): ArchElement => {
    if (seen.has(view.id)) throw new ArchError('Recursion in view inheritance');
    seen.add(view.id);
    let arch = parseWithName(view);
    const parent = view.inherit_id ? views.get(view.inherit_id) : undefined;
    if (view.mode === 'primary' && parent) arch = applyWithName(build(parent, seen), arch, view);
    return extend(arch, view.id, seen);
  };
  // Active extensions of `id`, by priority then id, each followed by its own extensions.
  const extend = (arch: ArchElement, parentId: number, seen: Set<number>): ArchElement => {
    for (const child of views.values()) {
      if (child.inherit_id !== parentId || child.mode !== 'extension' || !child.active) continue;
      arch = applyWithName(arch, parseWithName(child), child);
      arch = extend(arch, child.id, seen);
    }
    return arch;
  };
  return { root, arch: build(root, new Set()) };
}

function parseWithName(view: ViewRow): ArchElement {
  try {
    return parseArch(view.arch_db ?? '');
  } catch (e) {
    throw new ValidationError(`Error while validating view ${view.name} (${view.model}): ${(e as Error).message}`);
  }
}

function applyWithName(parent: ArchElement, spec: ArchElement, view: ViewRow): ArchElement {
  try {
    return applyInheritance(parent, spec);
  } catch (e) {
    if (!(e instanceof ArchError)) throw e;
    throw new ValidationError(`Error while validating view ${view.name} (${view.model}):\n\n${e.message}`);
  }
}

/** Check the combined arch of view `id`: parses, inherits, and names only fields of its model. */
export async function checkView(env: Env, id: number): Promise<void> {
  const { root, arch } = await combinedArch(env, id);
  const model = root.model ?? '';
  if (!env.registry.has(model)) throw new ValidationError(`Error while validating view ${root.name}: model "${model}" does not exist`);
  const comodelOf = (m: string, f: string) => (env.registry.has(m) ? env.registry.get(m).fields.get(f)?.comodel : undefined);
  for (const { model: m, name } of namedFields(arch, model, comodelOf)) {
    if (!env.registry.has(m) || !env.registry.get(m).fields.has(name)) {
      throw new ValidationError(`Error while validating view ${root.name} (${model}):\n\nField "${name}" does not exist in model "${m}"`);
    }
  }
  if (root.type && arch.tagName !== root.type) {
    throw new ValidationError(`Error while validating view ${root.name} (${model}): the root element is <${arch.tagName}>, the view type is ${root.type}`);
  }
}

/** Odoo's default views when a model has none of a type. */
function defaultArch(env: Env, model: string, type: string): string {
  const m = env.registry.get(model);
  const recName = m.recNameField && m.fields.has(m.recNameField) ? m.recNameField : 'id';
  switch (type) {
    case 'list': return `<list><field name="${recName}"/></list>`;
    case 'search': return `<search><field name="${recName}"/></search>`;
    case 'form': {
      const skip = new Set(['id', 'create_uid', 'create_date', 'write_uid', 'write_date', 'display_name']);
      const fields = [...m.fields.values()].filter((f) => !skip.has(f.name) && !f.spec.automatic && f.type !== 'one2many' && f.type !== 'many2many' && f.type !== 'binary');
      return `<form><sheet><group>${fields.map((f) => `<field name="${f.name}"/>`).join('')}</group></sheet></form>`;
    }
    case 'graph': return '<graph/>';
    case 'pivot': return '<pivot/>';
    default: throw new UserError(`No default view of type '${type}' could be found!`);
  }
}

/** Whether the user belongs to the `groups` attribute's groups (comma list, `!` to exclude). */
function inGroups(spec: string, groups: Set<string>, su: boolean): boolean {
  if (su) return true;
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const excluded = items.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const wanted = items.filter((g) => !g.startsWith('!'));
  if (excluded.some((g) => groups.has(g))) return false;
  return !wanted.length || wanted.some((g) => groups.has(g));
}

/** Postprocess for the user: drop nodes and fields of groups they are not in; the fields named, per model. */
async function postprocess(env: Env, arch: ArchElement, model: string): Promise<Map<string, Set<string>>> {
  const { xmlids } = await userGroups(env);
  const su = env.su || env.uid === 1;
  const comodelOf = (m: string, f: string) => (env.registry.has(m) ? env.registry.get(m).fields.get(f)?.comodel : undefined);
  const walk = (node: ArchElement, current: string): void => {
    for (const child of childElements(node)) {
      const groupsAttr = child.getAttribute('groups');
      let sub = current;
      let visible = groupsAttr === null || inGroups(groupsAttr, xmlids, su);
      if (child.tagName === 'field') {
        const field = env.registry.get(current).fields.get(child.getAttribute('name') ?? '');
        if (field?.spec.groups && !inGroups(field.spec.groups, xmlids, su)) visible = false;
        sub = comodelOf(current, child.getAttribute('name') ?? '') ?? current;
      }
      if (!visible) {
        node.removeChild(child);
        continue;
      }
      child.removeAttribute('groups');
      walk(child, sub);
    }
  };
  arch.removeAttribute('groups');
  walk(arch, model);
  const out = new Map<string, Set<string>>();
  for (const { model: m, name } of namedFields(arch, model, comodelOf)) {
    if (!out.has(m)) out.set(m, new Set());
    out.get(m)!.add(name);
  }
  return out;
}

interface ViewAnswer {
  arch: string;
  id: number | false;
  model: string;
  models: Map<string, Set<string>>;
}

/** The view to show for (view_id, view_type) of `model`: given, from `<type>_view_ref` in context, or the default. */
async function getView(env: Env, model: string, viewId: unknown, viewType: string): Promise<ViewAnswer> {
  if (!VIEW_TYPES.some(([t]) => t === viewType)) throw new PyValueError(`Invalid view type: '${viewType}'`);
  const sudo = env.sudo();
  let id: number | false = typeof viewId === 'number' && viewId ? viewId : false;
  const ref = env.context[`${viewType}_view_ref`];
  if (!id && typeof ref === 'string' && ref.includes('.')) {
    try {
      const [refModel, refId] = await xmlidLookup(sudo, ref);
      if (refModel === 'ir.ui.view') {
        const [row] = await sudo.cr.query<{ model: string }>(sql`SELECT model FROM ir_ui_view WHERE id = ${refId}`);
        if (row?.model === model) id = refId;
      }
    } catch (e) {
      if (!(e instanceof PyValueError)) throw e;
    }
  }
  if (!id) {
    const [row] = await sudo.cr.query<{ id: number }>(sql`
      SELECT id FROM ir_ui_view WHERE model = ${model} AND type = ${viewType} AND mode = 'primary' AND active
      ORDER BY priority, id LIMIT 1`);
    if (row) id = row.id;
  }
  let arch: ArchElement;
  if (id) {
    const combined = await combinedArch(sudo, id);
    arch = combined.arch;
    if (combined.root.model !== model) throw new PyValueError(`View ${id} is not a view of model ${model}`);
  } else {
    arch = parseArch(defaultArch(env, model, viewType));
  }
  const models = await postprocess(env, arch, model);
  return { arch: serializeArch(arch), id, model, models };
}

function describeFields(env: Env, model: string, names: Set<string>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of env.registry.get(model).fields.values()) {
    if (!names.has(f.name)) continue;
    const d = describeField(f, env.registry);
    if (!f.store) delete d.aggregator; // Odoo describes no aggregator for a non-stored field here
    const kept: Record<string, unknown> = {};
    for (const k of Object.keys(d).filter((k) => VIEW_FIELD_ATTRIBUTES.has(k)).sort()) kept[k] = d[k];
    out[f.name] = kept;
  }
  return out;
}

/** Odoo 19's get_views: {views: {type: {arch, id, model[, toolbar][, filters]}}, models: {model: {fields, has_activities}}}. */
export async function getViews(self: RecordSet, views: unknown, options: unknown): Promise<Record<string, unknown>> {
  if (!Array.isArray(views)) throw new PyValueError('views must be a list of [view_id, view_type] pairs');
  const opts = (options && typeof options === 'object' ? options : {}) as Record<string, unknown>;
  const env = self.env;
  const out: Record<string, Record<string, unknown>> = {};
  const models = new Map<string, Set<string>>();
  for (const pair of views) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== 'string') throw new PyValueError('views must be a list of [view_id, view_type] pairs');
    const v = await getView(env, self.model.name, pair[0], pair[1]);
    const entry: Record<string, unknown> = { arch: v.arch, id: v.id, model: v.model };
    if (opts.toolbar) entry.toolbar = {};
    if (pair[1] === 'search' && opts.load_filters) entry.filters = [];
    out[pair[1]] = entry;
    for (const [m, names] of v.models) {
      if (!models.has(m)) models.set(m, new Set());
      for (const n of names) models.get(m)!.add(n);
    }
  }
  const modelsOut: Record<string, unknown> = {};
  for (const [m, names] of models) {
    modelsOut[m] = { fields: describeFields(env, m, names), has_activities: env.registry.get(m).mixins.has('mail.activity.mixin') };
  }
  return { views: out, models: modelsOut };
}

/** Odoo 19's get_view(view_id, view_type, **options): {arch, id, model, models: {model: [field names]}}. */
export async function getOneView(self: RecordSet, viewId: unknown, viewType: unknown): Promise<Record<string, unknown>> {
  const v = await getView(self.env, self.model.name, viewId ?? false, typeof viewType === 'string' ? viewType : 'form');
  return { arch: v.arch, id: v.id, model: v.model, models: Object.fromEntries([...v.models].map(([m, s]) => [m, [...s]])) };
}

async function xmlIds(self: RecordSet): Promise<Map<number, string>> {
  const rows = await self.env.cr.query<{ res_id: number; xmlid: string }>(sql`
    SELECT DISTINCT ON (res_id) res_id, module || '.' || name AS xmlid FROM ir_model_data
    WHERE model = ${self.model.name} AND res_id = ANY(${self.ids}::int4[]) ORDER BY res_id, id`);
  return new Map(rows.map((r) => [r.res_id, r.xmlid]));
}

/** `xml_id` compute shared by views, actions and menus: the first external id, else ''. */
export async function computeXmlId(self: RecordSet): Promise<Map<number, Vals>> {
  const ids = await xmlIds(self);
  return new Map(self.ids.map((id) => [id, { xml_id: ids.get(id) ?? '' }]));
}

export const IrUiView: ModelSpec = {
  _name: 'ir.ui.view',
  _description: 'View',
  _order: 'priority,name,id',
  fields: {
    name: { type: 'char', string: 'View Name', required: true },
    model: { type: 'char', string: 'Model', index: true },
    key: { type: 'char', string: 'Key', index: 'btree_not_null' },
    priority: { type: 'integer', string: 'Sequence', default: 16, required: true },
    type: { type: 'selection', string: 'View Type', selection: VIEW_TYPES },
    arch: {
      type: 'text', string: 'View Architecture', compute: '_compute_arch', inverse: '_inverse_arch', depends: ['arch_db', 'arch_fs', 'arch_updated'],
      help: 'This field should be used when accessing view arch. It will use translation.\n                               Note that it will read `arch_db` or `arch_fs` if in dev-xml mode.',
    },
    arch_base: { type: 'text', string: 'Base View Architecture', compute: '_compute_arch_base', inverse: '_inverse_arch', depends: ['arch'], help: 'This field is the same as `arch` field without translations' },
    arch_db: { type: 'text', string: 'Arch Blob', translate: true, help: 'This field stores the view arch.' },
    arch_fs: { type: 'char', string: 'Arch Filename', help: 'File from where the view originates.\n                                                          Useful to (hard) reset broken views or to read arch from file in dev-xml mode.' },
    arch_updated: { type: 'boolean', string: 'Modified Architecture' },
    arch_prev: { type: 'text', string: 'Previous View Architecture', help: 'This field will save the current `arch_db` before writing on it.\n                                                                         Useful to (soft) reset a broken view.' },
    inherit_id: { type: 'many2one', comodel: 'ir.ui.view', string: 'Inherited View', ondelete: 'restrict', index: true },
    inherit_children_ids: { type: 'one2many', comodel: 'ir.ui.view', inverseName: 'inherit_id', string: 'Views which inherit from this one' },
    model_data_id: { type: 'many2one', comodel: 'ir.model.data', string: 'Model Data', compute: '_compute_model_data_id', search: '_search_model_data_id', depends: ['write_date'] },
    xml_id: { type: 'char', string: 'External ID', compute: '_compute_xml_id', help: 'ID of the view defined in xml file' },
    group_ids: { type: 'many2many', comodel: 'res.groups', relation: 'ir_ui_view_group_rel', column1: 'view_id', column2: 'group_id', string: 'Groups', help: 'If this field is empty, the view applies to all users. Otherwise, the view applies to the users of those groups only.' },
    mode: {
      type: 'selection', string: 'View inheritance mode', required: true, default: 'primary',
      selection: [['primary', 'Base view'], ['extension', 'Extension View']],
      help: "Only applies if this view inherits from an other one (inherit_id is not False/Null).\n\n* if extension (default), if this view is requested the closest primary view\nis looked up (via inherit_id), then all views inheriting from it with this\nview's model are applied\n* if primary, the closest primary view is fully resolved (even if it uses a\ndifferent model than this one), then this view's inheritance specs\n(<xpath/>) are applied, and the result is used as if it were this view's\nactual arch.\n",
    },
    active: { type: 'boolean', string: 'Active', default: true, help: 'If this view is inherited,\n* if True, the view always extends its parent\n* if False, the view currently does not extend its parent but can be enabled\n         ' },
    customize_show: { type: 'boolean', string: 'Show As Optional Inherit', default: false },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Model of the view', compute: '_compute_model_id', inverse: '_inverse_model_id', depends: ['model'] },
    warning_info: { type: 'html', string: 'Warning information', compute: '_compute_warning_info', depends: ['arch'] },
    invalid_locators: { type: 'json', string: 'Invalid Locators', compute: '_compute_invalid_locators', depends: ['arch', 'inherit_id'] },
  },
  _constraints: [
    {
      fields: ['arch_db', 'inherit_id', 'model', 'mode', 'type', 'active'],
      check: async (records) => {
        if (records.env.context.install_mode) return; // the data loader checks every view once loaded
        for (const id of records.ids) await checkView(records.env.sudo(), id);
      },
    },
  ],
  methods: {
    _compute_arch: {
      api: 'record', private: true,
      fn: async (self: RecordSet) => new Map((await self.fetch(['arch_db'])).map((r) => [r.id as number, { arch: r.arch_db ?? false }])),
    },
    _inverse_arch: {
      api: 'record', private: true,
      fn: async (self: RecordSet, value: unknown) => {
        await self.write({ arch_db: value });
      },
    },
    _compute_arch_base: {
      api: 'record', private: true,
      fn: async (self: RecordSet) => new Map((await self.fetch(['arch_db'])).map((r) => [r.id as number, { arch_base: r.arch_db ?? false }])),
    },
    _compute_model_data_id: {
      api: 'record', private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ res_id: number; id: number }>(sql`
          SELECT DISTINCT ON (res_id) res_id, id FROM ir_model_data WHERE model = 'ir.ui.view' AND res_id = ANY(${self.ids}::int4[]) ORDER BY res_id, id`);
        const byId = new Map(rows.map((r) => [r.res_id, r.id]));
        return new Map(self.ids.map((id) => [id, { model_data_id: byId.get(id) ?? false }]));
      },
    },
    _search_model_data_id: {
      api: 'model', private: true,
      fn: (_self: RecordSet, operator: string, value: unknown) => [['id', 'in', sql`SELECT res_id FROM ir_model_data WHERE model = 'ir.ui.view' AND ${operator === '=' || operator === 'in' ? sql`id = ANY(${Array.isArray(value) ? value : [value]}::int4[])` : sql`TRUE`}`]],
    },
    _compute_xml_id: { api: 'record', private: true, fn: computeXmlId },
    _compute_model_id: {
      api: 'record', private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['model']);
        const names = [...new Set(rows.map((r) => r.model).filter(Boolean))] as string[];
        const found = await self.env.cr.query<{ id: number; model: string }>(sql`SELECT id, model FROM ir_model WHERE model = ANY(${names}::varchar[])`);
        const byName = new Map(found.map((r) => [r.model, r.id]));
        return new Map(rows.map((r) => [r.id as number, { model_id: byName.get(r.model as string) ?? false }]));
      },
    },
    _inverse_model_id: {
      api: 'record', private: true,
      fn: async (self: RecordSet, value: unknown) => {
        const [m] = value ? await self.env.model('ir.model').sudo().browse([value as number]).fetch(['model']) : [];
        await self.write({ model: m?.model ?? false });
      },
    },
    _compute_warning_info: { api: 'record', private: true, fn: async (self: RecordSet) => new Map(self.ids.map((id) => [id, { warning_info: false }])) },
    _compute_invalid_locators: { api: 'record', private: true, fn: async (self: RecordSet) => new Map(self.ids.map((id) => [id, { invalid_locators: false }])) },
    _get_views_of: {
      api: 'model', private: true,
      fn: (self: RecordSet, model: string, views: unknown, options: unknown) => getViews(self.env.model(model), views, options),
    },
    _get_view_of: {
      api: 'model', private: true,
      fn: (self: RecordSet, model: string, viewId: unknown, viewType: unknown) => getOneView(self.env.model(model), viewId, viewType),
    },
    // Odoo's ir.ui.view.default_view(model, view_type): the id of the default primary view, or false.
    default_view: {
      api: 'model', params: ['model', 'view_type'], readonly: true,
      fn: async (self: RecordSet, model: unknown, viewType: unknown) => {
        const [row] = await self.env.sudo().cr.query<{ id: number }>(sql`
          SELECT id FROM ir_ui_view WHERE model = ${String(model)} AND type = ${String(viewType)} AND mode = 'primary' AND active ORDER BY priority, id LIMIT 1`);
        return row?.id ?? false;
      },
    },
  },
};

export { descendants };

// ir.actions.act_window: window actions (open a model in some views), what menus point at and
// what clients read to know which views to ask get_views for. Odoo stores them in table
// ir_act_window; `views` is the ordered [view_id or false, view_mode] list clients use.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { ValidationError } from '../orm/exceptions.ts';
import { computeXmlId } from './ir_ui_view.ts';

export const IrActionsActWindow: ModelSpec = {
  _name: 'ir.actions.act_window',
  _description: 'Action Window',
  _table: 'ir_act_window',
  _order: 'name, id',
  fields: {
    name: { type: 'char', string: 'Action Name', required: true, translate: true },
    type: { type: 'char', string: 'Action Type', required: true, default: 'ir.actions.act_window' },
    xml_id: { type: 'char', string: 'External ID', compute: '_compute_xml_id' },
    path: { type: 'char', string: 'Path to show in the URL' },
    help: { type: 'html', string: 'Action Description', translate: true, help: 'Optional help text for the users with a description of the target view, such as its usage and purpose.' },
    binding_model_id: { type: 'many2one', comodel: 'ir.model', string: 'Binding Model', ondelete: 'cascade', help: "Setting a value makes this action available in the sidebar for the given model." },
    binding_type: { type: 'selection', string: 'Binding Type', required: true, default: 'action', selection: [['action', 'Action'], ['report', 'Report']] },
    binding_view_types: { type: 'char', string: 'Binding View Types', default: 'list,form' },
    view_id: { type: 'many2one', comodel: 'ir.ui.view', string: 'View Ref.', ondelete: 'set null' },
    domain: { type: 'char', string: 'Domain Value', help: 'Optional domain filtering of the destination data, as a Python expression' },
    context: { type: 'char', string: 'Context Value', default: '{}', required: true, help: 'Context dictionary as Python expression, empty by default (Default: {})' },
    res_id: { type: 'integer', string: 'Record ID', help: 'Database ID of record to open in form view, when ``view_mode`` is set to \'form\' only' },
    res_model: { type: 'char', string: 'Destination Model', required: true, help: 'Model name of the object to open in the view window' },
    target: {
      type: 'selection', string: 'Target Window', default: 'current',
      selection: [['current', 'Current Window'], ['new', 'New Window'], ['fullscreen', 'Full Screen'], ['main', 'Main action of Current Window']],
    },
    view_mode: { type: 'char', string: 'View Mode', required: true, default: 'list,form', help: 'Comma-separated list of allowed view modes, such as \'form\', \'list\', \'calendar\', etc. (Default: list,form)' },
    mobile_view_mode: { type: 'char', string: 'Mobile View Mode', default: 'kanban', help: 'First view mode in mobile and small screen environments (default=\'kanban\'). If it can\'t be found among available view modes, the same mode as for wider screens is used)' },
    usage: { type: 'char', string: 'Action Usage', help: 'Used to filter menu and home actions from the user form.' },
    views: { type: 'binary', string: 'Views', compute: '_compute_views', depends: ['view_ids.view_mode', 'view_mode', 'view_id.type'], help: 'This function field computes the ordered list of views that should be enabled when displaying the result of an action, federating view mode, views and reference view. The result is returned as an ordered list of pairs (view_id,view_mode).' },
    limit: { type: 'integer', string: 'Limit', default: 80, help: 'Default limit for the list view' },
    group_ids: { type: 'many2many', comodel: 'res.groups', relation: 'ir_act_window_group_rel', column1: 'act_id', column2: 'gid', string: 'Groups' },
    search_view_id: { type: 'many2one', comodel: 'ir.ui.view', string: 'Search View Ref.' },
    filter: { type: 'boolean', string: 'Filter' },
    cache: { type: 'boolean', string: 'Data Caching', default: true, help: 'Whether the action can be cached by the web client' },
  },
  _constraints: [
    {
      fields: ['res_model'],
      check: async (records) => {
        for (const r of await records.fetch(['res_model'])) {
          if (!records.env.registry.has(String(r.res_model))) throw new ValidationError(`Invalid model name "${String(r.res_model)}" in action definition.`);
        }
      },
    },
  ],
  methods: {
    _compute_xml_id: { api: 'record', private: true, fn: computeXmlId },
    // [view_id, mode] for the reference view first, then [false, mode] for the other modes, in view_mode order.
    _compute_views: {
      api: 'record', private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['view_mode', 'view_id']);
        const viewIds = rows.map((r) => r.view_id).filter(Boolean) as number[];
        const types = new Map((await self.env.model('ir.ui.view').sudo().browse(viewIds).fetch(['type'])).map((v) => [v.id as number, v.type as string]));
        const out = new Map<number, Vals>();
        for (const r of rows) {
          const modes = String(r.view_mode ?? '').split(',').map((m) => m.trim()).filter(Boolean);
          const views: [number | false, string][] = [];
          const refType = r.view_id ? types.get(r.view_id as number) : undefined;
          if (refType && modes.includes(refType)) views.push([r.view_id as number, refType]);
          for (const m of modes) if (m !== refType || !views.length) views.push([false, m]);
          out.set(r.id as number, { views });
        }
        return out;
      },
    },
  },
};

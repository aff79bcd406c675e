// ir.actions.server: an action run on records of a model (by automation rules, or a user). Each
// state has a runner method `_run_action_<state>_multi` (all active records at once) or
// `_run_action_<state>` (once per active record), found by name as Odoo does; addons add states
// with their runner (sms: "Send SMS"). Implemented here: Update Record with a literal value and
// Multi Actions; states without a runner are refused when run, never evaluated: there is no Python
// code execution in this product.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import { UserError, AccessError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { FIELD_TYPES } from './ir_model_fields.ts';

/** Odoo's ir_actions.ServerActionWithWarningsError: running an action whose `warning` is set. */
export class ServerActionWithWarningsError extends UserError {
  override odooName = 'odoo.addons.base.models.ir_actions.ServerActionWithWarningsError';
}

/** Odoo 19's server action types (the sms addon inserts `sms` after `mail_post`). */
export const SERVER_ACTION_STATES: [string, string][] = [
  ['object_write', 'Update Record'],
  ['object_create', 'Create Record'],
  ['object_copy', 'Duplicate Record'],
  ['next_activity', 'Create Activity'],
  ['mail_post', 'Send Email'],
  ['followers', 'Add Followers'],
  ['remove_followers', 'Remove Followers'],
  ['code', 'Execute Code'],
  ['webhook', 'Send Webhook Notification'],
  ['multi', 'Multi Actions'],
];

/** The records an action runs on, from the context (`active_model`, `active_id(s)`). */
export function activeRecords(env: Env, modelName: string): RecordSet {
  const ctx = env.context;
  if (ctx.active_model !== modelName) return env.model(modelName);
  const ids = Array.isArray(ctx.active_ids) ? (ctx.active_ids as number[]) : ctx.active_id ? [ctx.active_id as number] : [];
  return env.model(modelName).browse(ids.map(Number).filter(Number.isInteger));
}

export const IrActionsServer: ModelSpec = {
  _name: 'ir.actions.server',
  _description: 'Server Actions',
  _table: 'ir_act_server',
  _order: 'sequence,name',
  fields: {
    name: { type: 'char', string: 'Action Name', required: true, translate: true },
    type: { type: 'char', string: 'Action Type', required: true, default: 'ir.actions.server' },
    usage: { type: 'selection', string: 'Usage', selection: [['ir_actions_server', 'Server Action'], ['ir_cron', 'Scheduled Action']], default: 'ir_actions_server', required: true },
    state: { type: 'selection', string: 'Type', selection: SERVER_ACTION_STATES, default: 'object_write', required: true, copy: true },
    sequence: { type: 'integer', string: 'Sequence', default: 5, help: 'When dealing with multiple actions, the execution order is based on the sequence. Low number means high priority.' },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Model', required: true, ondelete: 'cascade', index: true, help: 'Model on which the server action runs.' },
    model_name: { type: 'char', string: 'Model Name', related: 'model_id.model', readonly: true },
    binding_model_id: { type: 'many2one', comodel: 'ir.model', string: 'Binding Model', ondelete: 'cascade', help: 'Setting a value makes this action available in the sidebar for the given model.' },
    binding_type: { type: 'selection', string: 'Binding Type', selection: [['action', 'Action'], ['report', 'Report']], required: true, default: 'action' },
    binding_view_types: { type: 'char', string: 'Binding View Types', default: 'list,form' },
    parent_id: { type: 'many2one', comodel: 'ir.actions.server', string: 'Parent Action', index: true, ondelete: 'cascade' },
    child_ids: { type: 'one2many', comodel: 'ir.actions.server', inverseName: 'parent_id', string: 'Child Actions', copy: true, help: 'Child server actions that will be executed. Note that the last return returned action value will be used as global return value.' },
    code: { type: 'text', string: 'Python Code', help: 'Not executed here: code actions are refused when run.' },
    help: { type: 'html', string: 'Action Description', translate: true },
    path: { type: 'char', string: 'Path to show in the URL' },
    warning: { type: 'text', string: 'Warning', compute: '_compute_warning', readonly: true, depends: ['model_id', 'state'] },
    // "Update Record": a field of the record set to a literal value.
    update_path: { type: 'char', string: 'Field to Update Path', help: "Path to the field to update, e.g. 'partner_id.name'" },
    update_field_id: {
      type: 'many2one', comodel: 'ir.model.fields', string: 'Field to Update', ondelete: 'cascade',
      compute: '_compute_update_field_id', store: true, readonly: false, depends: ['model_id', 'update_path', 'state'],
    },
    update_field_type: { type: 'selection', string: 'Field Type', selection: FIELD_TYPES, related: 'update_field_id.ttype', readonly: true },
    evaluation_type: { type: 'selection', string: 'Value Type', selection: [['value', 'Update'], ['sequence', 'Sequence'], ['equation', 'Compute']], default: 'value' },
    value: { type: 'text', string: 'Value', help: 'For Python expressions, this field may hold a Python expression that can use the same values as for the code field on the server action,e.g. `env.user.name` to set the current user\'s name as the value or `record.id` to set the ID of the record on which the action is run.\n\nFor Static values, the value will be used directly without evaluation, e.g.`42` or `My custom name` or the selected record.' },
    update_boolean_value: { type: 'selection', string: 'Boolean Value', selection: [['true', 'Yes (True)'], ['false', 'No (False)']], default: 'true' },
  },
  methods: {
    /** Per-state warnings (addons add theirs with super); one text per action, false when fine. */
    _compute_warning: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => new Map(self.ids.map((id) => [id, { warning: false }])),
    },
    /** Odoo's `run()`: the action on the context's active records; returns the runner's result or false. */
    run: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        let res: unknown = false;
        const rows = await self.sudo().fetch(['name', 'state', 'model_name', 'warning', 'parent_id']);
        for (const row of rows) {
          if (row.warning) throw new ServerActionWithWarningsError(`Server action ${row.name} has one or more warnings, address them first.`);
          const action = self.sudo().browse([row.id as number]);
          const modelName = String(row.model_name || '');
          if (!self.env.su && self.env.registry.has(modelName)) {
            // Odoo asks for write access on the action's model, whether or not records are active
            if (!(await self.env.registry.accessChecker?.(self.env, modelName, 'write', false) ?? true)) {
              throw new AccessError(`You are not allowed to modify '${self.env.registry.get(modelName).description}' (${modelName}) records.`);
            }
          }
          const state = String(row.state);
          const methods = action.model.methods;
          if (methods.has(`_run_action_${state}_multi`)) {
            res = await action.call(`_run_action_${state}_multi`);
          } else if (methods.has(`_run_action_${state}`)) {
            const ctx = self.env.context;
            const ids = Array.isArray(ctx.active_ids) ? (ctx.active_ids as number[]) : ctx.active_id ? [ctx.active_id as number] : [];
            for (const id of ids) res = await action.withContext({ active_ids: [id], active_id: id }).call(`_run_action_${state}`);
          } else {
            const label = SERVER_ACTION_STATES.find(([k]) => k === state)?.[1] ?? state;
            throw new UserError(`Server action "${row.name}": the type "${label}" (${state}) is not supported by this server.`);
          }
        }
        return res ?? false;
      },
    },
    _compute_update_field_id: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['model_id', 'update_path', 'update_field_id', 'state']);
        const out = new Map<number, Record<string, unknown>>();
        for (const r of rows) {
          let field: unknown = r.update_field_id || false;
          if (r.state === 'object_write' && r.update_path && r.model_id) {
            const found = await self.env.cr.query<{ id: number }>(sql`SELECT f.id FROM ir_model_fields f JOIN ir_model m ON m.model = f.model WHERE m.id = ${r.model_id} AND f.name = ${String(r.update_path)}`);
            field = found[0]?.id ?? false;
          }
          out.set(r.id as number, { update_field_id: field });
        }
        return out;
      },
    },
    /** Update Record: the field written with the literal value on the active record (no expressions, no paths). */
    _run_action_object_write: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [a] = await self.sudo().fetch(['name', 'model_name', 'update_path', 'update_field_id', 'evaluation_type', 'value', 'update_boolean_value']);
        const field = a.update_field_id ? (await self.env.model('ir.model.fields').sudo().browse([a.update_field_id as number]).fetch(['name', 'ttype']))[0] : null;
        if (!field || String(a.update_path || field.name).includes('.')) throw new UserError(`Server action "${a.name}": only a field of the record itself can be updated by this server.`);
        if (a.evaluation_type && a.evaluation_type !== 'value') throw new UserError(`Server action "${a.name}": only static values are supported by this server (no sequence, no Python expression).`);
        const raw = a.value === false || a.value === null ? '' : String(a.value);
        let value: unknown;
        switch (field.ttype) {
          case 'char': case 'text': case 'html': case 'selection': case 'date': case 'datetime': value = raw || false; break;
          case 'integer': case 'many2one': value = raw ? parseInt(raw, 10) : false; break;
          case 'float': case 'monetary': value = raw ? parseFloat(raw) : 0; break;
          case 'boolean': value = a.update_boolean_value === 'true'; break;
          default: throw new UserError(`Server action "${a.name}": updating a ${field.ttype} field is not supported by this server.`);
        }
        if (typeof value === 'number' && Number.isNaN(value)) throw new UserError(`Server action "${a.name}": ${JSON.stringify(raw)} is not a valid ${field.ttype} value.`);
        await activeRecords(self.env, String(a.model_name)).write({ [String(field.name)]: value });
        return false;
      },
    },
    /** Multi Actions: the children in sequence; the last non-false result is returned. */
    _run_action_multi: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const children = await self.sudo().env.model('ir.actions.server').search([['parent_id', '=', self.ids[0]]], { order: 'sequence, id' });
        let res: unknown = false;
        for (const child of children) {
          const r = await child.withEnv(self.env.sudo()).call('run');
          if (r) res = r;
        }
        return res;
      },
    },
  },
};

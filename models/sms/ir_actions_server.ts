// sms additions to ir.actions.server: the "Send SMS" type (a template sent through the SMS
// composer to the action's records), its checks and its warnings (spec §14).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { SERVER_ACTION_STATES, activeRecords } from '../base/ir_actions_server.ts';

const STATES_WITH_SMS: [string, string][] = SERVER_ACTION_STATES.flatMap((s) => (s[0] === 'mail_post' ? [s, ['sms', 'Send SMS'] as [string, string]] : [s]));

export const SMS_METHODS: [string, string][] = [
  ['sms', 'SMS (without note)'],
  ['comment', 'SMS (with note)'],
  ['note', 'Note only'],
];

export const IrActionsServerSms: ModelSpec = {
  _name: 'ir.actions.server',
  _inherit: 'ir.actions.server',
  fields: {
    state: { type: 'selection', selection: STATES_WITH_SMS },
    sms_template_id: {
      type: 'many2one', comodel: 'sms.template', string: 'SMS Template', ondelete: 'set null',
      compute: '_compute_sms_template_id', store: true, readonly: false, depends: ['model_id', 'state'],
    },
    sms_method: {
      type: 'selection', string: 'Send SMS As', selection: SMS_METHODS,
      compute: '_compute_sms_method', store: true, readonly: false, depends: ['state'],
    },
  },
  methods: {
    _compute_sms_template_id: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['state', 'sms_template_id']);
        return new Map(rows.map((r) => [r.id as number, { sms_template_id: r.state === 'sms' ? r.sms_template_id || false : false }]));
      },
    },
    _compute_sms_method: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['state', 'sms_method']);
        return new Map(rows.map((r) => [r.id as number, { sms_method: r.state === 'sms' ? r.sms_method || 'sms' : false }]));
      },
    },
    _compute_warning: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const out = (await this.super()) as Map<number, { warning: string | false }>;
        const rows = await self.sudo().fetch(['name', 'state', 'model_id', 'sms_template_id']);
        const modelIds = [...new Set(rows.map((r) => r.model_id as number).filter(Boolean))];
        const models = new Map((await self.env.model('ir.model').sudo().browse(modelIds).fetch(['is_mail_thread', 'transient'])).map((m) => [m.id as number, m]));
        const templateIds = [...new Set(rows.map((r) => r.sms_template_id as number).filter(Boolean))];
        const templates = new Map((await self.env.model('sms.template').sudo().browse(templateIds).fetch(['model_id'])).map((t) => [t.id as number, t.model_id as number]));
        for (const r of rows) {
          if (r.state !== 'sms') continue;
          const warnings: string[] = [];
          const prev = out.get(r.id as number)?.warning;
          if (prev) warnings.push(prev);
          const model = models.get(r.model_id as number);
          if (!model || !model.is_mail_thread || model.transient) warnings.push('Sending SMS can only be done on a not transient mail.thread model');
          if (r.sms_template_id && templates.get(r.sms_template_id as number) !== r.model_id) warnings.push(`SMS template model of ${r.name} does not match action model.`);
          out.set(r.id as number, { warning: warnings.length ? warnings.join('\n\n') : false });
        }
        return out;
      },
    },
    /** Odoo's `_run_action_sms_multi`: the composer on the active records; nothing without a template. */
    _run_action_sms_multi: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [action] = await self.sudo().fetch(['model_name', 'sms_template_id', 'sms_method']);
        if (!action?.sms_template_id) return false;
        const records = activeRecords(self.env, String(action.model_name));
        if (!records.ids.length) return false;
        const composer = await self.env.model('sms.composer').withContext({
          default_res_model: records.model.name,
          default_res_ids: records.ids,
          default_composition_mode: action.sms_method === 'comment' ? 'comment' : 'mass',
          default_template_id: action.sms_template_id,
          default_mass_keep_log: action.sms_method === 'note',
          // Odoo runs a rule record by record, so records of one run are never each other's duplicates.
          sms_composer_no_batch_duplicates: !!self.env.context.automation_batch,
        }).create({});
        await composer.call('action_send_sms');
        return false;
      },
    },
  },
};

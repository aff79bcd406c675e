// sms.twilio.number: the Twilio numbers a company sends from, in order (sequence, id). The sender
// of an SMS is the first number of the destination's country, else the first number.
// Beyond Odoo: `rate_limit`, the messages per second Twilio lets this number send (long code: 1).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { MAIN_COMPANY_ID } from '../base/res_company.ts';
import { twilioConfigChanged } from './res_company.ts';

/** Odoo's action re-opening the manage wizard. */
export function manageWizardAction(resId: number | false = false, context: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Manage Twilio SMS', res_model: 'sms.twilio.account.manage', res_id: resId, context, type: 'ir.actions.act_window', views: [[false, 'form']], view_mode: 'form', target: 'new' };
}

const changed = { api: 'model' as const };

export const SmsTwilioNumber: ModelSpec = {
  _name: 'sms.twilio.number',
  _description: 'Twilio Number',
  _order: 'sequence, id',
  fields: {
    company_id: { type: 'many2one', comodel: 'res.company', string: 'Company', required: true, ondelete: 'cascade', default: MAIN_COMPANY_ID },
    sequence: { type: 'integer', string: 'Sequence', default: 1 },
    number: { type: 'char', string: 'Twilio Number', required: true },
    country_id: { type: 'many2one', comodel: 'res.country', string: 'Country', required: true },
    country_code: { type: 'char', string: 'Country Code', related: 'country_id.code', readonly: true },
    rate_limit: { type: 'float', string: 'Messages per Second', default: 1, help: 'Sending pace Twilio allows this number (long code: 1, toll-free: 3, short code: 100). 0 means no limit.' },
  },
  methods: {
    create: {
      ...changed,
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: unknown) {
        const res = await this.super(valsList);
        self.env.cr.postcommit.push(twilioConfigChanged);
        return res;
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: unknown) {
        const res = await this.super(vals);
        self.env.cr.postcommit.push(twilioConfigChanged);
        return res;
      },
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        const res = await this.super();
        self.env.cr.postcommit.push(twilioConfigChanged);
        return res;
      },
    },
    _compute_display_name: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const rows = await self.fetch(['number', 'country_id']);
        const countries = new Map((await self.env.model('res.country').sudo().browse([...new Set(rows.map((r) => r.country_id as number).filter(Boolean))]).fetch(['name'])).map((c) => [c.id as number, c.name as string]));
        return new Map(rows.map((r) => [r.id as number, { display_name: `${r.number} (${countries.get(r.country_id as number) ?? ''})` }]));
      },
    },
    /** Delete the number and re-open the manage wizard. */
    action_unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        await self.call('unlink');
        return manageWizardAction();
      },
    },
  },
};

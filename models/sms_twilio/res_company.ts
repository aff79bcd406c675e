// res.company (sms_twilio): the SMS provider of the company and its Twilio account. The account
// SID and auth token are readable and writable only by settings administrators (field groups);
// the token is never logged nor put in an error message.
//
// `iap` ("Send via Odoo") is Odoo's own SMS service; here it means the built-in simulator (the
// default, no account needed). `twilio` sends through the company's Twilio account.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { UserError } from '../orm/exceptions.ts';
import { invalidateSmsSettings } from '../sms/providers/settings.ts';
import { twilioSidError } from './data.ts';

export const SMS_PROVIDERS: [string, string][] = [['iap', 'Send via Odoo'], ['twilio', 'Send via Twilio']];

/** Listeners told when a company's Twilio settings change (the provider's cache). */
export const TWILIO_CONFIG_LISTENERS: (() => void)[] = [];
const TWILIO_FIELDS = ['sms_provider', 'sms_twilio_account_sid', 'sms_twilio_auth_token', 'sms_twilio_number_ids'];

export function twilioConfigChanged(): void {
  invalidateSmsSettings();
  for (const fn of TWILIO_CONFIG_LISTENERS) fn();
}

export const ResCompanySmsTwilio: ModelSpec = {
  _name: 'res.company',
  _inherit: 'res.company',
  fields: {
    sms_provider: { type: 'selection', string: 'SMS Provider', selection: SMS_PROVIDERS, default: 'iap' },
    sms_twilio_account_sid: { type: 'char', string: 'Account SID', groups: 'base.group_system', copy: false },
    sms_twilio_auth_token: { type: 'char', string: 'Auth Token', groups: 'base.group_system', copy: false },
    sms_twilio_number_ids: { type: 'one2many', comodel: 'sms.twilio.number', inverseName: 'company_id', string: 'Numbers' },
  },
  methods: {
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        const res = await this.super(vals);
        if (vals && typeof vals === 'object' && TWILIO_FIELDS.some((f) => f in vals)) self.env.cr.postcommit.push(twilioConfigChanged);
        return res;
      },
    },
    /** Odoo's `_assert_twilio_sid`: UserError unless the SID is `AC` + 32 letters or digits. */
    _assert_twilio_sid: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const [c] = await self.sudo().ensureOne().fetch(['sms_twilio_account_sid']);
        const err = twilioSidError(c.sms_twilio_account_sid);
        if (err) throw new UserError(err);
        return true;
      },
    },
  },
};

// sms.twilio.account.manage: the "Manage Twilio SMS" wizard: provider, account, numbers
// ("reload numbers" replaces the company's numbers by the account's), and "send test".
// Deviations: every page of IncomingPhoneNumbers is read (Odoo reads the first one); a number
// reloaded keeps the rate limit it had; the test SMS goes straight to Twilio (no sms.sms row).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { UserError } from '../orm/exceptions.ts';
import { MAIN_COMPANY_ID } from '../base/res_company.ts';
import { phoneGetRegionDataForNumber, phoneSanitize } from '../tools/phone.ts';
import { SMS_FAILURE_TYPES } from '../sms/sms_sms.ts';
import { ProviderError } from '../sms/providers/types.ts';
import { TWILIO_FAILURE_TYPES, TWILIO_STATE_MESSAGES, TWILIO_STATE_TO_FAILURE_TYPE } from './data.ts';
import { makeTwilioClient } from './twilio_client.ts';
import { createTwilioMessage, loadTwilioConfig, twilioSenderFor } from './twilio_provider.ts';
import { manageWizardAction } from './sms_twilio_number.ts';
import { SMS_PROVIDERS } from './res_company.ts';


function notification(type: 'success' | 'danger', message: string): Record<string, unknown> {
  return { type: 'ir.actions.client', tag: 'display_notification', params: { title: 'Twilio SMS', message, type, sticky: false } };
}

const FAILURE_LABELS = new Map<string, string>([...SMS_FAILURE_TYPES, ...TWILIO_FAILURE_TYPES]);
/** Odoo's `_get_sms_api_error_messages()` keyed by failure type. */
const FAILURE_MESSAGES = new Map<string, string>([
  ...Object.entries(TWILIO_STATE_TO_FAILURE_TYPE).map(([state, ft]) => [ft, TWILIO_STATE_MESSAGES[state] ?? ''] as [string, string]),
  ['sms_server', 'Server Error'],
  ['sms_acc', TWILIO_STATE_MESSAGES.sms_acc],
]);

export const SmsTwilioAccountManage: ModelSpec = {
  _name: 'sms.twilio.account.manage',
  _description: 'SMS Twilio Connection Wizard',
  _transient: true,
  fields: {
    company_id: { type: 'many2one', comodel: 'res.company', string: 'Company', required: true, readonly: true, default: MAIN_COMPANY_ID },
    sms_provider: { type: 'selection', string: 'SMS Provider', selection: SMS_PROVIDERS, related: 'company_id.sms_provider', readonly: false },
    sms_twilio_account_sid: { type: 'char', string: 'Account SID', related: 'company_id.sms_twilio_account_sid', readonly: false, groups: 'base.group_system' },
    sms_twilio_auth_token: { type: 'char', string: 'Auth Token', related: 'company_id.sms_twilio_auth_token', readonly: false, groups: 'base.group_system' },
    sms_twilio_number_ids: { type: 'one2many', comodel: 'sms.twilio.number', string: 'Numbers', related: 'company_id.sms_twilio_number_ids', readonly: false },
    test_number: { type: 'char', string: 'Test Number' },
  },
  methods: {
    action_reload_numbers: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        const [w] = await self.ensureOne().fetch(['company_id']);
        const companyId = w.company_id as number;
        const company = self.env.model('res.company').browse([companyId]);
        await company.call('_assert_twilio_sid');
        const config = await loadTwilioConfig((q) => self.env.cr.query(q), companyId);
        const client = makeTwilioClient(config.sid!, config.token ?? '', config.apiUrl);
        let phones: string[];
        try {
          phones = (await client.incomingPhoneNumbers.list({ pageSize: 50 })).map((n) => n.phoneNumber);
        } catch (err) {
          const e = err as { status?: number; code?: number; message?: string };
          if (typeof e.status === 'number') {
            self.env.registry.logger.warn({ component: 'sms_twilio', code: e.code, status: e.status }, 'Twilio SMS API error');
            return notification('danger', `Error: ${e.message ?? ''}`);
          }
          self.env.registry.logger.warn({ component: 'sms_twilio', code: (err as { code?: string }).code }, 'Twilio SMS API error');
          return notification('danger', 'An error occurred while fetching the numbers.');
        }
        const numbers = self.env.model('sms.twilio.number').sudo();
        const old = await numbers.search([['company_id', '=', companyId]]);
        const rates = new Map((await old.fetch(['number', 'rate_limit'])).map((r) => [r.number as string, r.rate_limit as number]));
        await old.call('unlink');
        const codes = [...new Set(phones.map((p) => phoneGetRegionDataForNumber(p).code).filter(Boolean))];
        const countryRows = codes.length ? await (await self.env.model('res.country').sudo().search([['code', 'in', codes]])).fetch(['code']) : [];
        const countries = new Map(countryRows.map((c) => [c.code as string, c.id as number]));
        const seen = new Set<string>();
        const vals = [];
        for (const phone of phones) {
          const country = countries.get(phoneGetRegionDataForNumber(phone).code);
          if (!country || seen.has(phone)) continue;
          seen.add(phone);
          vals.push({ company_id: companyId, number: phone, country_id: country, ...(rates.has(phone) ? { rate_limit: rates.get(phone) } : {}) });
        }
        if (vals.length) await numbers.create(vals);
        return manageWizardAction(self.ids[0], self.env.context);
      },
    },
    action_send_test: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        const [w] = await self.ensureOne().fetch(['company_id', 'test_number']);
        if (!w.test_number) throw new UserError('Please set the number to which you want to send a test SMS.');
        const config = await loadTwilioConfig((q) => self.env.cr.query(q), w.company_id as number);
        const to = phoneSanitize(w.test_number as string) || (w.test_number as string);
        const sender = twilioSenderFor(config.numbers, to);
        let failureType: string | null = null;
        if (!config.sid || !config.token) failureType = 'sms_server';
        else {
          try {
            const res = await createTwilioMessage(makeTwilioClient(config.sid, config.token, config.apiUrl), config, { uuid: crypto.randomUUID().replace(/-/g, ''), number: to, body: 'This is a test SMS from Odoo', sender: sender?.number ?? '' });
            if (res.status === 'rejected') failureType = res.failureType;
          } catch (err) {
            failureType = err instanceof ProviderError && err.kind === 'auth' ? 'sms_acc' : 'sms_server';
          }
        }
        if (!failureType) {
          const name = sender ? `${sender.number} (${sender.countryName})` : '';
          return notification('success', `The SMS has been sent from ${name}`);
        }
        if (failureType === 'unknown') return notification('danger', 'Error: unknown');
        return notification('danger', `${FAILURE_LABELS.get(failureType) ?? failureType}: ${FAILURE_MESSAGES.get(failureType) ?? 'None'}`);
      },
    },
    action_save: { api: 'record', params: [], fn: async () => ({ type: 'ir.actions.act_window_close' }) },
  },
};

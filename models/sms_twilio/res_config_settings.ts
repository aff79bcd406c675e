// res.config.settings (sms_twilio): the company's SMS provider, the button opening the
// "Manage Twilio SMS" wizard, and the answer to HELP / INFO (beyond Odoo).

import type { ModelSpec } from '../orm/model.ts';
import { MAIN_COMPANY_ID } from '../base/res_company.ts';
import { SMS_PROVIDERS } from './res_company.ts';
import { manageWizardAction } from './sms_twilio_number.ts';
import { DEFAULT_HELP_TEXT } from './controllers.ts';

export const ResConfigSettingsSmsTwilio: ModelSpec = {
  _name: 'res.config.settings',
  _inherit: 'res.config.settings',
  fields: {
    company_id: { type: 'many2one', comodel: 'res.company', string: 'Company', required: true, default: MAIN_COMPANY_ID },
    sms_provider: { type: 'selection', string: 'SMS Provider', selection: SMS_PROVIDERS, related: 'company_id.sms_provider', readonly: false, required: true },
    sms_twilio_help_text: { type: 'char', string: 'SMS Help Answer', default: DEFAULT_HELP_TEXT, help: 'Answer to HELP / INFO sent to your Twilio numbers.' },
  },
  methods: {
    action_open_sms_twilio_account_manage: { api: 'record', params: [], fn: async () => manageWizardAction() },
  },
};

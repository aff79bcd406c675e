// res.config.settings (mass_mailing_sms, beyond Odoo): the company's SMS quiet hours.

import type { ModelSpec } from '../orm/model.ts';
import { MAIN_COMPANY_ID } from '../base/res_company.ts';

export const ResConfigSettingsMassMailingSms: ModelSpec = {
  _name: 'res.config.settings',
  _inherit: 'res.config.settings',
  fields: {
    company_id: { type: 'many2one', comodel: 'res.company', string: 'Company', required: true, default: MAIN_COMPANY_ID },
    sms_quiet_hours_enabled: { type: 'boolean', string: 'SMS Quiet Hours', related: 'company_id.sms_quiet_hours_enabled', readonly: false },
    sms_quiet_hours_start: { type: 'float', string: 'SMS Window Start', related: 'company_id.sms_quiet_hours_start', readonly: false },
    sms_quiet_hours_end: { type: 'float', string: 'SMS Window End', related: 'company_id.sms_quiet_hours_end', readonly: false },
  },
};

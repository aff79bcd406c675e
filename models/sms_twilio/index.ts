// Models of Odoo's `sms_twilio` addon (plus sms.inbound, beyond Odoo), in load order, and the
// Twilio provider registered with the sending engine.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { sql } from '../orm/sql.ts';
import { bindConfigParameter } from '../base/res_config_settings.ts';
import { registerSmsProvider } from '../sms/dispatch.ts';
import { registerProviderResolver } from '../sms/providers/settings.ts';
import { MAIN_COMPANY_ID } from '../base/res_company.ts';
import { ResCompanySmsTwilio } from './res_company.ts';
import { SmsTwilioNumber } from './sms_twilio_number.ts';
import { SmsTwilioAccountManage } from './sms_twilio_account_manage.ts';
import { ResConfigSettingsSmsTwilio } from './res_config_settings.ts';
import { SmsInbound } from './sms_inbound.ts';
import { TwilioProvider } from './twilio_provider.ts';
import { DEFAULT_HELP_TEXT } from './controllers.ts';

registerSmsProvider('twilio', (registry, opts) => new TwilioProvider(registry, opts));
// The company's provider decides: `twilio` sends through Twilio, `iap` through the simulator.
registerProviderResolver(async (registry) => {
  const { rows } = await registry.pool.query<{ p: string | null }>(`SELECT sms_provider AS p FROM res_company WHERE id = $1`, [MAIN_COMPANY_ID]);
  return rows[0]?.p === 'twilio' ? 'twilio' : null;
});
bindConfigParameter('sms_twilio_help_text', { key: 'sms_twilio.help_text', type: 'char', default: DEFAULT_HELP_TEXT });

const ResConfigSettingsInbound: ModelSpec = {
  _name: 'res.config.settings',
  _inherit: 'res.config.settings',
  fields: {
    sms_twilio_help_text: { type: 'char', string: 'SMS Help Answer', default: DEFAULT_HELP_TEXT, help: 'Answer to HELP / INFO sent to your Twilio numbers.' },
  },
};

async function loadSmsTwilioData(env: Parameters<DataLoader>[0]): Promise<void> {
  // Companies created before the addon send as before.
  await env.cr.execute(sql`UPDATE res_company SET sms_provider = 'iap' WHERE sms_provider IS NULL`);
}

export const SMS_TWILIO_MODELS: ModelSpec[] = [ResCompanySmsTwilio, SmsTwilioNumber, SmsTwilioAccountManage, ResConfigSettingsSmsTwilio, ResConfigSettingsInbound, SmsInbound];
export const SMS_TWILIO_DATA: DataLoader[] = [loadSmsTwilioData];

// The `sms_twilio` addon: Twilio as an SMS provider (company settings, numbers, the manage wizard,
// status callbacks), plus sms.inbound and keyword handling (beyond Odoo).

import type { Addon } from '../orm/addon.ts';
import type { Env } from '../orm/env.ts';
import type { Registry } from '../orm/registry.ts';
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
import { SECURITY } from './security.ts';

// The company's provider decides: `twilio` sends through Twilio, `iap` through the simulator.
async function companyProvider(registry: Registry): Promise<string | null> {
  const { rows } = await registry.pool.query<{ p: string | null }>(`SELECT sms_provider AS p FROM res_company WHERE id = $1`, [MAIN_COMPANY_ID]);
  return rows[0]?.p === 'twilio' ? 'twilio' : null;
}

export const SMS_TWILIO: Addon = {
  name: 'sms_twilio',
  depends: ['sms', 'mass_mailing_sms'],
  models: [ResCompanySmsTwilio, SmsTwilioNumber, SmsTwilioAccountManage, ResConfigSettingsSmsTwilio, SmsInbound],
  data: [
    async (env: Env) => {
      // Companies created before the addon send as before.
      await env.cr.execute(sql`UPDATE res_company SET sms_provider = 'iap' WHERE sms_provider IS NULL`);
    },
  ],
  security: SECURITY,
  hooks: {
    registryBuilt: () => {
      registerSmsProvider('twilio', (registry, opts) => new TwilioProvider(registry, opts));
      registerProviderResolver(companyProvider);
      bindConfigParameter('sms_twilio_help_text', { key: 'sms_twilio.help_text', type: 'char', default: DEFAULT_HELP_TEXT });
    },
  },
};

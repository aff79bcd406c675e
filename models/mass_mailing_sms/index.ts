// The `mass_mailing_sms` addon: SMS mailings (fields and sending of mailing.mailing, SMS traces),
// SMS test wizard, campaign and list counters, the SMS recipients of partners and contacts, and
// quiet hours (beyond Odoo: company and mailing windows, SMS held until their recipient's window).

import type { Addon } from '../orm/addon.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { MailingMailingSms } from './mailing_mailing.ts';
import { MailingTraceSms } from './mailing_trace.ts';
import { MailingSmsTest } from './mailing_sms_test.ts';
import { SmsSmsMailing } from './sms_sms.ts';
import { SmsTrackerMailing, propagateSmsStates } from './sms_tracker.ts';
import { MailingListMailing } from './mailing_list.ts';
import { UtmCampaignMailing } from './utm_campaign.ts';
import { registerSmsRecipientModel } from './recipients.ts';
import { onSmsStateChange } from '../sms/hooks.ts';
import { utmMediumRef } from '../utm/utm_medium.ts';
import { SECURITY } from './security.ts';
import { SmsComposerMailing } from './sms_composer.ts';
import { QUIET_HOURS_DDL } from './queries.ts';
import { loadPhoneZoneData } from './quiet_hours.ts';
import { ResCompanyMassMailingSms } from './res_company.ts';
import { ResConfigSettingsMassMailingSms } from './res_config_settings.ts';

export const MASS_MAILING_SMS: Addon = {
  name: 'mass_mailing_sms',
  depends: ['mass_mailing', 'sms'],
  models: [MailingMailingSms, MailingTraceSms, SmsSmsMailing, SmsTrackerMailing, MailingListMailing, UtmCampaignMailing, MailingSmsTest, SmsComposerMailing, ResCompanyMassMailingSms, ResConfigSettingsMassMailingSms],
  data: [
    // The "SMS" UTM medium (mass_mailing_sms.utm_medium_sms).
    async (env: Env) => {
      await utmMediumRef(env, 'mass_mailing_sms.utm_medium_sms');
    },
    loadPhoneZoneData,
    // Companies created before these columns get the proposed window (as Odoo fills new columns with their default).
    async (env: Env) => {
      await env.cr.execute(sql`UPDATE res_company SET sms_quiet_hours_enabled = COALESCE(sms_quiet_hours_enabled, FALSE),
        sms_quiet_hours_start = COALESCE(sms_quiet_hours_start, 8), sms_quiet_hours_end = COALESCE(sms_quiet_hours_end, 21)
        WHERE sms_quiet_hours_enabled IS NULL OR sms_quiet_hours_start IS NULL OR sms_quiet_hours_end IS NULL`);
    },
  ],
  security: SECURITY,
  // Quiet hours' prefix → time zones table (filled from libphonenumber's data at start).
  schema: QUIET_HOURS_DDL,
  hooks: {
    registryBuilt: () => {
      // SMS-capable models shipped here: partners (their `phone`) and mailing contacts (`mobile`).
      registerSmsRecipientModel('res.partner', { numberFields: ['phone'], isPartner: true });
      registerSmsRecipientModel('mailing.contact', { numberFields: ['mobile'], partnerField: null });
      // SMS outcomes move traces and mailings forward.
      onSmsStateChange(propagateSmsStates);
    },
  },
};

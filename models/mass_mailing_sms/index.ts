// Models of Odoo's `mass_mailing_sms` addon (with the parts of `mass_mailing` it needs:
// mailing.mailing, mailing.trace, campaign and list extensions), in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import type { Env } from '../orm/env.ts';
import { MailingMailing } from './mailing_mailing.ts';
import { MailingTrace } from './mailing_trace.ts';
import { MailingSmsTest, MailingMailingScheduleDate } from './mailing_sms_test.ts';
import { SmsSmsMailing, MailMessageSms } from './sms_sms.ts';
import { SmsTrackerMailing } from './sms_tracker.ts';
import { MailingListMailing } from './mailing_list.ts';
import { UtmCampaignMailing } from './utm_campaign.ts';
import { LinkTrackerMailing } from './link_tracker.ts';
import { LinkTrackerClickMailing } from './link_tracker_click.ts';
import { registerSmsRecipientModel } from './recipients.ts';
import { SmsComposerMailing } from './sms_composer.ts';
import { utmMediumRef } from '../utm/utm_medium.ts';

// SMS-capable models shipped here: partners (their `phone`) and mailing contacts (`mobile`).
// Both use the mail.thread.phone mixin when phone_validation is installed.
registerSmsRecipientModel('res.partner', { numberFields: ['phone'], isPartner: true });
registerSmsRecipientModel('mailing.contact', { numberFields: ['mobile'], partnerField: null });

export const MASS_MAILING_SMS_MODELS: ModelSpec[] = [
  MailingMailing,
  MailingTrace,
  SmsSmsMailing,
  MailMessageSms,
  SmsTrackerMailing,
  MailingListMailing,
  UtmCampaignMailing,
  LinkTrackerMailing,
  LinkTrackerClickMailing,
  MailingSmsTest,
  MailingMailingScheduleDate,
  SmsComposerMailing,
];

export const MASS_MAILING_SMS_DATA: DataLoader[] = [
  // The "SMS" UTM medium (mass_mailing_sms.utm_medium_sms).
  async (env: Env) => {
    await utmMediumRef(env, 'mass_mailing_sms.utm_medium_sms');
  },
];

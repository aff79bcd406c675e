// The `mass_mailing` addon: mailing lists and contacts, subscriptions, filters, mailings and their
// traces (with the link trackers and clicks of a mailing), the mailing queue and A/B testing crons.

import type { Addon } from '../orm/addon.ts';
import { IrModelMailing } from './ir_model.ts';
import { MailingFilter } from './mailing_filter.ts';
import { MailingSubscriptionOptout } from './mailing_subscription_optout.ts';
import { MailingList } from './mailing_list.ts';
import { MailingContact } from './mailing_contact.ts';
import { MailingSubscription } from './mailing_subscription.ts';
import { MailingMailing, MAILING_QUEUE_CRON_DATA } from './mailing_mailing.ts';
import { MailingTrace } from './mailing_trace.ts';
import { MailingMailingScheduleDate } from './mailing_mailing_schedule_date.ts';
import { LinkTrackerMailing } from './link_tracker.ts';
import { LinkTrackerClickMailing } from './link_tracker_click.ts';
import { loadMassMailingData } from './data.ts';
import { SECURITY } from './security.ts';
import { AB_TESTING_CRON_DATA } from './ab_testing.ts';
import { mailingTraceDailySchema } from './queries.ts';

export const MASS_MAILING: Addon = {
  name: 'mass_mailing',
  depends: ['base', 'mail', 'utm', 'link_tracker', 'phone_validation'],
  models: [IrModelMailing, MailingSubscriptionOptout, MailingList, MailingContact, MailingSubscription, MailingFilter, MailingMailing, MailingTrace, MailingMailingScheduleDate, LinkTrackerMailing, LinkTrackerClickMailing],
  data: [loadMassMailingData],
  security: SECURITY,
  crons: [MAILING_QUEUE_CRON_DATA, AB_TESTING_CRON_DATA],
  // Per-day trace counts kept by triggers (the report pages read them).
  schema: [mailingTraceDailySchema],
};

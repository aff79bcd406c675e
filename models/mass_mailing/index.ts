// Models of Odoo's `mass_mailing` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { IrModelMailing } from './ir_model.ts';
import { MailingFilter } from './mailing_filter.ts';
import { MailingSubscriptionOptout } from './mailing_subscription_optout.ts';
import { MailingList } from './mailing_list.ts';
import { MailingContact } from './mailing_contact.ts';
import { MailingSubscription } from './mailing_subscription.ts';
import { loadMassMailingData } from './data.ts';

export const MASS_MAILING_MODELS: ModelSpec[] = [IrModelMailing, MailingSubscriptionOptout, MailingList, MailingContact, MailingSubscription, MailingFilter];
export const MASS_MAILING_DATA: DataLoader[] = [loadMassMailingData];

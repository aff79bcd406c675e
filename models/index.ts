// Every model of the product, addon by addon in dependency order (a model comes after the
// models it inherits or extends). Data loaders run after the schema, in the same order.

import type { ModelSpec } from './orm/model.ts';
import type { Env } from './orm/env.ts';
import { BASE_MODELS, BASE_DATA } from './base/index.ts';
import { MAIL_MODELS, MAIL_DATA } from './mail/index.ts';
import { UTM_MODELS, UTM_DATA } from './utm/index.ts';
import { LINK_TRACKER_MODELS, LINK_TRACKER_DATA } from './link_tracker/index.ts';
import { PHONE_VALIDATION_MODELS, PHONE_VALIDATION_DATA } from './phone_validation/index.ts';
import { MASS_MAILING_MODELS, MASS_MAILING_DATA } from './mass_mailing/index.ts';
import { SMS_MODELS, SMS_DATA } from './sms/index.ts';
import { MASS_MAILING_SMS_MODELS, MASS_MAILING_SMS_DATA } from './mass_mailing_sms/index.ts';
import { BASE_AUTOMATION_MODELS, BASE_AUTOMATION_DATA } from './base_automation/index.ts';

export type DataLoader = (env: Env) => Promise<void>;

export const MODELS: ModelSpec[] = [
  ...BASE_MODELS,
  ...MAIL_MODELS,
  ...UTM_MODELS,
  ...LINK_TRACKER_MODELS,
  ...PHONE_VALIDATION_MODELS,
  ...MASS_MAILING_MODELS,
  ...SMS_MODELS,
  ...MASS_MAILING_SMS_MODELS,
  ...BASE_AUTOMATION_MODELS,
];

export const DATA_LOADERS: DataLoader[] = [
  ...BASE_DATA,
  ...MAIL_DATA,
  ...UTM_DATA,
  ...LINK_TRACKER_DATA,
  ...PHONE_VALIDATION_DATA,
  ...MASS_MAILING_DATA,
  ...SMS_DATA,
  ...MASS_MAILING_SMS_DATA,
  ...BASE_AUTOMATION_DATA,
];

// Every model of the product, addon by addon in dependency order (a model comes after the
// models it inherits or extends). Data loaders run after the schema, in the same order.

import type { ModelSpec } from './orm/model.ts';
import type { Env } from './orm/env.ts';
import { BASE_MODELS, BASE_DATA } from './base/index.ts';
import { MAIL_MODELS, MAIL_DATA } from './mail/index.ts';
import { UTM_MODELS, UTM_DATA } from './utm/index.ts';
import { PHONE_VALIDATION_MODELS, PHONE_VALIDATION_DATA } from './phone_validation/index.ts';
import { MASS_MAILING_MODELS, MASS_MAILING_DATA } from './mass_mailing/index.ts';
import { SMS_MODELS, SMS_DATA } from './sms/index.ts';
import { MASS_MAILING_SMS_MODELS, MASS_MAILING_SMS_DATA } from './mass_mailing_sms/index.ts';
import { loadViewData } from './base/view_data.ts';

export type DataLoader = (env: Env) => Promise<void>;

export const MODELS: ModelSpec[] = [
  ...BASE_MODELS,
  ...MAIL_MODELS,
  ...UTM_MODELS,
  ...PHONE_VALIDATION_MODELS,
  ...MASS_MAILING_MODELS,
  ...SMS_MODELS,
  ...MASS_MAILING_SMS_MODELS,
];

export const DATA_LOADERS: DataLoader[] = [
  ...BASE_DATA,
  ...MAIL_DATA,
  ...UTM_DATA,
  ...PHONE_VALIDATION_DATA,
  ...MASS_MAILING_DATA,
  ...SMS_DATA,
  ...MASS_MAILING_SMS_DATA,
  // views/<addon>/*.xml, once every addon's models and data are there
  loadViewData,
];

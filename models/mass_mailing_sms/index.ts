// Models of Odoo's `mass_mailing_sms` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';

export const MASS_MAILING_SMS_MODELS: ModelSpec[] = [];
export const MASS_MAILING_SMS_DATA: DataLoader[] = [];

// Models of Odoo's `sms` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { SmsSms } from './sms_sms.ts';

export const SMS_MODELS: ModelSpec[] = [SmsSms];
export const SMS_DATA: DataLoader[] = [];

// Models of Odoo's `sms` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';

export const SMS_MODELS: ModelSpec[] = [];
export const SMS_DATA: DataLoader[] = [];

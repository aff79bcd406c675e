// Models of Odoo's `sms` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { IrModelSms } from './ir_model.ts';
import { SmsSms, loadSmsData } from './sms_sms.ts';
import { SmsCreditAccount, SmsCreditPrice } from './credit.ts';
import { SmsConfigSettings } from './providers/settings.ts';
import { SmsTracker, SmsSmsTracker } from './sms_tracker.ts';
import { SmsTemplate } from './sms_template.ts';

export const SMS_MODELS: ModelSpec[] = [IrModelSms, SmsSms, SmsTracker, SmsSmsTracker, SmsTemplate, SmsCreditPrice, SmsCreditAccount, SmsConfigSettings];
export const SMS_DATA: DataLoader[] = [loadSmsData];

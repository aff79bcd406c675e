// Models of Odoo's `sms` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { IrModelSms } from './ir_model.ts';
import { SmsSms, loadSmsData } from './sms_sms.ts';
import { SmsCreditAccount, SmsCreditPrice } from './credit.ts';
import { SmsConfigSettings } from './providers/settings.ts';
import { SmsTracker, SmsSmsTracker } from './sms_tracker.ts';
import { SmsTemplate } from './sms_template.ts';
import { SmsTemplatePreview } from './sms_template_preview.ts';
import { SmsTemplateReset } from './sms_template_reset.ts';
import { SmsComposer } from './sms_composer.ts';
import { IrActionsServerSms } from './ir_actions_server.ts';

export const SMS_MODELS: ModelSpec[] = [IrModelSms, SmsSms, SmsTracker, SmsSmsTracker, SmsTemplate, SmsTemplatePreview, SmsTemplateReset, SmsComposer, IrActionsServerSms, SmsCreditPrice, SmsCreditAccount, SmsConfigSettings];
export const SMS_DATA: DataLoader[] = [loadSmsData];

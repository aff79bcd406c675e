// The `sms` addon: outgoing SMS, templates, trackers, the sending engine's settings and tables,
// prepaid credits (product models), and the queue cron.

import type { Addon } from '../orm/addon.ts';
import { IrModelSms } from './ir_model.ts';
import { SmsSms, SMS_QUEUE_CRON_DATA } from './sms_sms.ts';
import { SmsTracker } from './sms_tracker.ts';
import { SmsTemplate } from './sms_template.ts';
import { SmsTemplatePreview } from './sms_template_preview.ts';
import { SmsTemplateReset } from './sms_template_reset.ts';
import { SmsComposer } from './sms_composer.ts';
import { IrActionsServerSms } from './ir_actions_server.ts';
import { MailMessageSms } from './mail_message.ts';
import { SmsCreditPrice } from './sms_credit_price.ts';
import { SmsCreditAccount } from './sms_credit_account.ts';
import { SmsConfigSettings } from './res_config_settings.ts';
import { loadSmsCreditData } from './credit.ts';
import { bindSmsSettings } from './providers/settings.ts';
import { SMS_ENGINE_DDL } from './dispatch.ts';
import { SMS_QUIET_HOURS_DDL } from './queries.ts';
import { SIMULATOR_DDL } from './providers/simulator.ts';
import { RATE_LIMIT_DDL } from './providers/rate_limit.ts';
import { SECURITY } from './security.ts';

export const SMS: Addon = {
  name: 'sms',
  depends: ['base', 'mail', 'phone_validation'],
  models: [IrModelSms, MailMessageSms, SmsSms, SmsTracker, SmsTemplate, SmsTemplatePreview, SmsTemplateReset, SmsComposer, IrActionsServerSms, SmsCreditPrice, SmsCreditAccount, SmsConfigSettings],
  data: [loadSmsCreditData],
  security: SECURITY,
  crons: [SMS_QUEUE_CRON_DATA],
  // The engine's technical columns on sms_sms (quiet hours' not_before included), the simulator's and the rate limiter's tables.
  schema: [...SMS_ENGINE_DDL, ...SMS_QUIET_HOURS_DDL, ...SIMULATOR_DDL, RATE_LIMIT_DDL],
  hooks: { registryBuilt: () => bindSmsSettings() },
};

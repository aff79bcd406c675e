// The `mail` addon (the parts the product needs: a minimal chatter).

import type { Addon } from '../orm/addon.ts';
import { IrModelMail } from './ir_model.ts';
import { MailMessageSubtype } from './mail_message_subtype.ts';
import { MailMessage } from './mail_message.ts';
import { MailTrackingValue } from './mail_tracking_value.ts';
import { MailThread } from './mail_thread.ts';
import { loadMailData } from './data.ts';
import { SECURITY } from './security.ts';

export const MAIL: Addon = {
  name: 'mail',
  depends: ['base'],
  models: [IrModelMail, MailMessageSubtype, MailMessage, MailTrackingValue, MailThread],
  data: [loadMailData],
  security: SECURITY,
};

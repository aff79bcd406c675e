// mail.message in sms: the `sms` message type.

import type { ModelSpec } from '../orm/model.ts';
import { MESSAGE_TYPES } from '../mail/mail_message.ts';

/**
 * The `sms` message type of mail.message (Odoo's sms addon adds it with selection_add): notes
 * logged on recipients by SMS mailings with "Keep Archives".
 */
export const MailMessageSms: ModelSpec = {
  _name: 'mail.message',
  _inherit: 'mail.message',
  fields: {
    message_type: { type: 'selection', selection: [...MESSAGE_TYPES, ['sms', 'SMS']] },
  },
};

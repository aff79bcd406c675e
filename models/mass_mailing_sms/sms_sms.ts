// mass_mailing_sms additions to sms.sms: the mailing an SMS belongs to and its trace.

import type { ModelSpec } from '../orm/model.ts';
import { MESSAGE_TYPES } from '../mail/mail_message.ts';

export const SmsSmsMailing: ModelSpec = {
  _name: 'sms.sms',
  _inherit: 'sms.sms',
  fields: {
    mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mass Mailing' },
    mailing_trace_ids: { type: 'one2many', comodel: 'mailing.trace', inverseName: 'sms_id_int', string: 'Statistics' },
  },
};


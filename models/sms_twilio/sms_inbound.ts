// sms.inbound (beyond Odoo): messages received on the company's Twilio numbers. Every inbound
// webhook is stored once (unique MessageSid: a replayed webhook changes nothing); opt-out / opt-in
// keywords act on phone.blacklist, other messages are linked to the document (contact) and the
// mailing of the last SMS trace that reached the number.

import type { ModelSpec } from '../orm/model.ts';

export const INBOUND_KEYWORDS: [string, string][] = [['stop', 'Opt-out'], ['start', 'Opt-in'], ['help', 'Help']];

export const SmsInbound: ModelSpec = {
  _name: 'sms.inbound',
  _description: 'Inbound SMS',
  _order: 'id desc',
  _rec_name: 'number',
  _sql_constraints: [['message_sid_uniq', 'unique (message_sid)', 'This message was already received.']],
  fields: {
    message_sid: { type: 'char', string: 'Twilio Message SID', required: true, readonly: true },
    number: { type: 'char', string: 'From', required: true, readonly: true, index: true },
    to_number: { type: 'char', string: 'To', readonly: true },
    body: { type: 'text', string: 'Message', readonly: true },
    keyword: { type: 'selection', string: 'Keyword', selection: INBOUND_KEYWORDS, readonly: true, help: 'Opt-out, opt-in or help keyword the message was (the whole message, any case).' },
    mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mailing', ondelete: 'set null', readonly: true },
    mailing_trace_id: { type: 'many2one', comodel: 'mailing.trace', string: 'Mailing Trace', ondelete: 'set null', readonly: true },
    res_model: { type: 'char', string: 'Document Model', readonly: true },
    res_id: { type: 'many2one_reference', string: 'Document', readonly: true },
  },
};

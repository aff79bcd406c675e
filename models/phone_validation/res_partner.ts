// res.partner gets the phone mixin (and through it the chatter): `phone_sanitized` from `phone`
// and the partner's country (Odoo 19 partners have no `mobile`).

import type { ModelSpec } from '../orm/model.ts';
import { phoneSanitizedField, phoneSearchIndex } from './mail_thread_phone.ts';

export const ResPartnerPhone: ModelSpec = {
  _name: 'res.partner',
  _inherit: ['res.partner', 'mail.thread.phone'],
  _indexes: [phoneSearchIndex('phone')],
  fields: {
    phone_sanitized: phoneSanitizedField(['phone', 'country_id']),
  },
};

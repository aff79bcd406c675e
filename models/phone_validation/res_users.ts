// res.users shows its partner's phone mixin fields (Odoo's _inherits on res.partner).

import type { ModelSpec } from '../orm/model.ts';

export const ResUsersPhone: ModelSpec = {
  _name: 'res.users',
  _inherit: 'res.users',
  fields: {
    phone_sanitized: { type: 'char', string: 'Sanitized Number', related: 'partner_id.phone_sanitized', readonly: true },
    phone_sanitized_blacklisted: { type: 'boolean', string: 'Phone Blacklisted', related: 'partner_id.phone_sanitized_blacklisted', readonly: true },
    phone_blacklisted: { type: 'boolean', string: 'Blacklisted Phone is Phone', related: 'partner_id.phone_blacklisted', readonly: true },
    phone_mobile_search: { type: 'char', string: 'Phone Number', related: 'partner_id.phone_mobile_search' },
  },
};

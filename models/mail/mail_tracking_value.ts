// mail.tracking.value: one changed field of a tracking message, old and new values kept in the
// typed columns Odoo uses (old_value_char, old_value_integer, ...).
//
// Deviation: Odoo 19 points to the field with `field_id` (ir.model.fields), which this product
// does not have; every line carries Odoo's `field_info` ({name, desc, type}, what Odoo stores for
// removed fields) and the plain `field_name` / `field_desc` / `field_type` columns for searching.

import type { ModelSpec } from '../orm/model.ts';

export const MailTrackingValue: ModelSpec = {
  _name: 'mail.tracking.value',
  _description: 'Mail Tracking Value',
  _order: 'id DESC',
  _rec_name: 'field_desc',
  fields: {
    field_info: { type: 'json', string: 'Removed field information', readonly: true },
    field_name: { type: 'char', string: 'Field Name', readonly: true, index: true },
    field_desc: { type: 'char', string: 'Field Description', readonly: true },
    field_type: { type: 'char', string: 'Field Type', readonly: true },
    old_value_integer: { type: 'integer', string: 'Old Value Integer', readonly: true },
    old_value_float: { type: 'float', string: 'Old Value Float', readonly: true },
    old_value_char: { type: 'char', string: 'Old Value Char', readonly: true },
    old_value_text: { type: 'text', string: 'Old Value Text', readonly: true },
    old_value_datetime: { type: 'datetime', string: 'Old Value DateTime', readonly: true },
    new_value_integer: { type: 'integer', string: 'New Value Integer', readonly: true },
    new_value_float: { type: 'float', string: 'New Value Float', readonly: true },
    new_value_char: { type: 'char', string: 'New Value Char', readonly: true },
    new_value_text: { type: 'text', string: 'New Value Text', readonly: true },
    new_value_datetime: { type: 'datetime', string: 'New Value Datetime', readonly: true },
    mail_message_id: { type: 'many2one', comodel: 'mail.message', string: 'Message ID', required: true, index: true, ondelete: 'cascade' },
  },
};

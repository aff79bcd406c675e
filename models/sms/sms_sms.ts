// sms.sms: one outgoing SMS to one number (Odoo's `sms` addon). The sending pipeline
// (queue, providers, credits, exactly-once dispatch) builds on these fields.

import type { ModelSpec } from '../orm/model.ts';
import type { Selection } from '../orm/fields.ts';
import { randomUUID } from 'node:crypto';

export const SMS_STATES: Selection = [
  ['outgoing', 'In Queue'],
  ['process', 'Processing'],
  ['pending', 'Sent'],
  ['sent', 'Delivered'],
  ['error', 'Error'],
  ['canceled', 'Cancelled'],
];

export const SMS_FAILURE_TYPES: Selection = [
  ['unknown', 'Unknown error'],
  ['sms_number_missing', 'Missing Number'],
  ['sms_number_format', 'Wrong Number Format'],
  ['sms_country_not_supported', 'Country Not Supported'],
  ['sms_registration_needed', 'Country-specific Registration Required'],
  ['sms_credit', 'Insufficient Credit'],
  ['sms_server', 'Server Error'],
  ['sms_acc', 'Unregistered Account'],
  ['sms_blacklist', 'Blacklisted'],
  ['sms_duplicate', 'Duplicate'],
  ['sms_optout', 'Opted Out'],
];

export const SmsSms: ModelSpec = {
  _name: 'sms.sms',
  _description: 'Outgoing SMS',
  _rec_name: 'number',
  _order: 'id DESC',
  _sql_constraints: [['uuid_unique', 'unique(uuid)', 'UUID must be unique']],
  fields: {
    uuid: { type: 'char', string: 'UUID', copy: false, readonly: true, default: () => randomUUID().replace(/-/g, '') },
    number: { type: 'char', string: 'Number' },
    body: { type: 'text', string: 'Body' },
    partner_id: { type: 'many2one', comodel: 'res.partner', string: 'Customer' },
    state: { type: 'selection', string: 'SMS Status', selection: SMS_STATES, default: 'outgoing', required: true, readonly: true, copy: false },
    failure_type: { type: 'selection', string: 'Failure Type', selection: SMS_FAILURE_TYPES, copy: false },
    to_delete: { type: 'boolean', string: 'Marked for deletion', default: false, help: 'Will automatically be deleted, while notifications will not be deleted in any case.' },
  },
};

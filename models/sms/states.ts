// The states and failure types of sms.sms (Odoo's selections), shared by the model and the
// sending engine without either importing the other.

import type { Selection } from '../orm/fields.ts';

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

/** Failure types Odoo knows; anything else a provider reports is `unknown`. */
export const SMS_FAILURE_KEYS: ReadonlySet<string> = new Set(SMS_FAILURE_TYPES.map(([k]) => k));

// sms.tracker: links the uuid of an SMS handed to a provider to what it reports on (mailing
// traces in mass_mailing_sms), so delivery reports still land after the sms.sms row is deleted.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';

export const SmsTracker: ModelSpec = {
  _name: 'sms.tracker',
  _description: 'Link SMS to mailing/sms tracking models',
  _sql_constraints: [['sms_uuid_unique', 'unique(sms_uuid)', 'A record for this UUID already exists']],
  fields: {
    sms_uuid: { type: 'char', string: 'SMS uuid', required: true },
  },
};

/** sms.sms state → mailing.trace status (Odoo's SMS_STATE_TO_TRACE_STATUS). */
export const SMS_STATE_TO_TRACE_STATUS: Record<string, string> = {
  outgoing: 'outgoing',
  process: 'process',
  pending: 'pending',
  sent: 'sent',
  error: 'error',
  canceled: 'cancel',
};

/** Provider delivery errors that mean the number bounced (trace status `bounce`). */
export const BOUNCE_DELIVERY_ERRORS = new Set(['sms_invalid_destination', 'sms_not_allowed', 'sms_rejected']);
export const DELIVERY_ERRORS = new Set([...BOUNCE_DELIVERY_ERRORS, 'sms_expired', 'sms_not_delivered']);

/**
 * Monotonic guards of `_update_sms_traces`: an update to the key status leaves alone traces already
 * in one of the listed statuses (so a late `pending` never undoes `sent`). `error` is not final.
 */
export const TRACE_STATUSES_TO_IGNORE: Record<string, string[]> = {
  cancel: ['cancel', 'process', 'pending', 'sent'],
  outgoing: ['outgoing', 'process', 'pending', 'sent'],
  process: ['process', 'pending', 'sent'],
  pending: ['pending', 'sent'],
  bounce: ['bounce'],
  sent: ['sent'],
  error: ['error'],
};

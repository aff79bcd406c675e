// Odoo 19 sms_twilio's mapping tables (observed on a running Odoo 19, sms_twilio installed).

/** Twilio REST error `code` at send time → Odoo's internal provider state. */
export const TWILIO_SEND_ERROR_TO_STATE: Record<string, string> = {
  '21211': 'wrong_number_format',
  '21614': 'wrong_number_format',
  '21265': 'wrong_number_format',
  '21604': 'sms_number_missing',
  '21266': 'twilio_from_to',
  '21603': 'twilio_from_missing',
  '21608': 'twilio_acc_unverified',
  '21609': 'twilio_callback',
};

/** Internal provider state → sms failure_type (anything else: `unknown`). */
export const TWILIO_STATE_TO_FAILURE_TYPE: Record<string, string> = {
  server_error: 'sms_server',
  sms_number_missing: 'sms_number_missing',
  wrong_number_format: 'sms_number_format',
  twilio_acc_unverified: 'sms_acc',
  twilio_authentication: 'sms_credit',
  twilio_callback: 'twilio_callback',
  twilio_from_missing: 'twilio_from_missing',
  twilio_from_to: 'twilio_from_to',
};

/** Default failure reasons per internal state (used when Twilio gives no message). */
export const TWILIO_STATE_MESSAGES: Record<string, string> = {
  sms_acc: 'Trial Account Limitation',
  sms_number_missing: "A 'To' phone number is required",
  twilio_acc_unverified: 'Unverified recipient on Trial Account',
  twilio_authentication: 'Twilio Authentication Error',
  twilio_callback: 'Twilio StatusCallback URL is incorrect',
  twilio_from_missing: "A 'From' number is required to send a message",
  twilio_from_to: "'To' and 'From' numbers cannot be the same",
  wrong_number_format: "The number you're trying to reach is not correctly formatted",
  unknown: 'Unknown error, please contact Odoo support',
  server_error: 'Unknown failure at sending, please contact Odoo support',
};

/** Status callback `SmsStatus` → sms state; `error` takes the error path. */
export const TWILIO_STATUS_TO_SMS_STATE: Record<string, string> = {
  queued: 'outgoing',
  sending: 'process',
  sent: 'pending',
  delivered: 'sent',
  receiving: 'process',
  received: 'pending',
  accepted: 'outgoing',
  scheduled: 'outgoing',
  canceled: 'canceled',
  failed: 'error',
  undelivered: 'error',
};

/** Status callback `ErrorCode` (failed/undelivered) → delivery error, stored as `sms_<error>`. */
export const TWILIO_DELIVERY_ERROR_CODES: Record<string, string> = {
  '30002': 'expired',
  '30003': 'invalid_destination',
  '30004': 'rejected',
  '30005': 'invalid_destination',
  '30006': 'not_allowed',
  '30007': 'rejected',
  '30008': 'not_delivered',
};

/** Delivery errors sms.tracker knows (the others become `unknown`). */
export const TWILIO_DELIVERY_FAILURE_TYPES = new Set(['sms_expired', 'sms_invalid_destination', 'sms_not_allowed', 'sms_not_delivered', 'sms_rejected']);

/** failure_type selection values sms_twilio adds (mailing.trace, mail.notification). */
export const TWILIO_FAILURE_TYPES: [string, string][] = [
  ['twilio_authentication', 'Authentication Error"'],
  ['twilio_callback', 'Incorrect callback URL'],
  ['twilio_from_missing', 'Missing From Number'],
  ['twilio_from_to', 'From / To identic'],
];

/** Failure type of a send-time Twilio error code (Odoo's two tables chained). */
export function sendErrorFailureType(code: number | string | undefined): { state: string; failureType: string } {
  const state = (code !== undefined && TWILIO_SEND_ERROR_TO_STATE[String(code)]) || 'unknown';
  return { state, failureType: TWILIO_STATE_TO_FAILURE_TYPE[state] ?? 'unknown' };
}

/** Delivery failure type of a failed/undelivered callback (Odoo: unmapped `undelivered` is not_delivered). */
export function deliveryFailureType(status: string, errorCode: string | undefined): string {
  const err = (errorCode && TWILIO_DELIVERY_ERROR_CODES[errorCode]) || (status === 'undelivered' ? 'not_delivered' : undefined);
  const ft = err ? `sms_${err}` : undefined;
  return ft && TWILIO_DELIVERY_FAILURE_TYPES.has(ft) ? ft : 'unknown';
}

export const SID_LENGTH_ERROR = "Invalid Twilio Account SID: must start with 'AC' and be 34 characters long.";
export const SID_CHARS_ERROR = "Invalid Twilio Account SID: must only contain alphanumeric characters after 'AC'.";

/** Odoo's `_assert_twilio_sid`: the error message, or null when the SID is well formed. */
export function twilioSidError(sid: unknown): string | null {
  if (typeof sid !== 'string' || !sid.startsWith('AC') || sid.length !== 34) return SID_LENGTH_ERROR;
  if (!/^[A-Za-z0-9]{32}$/.test(sid.slice(2))) return SID_CHARS_ERROR;
  return null;
}

// HTTP endpoints of sms_twilio, independent of the web framework (server/app.ts wires them):
//
//   POST /sms_twilio/status/<uuid>  Twilio's StatusCallback (Odoo 19's route). 404 for anything
//        malformed or forged, including a company without auth token (Odoo answers 500 there);
//        200 with an empty body for a well-signed unknown uuid; else the delivery report is
//        applied (idempotent, never backwards) and the answer is "OK".
//   POST /sms_twilio/inbound        messages sent to our numbers (beyond Odoo): STOP / START /
//        HELP keywords and other replies, answered in TwiML.
//
// Signatures are checked with the package's validateRequest (HMAC-SHA1 over the URL we gave
// Twilio, i.e. web.base.url + path, and every posted field), a constant-time comparison.

import twilio from 'twilio';
import { TransactionConflict, type Registry } from '../orm/registry.ts';
import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { formatDatetime } from '../orm/fields.ts';
import { escapeHtml } from '../mail/mail_thread.ts';
import { getParam } from '../base/ir_config_parameter.ts';
import { phoneSanitize } from '../tools/phone.ts';
import { isNumberTaken } from '../phone_validation/phone_blacklist.ts';
import { applyDeliveryReports } from '../sms/dispatch.ts';
import type { DeliveryReport } from '../sms/providers/types.ts';
import { deliveryFailureType, TWILIO_STATUS_TO_SMS_STATE } from './data.ts';
import { loadTwilioConfig } from './twilio_provider.ts';

export interface HttpAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export interface TwilioRequest {
  /** X-Twilio-Signature header. */
  signature: string | undefined;
  /** Posted form fields (every one takes part in the signature). */
  params: Record<string, string | string[]>;
}

const NOT_FOUND: HttpAnswer = { status: 404, body: '' };
const UUID = /^[0-9a-f]{32}$/;

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

async function signedWith(env: Env, path: string, req: TwilioRequest): Promise<boolean> {
  const config = await loadTwilioConfig((q) => env.cr.query(q));
  if (!config.token || !req.signature) return false;
  return twilio.validateRequest(config.token, req.signature, `${config.baseUrl}${path}`, req.params);
}

/** POST /sms_twilio/status/<uuid>. */
export async function twilioStatusCallback(registry: Registry, uuid: string, req: TwilioRequest): Promise<HttpAnswer> {
  if (!UUID.test(uuid)) return NOT_FOUND;
  const status = one(req.params.SmsStatus) ?? '';
  const state = Object.hasOwn(TWILIO_STATUS_TO_SMS_STATE, status) ? TWILIO_STATUS_TO_SMS_STATE[status] : undefined;
  if (!state) return NOT_FOUND;
  return registry.sudo(async (env) => {
    if (!(await signedWith(env, `/sms_twilio/status/${uuid}`, req))) return NOT_FOUND;
    const known = await env.cr.query(sql`SELECT 1 FROM sms_sms WHERE uuid = ${uuid} UNION ALL SELECT 1 FROM sms_tracker WHERE sms_uuid = ${uuid} LIMIT 1`);
    if (!known.length) return { status: 200, body: '' };
    const sid = one(req.params.MessageSid) ?? one(req.params.SmsSid);
    if (sid) await env.cr.execute(sql`UPDATE sms_sms SET provider_ref = ${sid} WHERE uuid = ${uuid} AND provider_ref IS NULL`);
    // Initial and cancelled statuses never move an SMS back: nothing to report.
    if (state === 'process' || state === 'pending' || state === 'sent' || state === 'error') {
      const report: DeliveryReport = { uuid, state };
      if (state === 'error') {
        report.failureType = deliveryFailureType(status, one(req.params.ErrorCode));
        report.failureReason = one(req.params.ErrorMessage) ?? undefined;
      }
      await applyDeliveryReports(env, [report]);
    }
    return { status: 200, body: 'OK', contentType: 'text/html; charset=utf-8' };
  });
}

// Carriers' keywords: the whole message, trimmed, any case.
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

export const DEFAULT_HELP_TEXT = 'Reply STOP to unsubscribe, START to subscribe again.';

export function inboundKeyword(body: string): 'stop' | 'start' | 'help' | null {
  const word = body.trim().toUpperCase();
  return OPT_OUT.has(word) ? 'stop' : OPT_IN.has(word) ? 'start' : HELP.has(word) ? 'help' : null;
}

function twiml(message?: string): HttpAnswer {
  const inner = message ? `<Message>${escapeHtml(message)}</Message>` : '';
  return { status: 200, body: `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`, contentType: 'text/xml; charset=utf-8' };
}

/** POST /sms_twilio/inbound. */
export async function twilioInbound(registry: Registry, req: TwilioRequest): Promise<HttpAnswer> {
  const sid = one(req.params.MessageSid) ?? one(req.params.SmsSid);
  const from = one(req.params.From);
  if (!sid || !from) return NOT_FOUND;
  return registry.sudo(async (env) => {
    if (!(await signedWith(env, '/sms_twilio/inbound', req))) return NOT_FOUND;
    const body = one(req.params.Body) ?? '';
    const keyword = inboundKeyword(body);
    const helpText = (await getParam(env, 'sms_twilio.help_text')) || DEFAULT_HELP_TEXT;
    const number = phoneSanitize(from) || from;
    // The last mailing SMS that reached this number: the contact and mailing the reply belongs to.
    const [trace] = await env.cr.query<{ id: number; mass_mailing_id: number | null; model: string; res_id: number }>(sql`
      SELECT id, mass_mailing_id, model, res_id FROM mailing_trace
      WHERE trace_type = 'sms' AND sms_number = ${number} AND trace_status NOT IN ('outgoing', 'cancel', 'error', 'bounce') ORDER BY id DESC LIMIT 1`);
    const inserted = await env.cr.query(sql`
      INSERT INTO sms_inbound (message_sid, number, to_number, body, keyword, mailing_id, mailing_trace_id, res_model, res_id, create_uid, write_uid, create_date, write_date)
      VALUES (${sid}, ${number}, ${one(req.params.To) ?? null}, ${body}, ${keyword}, ${trace?.mass_mailing_id ?? null}, ${trace?.id ?? null}, ${trace?.model ?? null}, ${trace?.res_id ?? null},
              1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
      ON CONFLICT (message_sid) DO NOTHING RETURNING id`);
    // A replayed webhook: already handled, same answer.
    if (inserted.length && (keyword === 'stop' || keyword === 'start')) {
      const when = formatDatetime(new Date());
      const word = escapeHtml(body.trim().toUpperCase());
      const blacklist = env.model('phone.blacklist').sudo();
      try {
        if (keyword === 'stop') await blacklist.call('_add', [number], `<p>Blacklisted: the number replied ${word} by SMS on ${when} (UTC).</p>`);
        else await blacklist.call('_remove', [number], `<p>Unblacklisted: the number replied ${word} by SMS on ${when} (UTC).</p>`);
      } catch (err) {
        // Another message of this number (a double send) added it meanwhile: handle this one again, after it.
        if (isNumberTaken(err)) throw new TransactionConflict('phone.blacklist: number added concurrently');
        throw err;
      }
    }
    return keyword === 'help' ? twiml(helpText) : twiml();
  });
}

// POST /sms/status: delivery reports in the IAP format (`message_statuses=[{sms_status, uuids}]`),
// routed to the sending engine. Public route, as in Odoo's `sms` addon.

import type { RpcContext } from './context.ts';
import type { JsonRpcHandler } from './jsonrpc.ts';
import { UserError } from '../models/orm/exceptions.ts';
import { applyDeliveryReports } from '../models/sms/dispatch.ts';
import { DELIVERY_ERRORS } from '../models/sms/sms_tracker.ts';
import type { DeliveryReport } from '../models/sms/providers/types.ts';

const UUID_RE = /^[0-9a-f]{32}$/;
const STATUS_RE = /^\w+$/;
// IAP statuses that are SMS states (Odoo's IAP_TO_SMS_STATE_SUCCESS); the rest are provider errors.
const IAP_TO_SMS_STATE: Record<string, 'process' | 'pending' | 'sent'> = { processing: 'process', success: 'pending', sent: 'pending', delivered: 'sent' };

/**
 * Odoo's sms.tracker `_action_update_from_provider_error`: a known delivery error keeps its type
 * (the bounce ones become trace status `bounce` in the SMS state hook); any other status is
 * `unknown` with the raw status as reason.
 */
export function providerErrorReport(uuid: string, status: string): DeliveryReport {
  const failureType = `sms_${status}`;
  if (!DELIVERY_ERRORS.has(failureType)) return { uuid, state: 'error', failureType: 'unknown', failureReason: status };
  return { uuid, state: 'error', failureType };
}

export function smsStatus(ctx: RpcContext): JsonRpcHandler {
  return async (params) => {
    const statuses = (params as { message_statuses?: unknown }).message_statuses;
    const valid = Array.isArray(statuses) && statuses.every((s) => {
      const e = s as { sms_status?: unknown; uuids?: unknown };
      return typeof e?.sms_status === 'string' && STATUS_RE.test(e.sms_status) && Array.isArray(e.uuids) && e.uuids.length > 0 && e.uuids.every((u) => typeof u === 'string' && UUID_RE.test(u));
    });
    // Odoo 19 means this UserError but fails building it (a TypeError); we answer what it means.
    if (!valid) throw new UserError('Bad parameters');
    const reports: DeliveryReport[] = [];
    for (const s of statuses as { sms_status: string; uuids: string[] }[]) {
      const state = IAP_TO_SMS_STATE[s.sms_status];
      for (const uuid of s.uuids) reports.push(state ? { uuid, state } : providerErrorReport(uuid, s.sms_status));
    }
    await ctx.registry.sudo((env) => applyDeliveryReports(env, reports));
    return 'OK';
  };
}

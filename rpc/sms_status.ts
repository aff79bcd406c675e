// POST /sms/status: delivery reports in the IAP format (`message_statuses=[{sms_status, uuids}]`),
// routed to the sending engine. Public route, as in Odoo's `sms` addon.

import type { RpcContext } from './context.ts';
import type { JsonRpcHandler } from './jsonrpc.ts';
import { PyTypeError } from '../models/orm/exceptions.ts';
import { applyDeliveryReports } from '../models/sms/dispatch.ts';
import type { DeliveryReport } from '../models/sms/providers/types.ts';

const UUID_RE = /^[0-9a-f]{32}$/;
const STATUS_RE = /^\w+$/;
// IAP statuses meaning "accepted/delivered" (IAP_TO_SMS_STATE_SUCCESS); the rest are provider errors.
const DELIVERED = new Set(['delivered']);
const IN_FLIGHT = new Set(['processing', 'success', 'sent']);

export function smsStatus(ctx: RpcContext): JsonRpcHandler {
  return async (params) => {
    const statuses = (params as { message_statuses?: unknown }).message_statuses;
    const valid = Array.isArray(statuses) && statuses.every((s) => {
      const e = s as { sms_status?: unknown; uuids?: unknown };
      return typeof e?.sms_status === 'string' && STATUS_RE.test(e.sms_status) && Array.isArray(e.uuids) && e.uuids.length > 0 && e.uuids.every((u) => typeof u === 'string' && UUID_RE.test(u));
    });
    // Odoo 19 means a UserError "Bad parameters" here but fails with this TypeError (verified).
    if (!valid) throw new PyTypeError("UserError.__init__() got an unexpected keyword argument 'status'");
    const reports: DeliveryReport[] = [];
    for (const s of statuses as { sms_status: string; uuids: string[] }[]) {
      if (IN_FLIGHT.has(s.sms_status)) continue; // already `pending` once handed over: nothing to move
      for (const uuid of s.uuids) {
        reports.push(DELIVERED.has(s.sms_status) ? { uuid, state: 'sent' } : { uuid, state: 'error', failureType: `sms_${s.sms_status}`, failureReason: s.sms_status });
      }
    }
    if (reports.length) await ctx.registry.sudo((env) => applyDeliveryReports(env, reports));
    return 'OK';
  };
}

// Shared helpers of the mass_mailing_sms suites.

import type { TestRegistry } from './registry.ts';

export async function modelId(t: TestRegistry, model: string): Promise<number> {
  return (await t.call('ir.model', 'search', [[['model', '=', model]]]))[0];
}

export interface TraceRow {
  id: number;
  res_id: number;
  trace_status: string;
  failure_type: string | false;
  sms_number: string | false;
  sms_code: string | false;
  sms_id_int: number;
  trace_type: string;
  model: string;
}

/** Traces of a mailing keyed by res_id. */
export async function tracesByRes(t: TestRegistry, mailingId: number): Promise<Map<number, TraceRow>> {
  const rows: TraceRow[] = await t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailingId]], ['res_id', 'trace_status', 'failure_type', 'sms_number', 'sms_code', 'sms_id_int', 'trace_type', 'model']]);
  return new Map(rows.map((r) => [r.res_id, r]));
}

export async function smsOf(t: TestRegistry, mailingId: number): Promise<{ id: number; number: string; body: string; state: string; partner_id: [number, string] | false; uuid: string }[]> {
  return t.call('sms.sms', 'search_read', [[['mailing_id', '=', mailingId]], ['number', 'body', 'state', 'partner_id', 'uuid']], { order: 'id' });
}

/** An SMS mailing on res.partner restricted to `ids`. */
export async function partnerMailing(t: TestRegistry, ids: number[], body: string, extra: Record<string, unknown> = {}): Promise<number> {
  return t.call('mailing.mailing', 'create', [{
    subject: 'Partner mailing', mailing_type: 'sms', mailing_model_id: await modelId(t, 'res.partner'), body_plaintext: body,
    mailing_domain: `[('id', 'in', [${ids.join(', ')}])]`, ...extra,
  }]);
}

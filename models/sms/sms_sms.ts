// sms.sms: one outgoing SMS to one number (Odoo's `sms` addon), with Odoo's public methods.
// Sending itself is the engine's (models/sms/dispatch.ts): claims, providers, credits,
// exactly-once dispatch, delivery reports. Its technical columns (lease, attempts, provider id,
// credit) live on the same table but are not fields: fields_get stays Odoo's.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { randomUUID } from 'node:crypto';
import { sql } from '../orm/sql.ts';
import { PyValueError } from '../orm/exceptions.ts';
import { SMS_STATE_HOOKS, type SmsStateUpdate } from './hooks.ts';
import { triggerCron } from '../base/ir_cron.ts';
import type { CronData } from '../orm/addon.ts';
import { dispatchSmsNow, smsEngine, smsQueueHasWork, SMS_QUEUE_CRON } from './dispatch.ts';
import { estimateCost } from './credit.ts';
import { SMS_FAILURE_TYPES, SMS_STATES } from './states.ts';

export { SMS_FAILURE_TYPES, SMS_STATES };

/** Write a state on SMS (never on ones being sent: their outcome belongs to the engine) and tell the hooks. */
async function setStates(self: RecordSet, state: SmsStateUpdate['state'], failureType: string | null, extra = sql``): Promise<SmsStateUpdate[]> {
  if (!self.ids.length) return [];
  await self.checkAccess('write');
  // SQL rather than write(): `state` is readonly, and the `state <> 'process'` guard must be atomic.
  const rows = await self.env.cr.query<{ id: number; uuid: string }>(sql`
    UPDATE sms_sms SET state = ${state}, failure_type = ${failureType}::varchar, write_uid = ${self.env.uid}, write_date = now() AT TIME ZONE 'UTC'${extra}
    WHERE id = ANY(${self.ids}::int4[]) AND state <> 'process' RETURNING id, uuid`);
  const updates = rows.map((r) => ({ smsId: r.id, uuid: r.uuid, state, failureType, failureReason: null }));
  for (const hook of SMS_STATE_HOOKS) await hook(self.env.sudo(), updates);
  return updates;
}

/** Ids among `self` that `send()` may send: outgoing and not marked for deletion. */
async function sendable(self: RecordSet): Promise<number[]> {
  if (!self.ids.length) return [];
  const rows = await self.env.cr.query<{ id: number }>(sql`SELECT id FROM sms_sms WHERE id = ANY(${self.ids}::int4[]) AND state = 'outgoing' AND NOT to_delete ORDER BY id`);
  return rows.map((r) => r.id);
}

/**
 * `send()` runs the engine once the caller's transaction has committed (the engine needs its own
 * short transactions); over RPC that is still before the answer goes back, as in Odoo.
 */
async function sendAfterCommit(self: RecordSet, unlinkFailed: unknown, unlinkSent: unknown): Promise<number[]> {
  // Odoo reads the state of the SMS first: refused to users who may not read them.
  if (self.ids.length) await self.checkAccess('read');
  const ids = await sendable(self);
  if (!ids.length) return ids;
  const registry = self.env.registry;
  const opts = { unlinkFailed: !!unlinkFailed, unlinkSent: unlinkSent === undefined || unlinkSent === null ? true : !!unlinkSent };
  self.env.cr.postcommit.push(async () => {
    await dispatchSmsNow(registry, ids, opts);
  });
  return ids;
}

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
    mail_message_id: { type: 'many2one', comodel: 'mail.message', string: 'Mail Message', index: true, ondelete: 'set null' },
    state: { type: 'selection', string: 'SMS Status', selection: SMS_STATES, default: 'outgoing', required: true, readonly: true, copy: false },
    failure_type: { type: 'selection', string: 'Failure Type', selection: SMS_FAILURE_TYPES, copy: false },
    to_delete: { type: 'boolean', string: 'Marked for deletion', default: false, help: 'Will automatically be deleted, while notifications will not be deleted in any case.' },
    // The tracker of its uuid (not stored).
    sms_tracker_id: { type: 'many2one', comodel: 'sms.tracker', string: 'SMS trackers', compute: '_compute_sms_tracker_id', depends: ['uuid'] },
  },
  methods: {
    _compute_sms_tracker_id: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; tracker: number | null }>(
          sql`SELECT s.id, t.id AS tracker FROM sms_sms s LEFT JOIN sms_tracker t ON t.sms_uuid = s.uuid WHERE s.id = ANY(${self.ids}::int4[])`,
        );
        return new Map(rows.map((r) => [r.id, { sms_tracker_id: r.tracker ?? false }]));
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const res = await this.super(valsList);
        // Like Odoo: new SMS wake the SMS queue cron.
        await triggerCron(self.env, SMS_QUEUE_CRON);
        return res;
      },
    },
    send: {
      api: 'record',
      params: [['unlink_failed', false], ['unlink_sent', true], ['raise_exception', false]],
      fn: async (self: RecordSet, unlinkFailed: unknown, unlinkSent: unknown) => {
        await sendAfterCommit(self, unlinkFailed, unlinkSent);
        return null;
      },
    },
    _send: {
      api: 'record',
      private: true,
      params: [['unlink_failed', false], ['unlink_sent', true], ['raise_exception', false]],
      fn: async (self: RecordSet, unlinkFailed: unknown, unlinkSent: unknown) => {
        await sendAfterCommit(self, unlinkFailed, unlinkSent);
        return null;
      },
    },
    resend_failed: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        // Odoo reads the state of the SMS, then writes the ones in error.
        if (self.ids.length) {
          await self.checkAccess('read');
          await self.checkAccess('write');
        }
        const rows = self.ids.length
          ? await self.env.cr.query<{ id: number }>(sql`
              UPDATE sms_sms SET state = 'outgoing', failure_type = NULL, attempt = 0, next_try = NULL, write_uid = ${self.env.uid}, write_date = now() AT TIME ZONE 'UTC'
              WHERE id = ANY(${self.ids}::int4[]) AND state = 'error' AND NOT to_delete RETURNING id`)
          : [];
        const params: Vals = { title: 'Warning', message: 'There are no SMS Text Messages to resend.', type: 'danger' };
        const action = { type: 'ir.actions.client', tag: 'display_notification', params };
        if (!rows.length) return action;
        const ids = rows.map((r) => r.id);
        const total = self.ids.length;
        const registry = self.env.registry;
        params.message = 'The SMS Text Messages could not be resent.';
        // The sending happens after commit (own transactions); the notification is completed
        // then, before the RPC answer is encoded.
        self.env.cr.postcommit.push(async () => {
          await dispatchSmsNow(registry, ids);
          const { rows: done } = await registry.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sms_sms WHERE id = ANY($1::int4[]) AND state IN ('pending', 'sent')`, [ids]);
          const success = done[0]?.n ?? 0;
          if (success > 0) {
            params.title = 'Success';
            params.type = 'success';
            params.message = `${success} out of the ${total} selected SMS Text Messages have successfully been resent.`;
          }
        });
        return action;
      },
    },
    action_set_canceled: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        await setStates(self, 'canceled', null);
        return null;
      },
    },
    action_set_error: {
      api: 'record',
      params: ['failure_type'],
      fn: async (self: RecordSet, failureType: unknown) => {
        if (typeof failureType !== 'string' || !SMS_FAILURE_TYPES.some(([k]) => k === failureType)) {
          throw new PyValueError(`Wrong value for sms.sms.failure_type: ${JSON.stringify(failureType)}`);
        }
        await setStates(self, 'error', failureType);
        return null;
      },
    },
    action_set_outgoing: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const updates = await setStates(self, 'outgoing', null, sql`, attempt = 0, next_try = NULL`);
        if (updates.length) await triggerCron(self.env, SMS_QUEUE_CRON);
        return null;
      },
    },
    /** The SMS queue cron's target: send what is queued (own short transactions). */
    _process_queue: {
      api: 'model',
      private: true,
      params: [['ids', null]],
      fn: async (self: RecordSet, ids: unknown) => {
        const scope = Array.isArray(ids) ? (ids as number[]) : undefined;
        await smsEngine(self.env.registry).processQueue({ ids: scope });
        return null;
      },
    },
    /**
     * Price of sending these SMS (and those matching `domain`) now: count, segments, cost,
     * balance, whether it suffices, and the split per country. Sends nothing.
     */
    estimate_cost: {
      api: 'record',
      params: [['domain', null]],
      readonly: true,
      fn: async (self: RecordSet, domain: unknown) => {
        await self.checkAccess('read');
        let ids = self.ids;
        if (Array.isArray(domain)) ids = [...new Set([...ids, ...(await self.search(domain)).ids])];
        const rows = ids.length ? await self.env.cr.query<{ number: string | null; body: string | null }>(sql`SELECT number, body FROM sms_sms WHERE id = ANY(${ids}::int4[])`) : [];
        return estimateCost(self.env, rows);
      },
    },
    /** Autovacuum: delete SMS marked to_delete (kept while in flight or awaiting delivery, ≤ 3 days). */
    _gc_device: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet) => {
        await self.env.cr.execute(sql`
          DELETE FROM sms_sms WHERE to_delete AND state <> 'process'
            AND (state <> 'pending' OR write_date < (now() AT TIME ZONE 'UTC') - interval '3 days')`);
        return null;
      },
    },
  },
};

// The queue cron sends in its own short transactions, and runs as soon as there is work even
// when nobody triggered it (SMS inserted with SQL, a crashed instance's expired leases).
export const SMS_QUEUE_CRON_DATA: CronData = {
  xmlId: SMS_QUEUE_CRON, name: 'SMS: SMS Queue Manager', model: 'sms.sms', method: '_process_queue', intervalNumber: 24, intervalType: 'hours',
  handler: async (registry, ctx) => {
    const engine = smsEngine(registry);
    const res = await engine.processQueue({ deadline: ctx.deadline, signal: ctx.signal });
    return { remaining: res.remaining };
  },
  probe: smsQueueHasWork,
};

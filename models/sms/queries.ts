// The sending engine's set-based statements (models/sms/dispatch.ts runs them): the hot paths of
// the SMS queue, each one statement for a whole batch, bypassing the ORM for that reason.

import { sql, type SQL } from '../orm/sql.ts';

const NOW = sql`(now() AT TIME ZONE 'UTC')`;

/** Technical columns of sms_sms (not model fields: fields_get stays Odoo's), and their indexes. */
export const SMS_ENGINE_DDL = [
  `ALTER TABLE sms_sms
     ADD COLUMN IF NOT EXISTS lease_owner varchar,
     ADD COLUMN IF NOT EXISTS lease_until timestamp,
     ADD COLUMN IF NOT EXISTS attempt int4 NOT NULL DEFAULT 0,
     ADD COLUMN IF NOT EXISTS next_try timestamp,
     ADD COLUMN IF NOT EXISTS provider varchar,
     ADD COLUMN IF NOT EXISTS provider_ref varchar,
     ADD COLUMN IF NOT EXISTS credit numeric(16,4) NOT NULL DEFAULT 0`,
  `CREATE INDEX IF NOT EXISTS sms_sms_outgoing_idx ON sms_sms (id) WHERE state = 'outgoing' AND NOT to_delete`,
  `CREATE INDEX IF NOT EXISTS sms_sms_process_idx ON sms_sms (lease_until) WHERE state = 'process'`,
  `CREATE INDEX IF NOT EXISTS sms_sms_lease_owner_idx ON sms_sms (lease_owner) WHERE lease_owner IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS sms_engine_instance (id varchar PRIMARY KEY, heartbeat_at timestamp NOT NULL, alive_until timestamp NOT NULL)`,
];

/** The lease owner's instance is gone: its heartbeat promise (alive_until) has run out. */
const ownerGone = (owner: SQL) => sql`EXISTS (SELECT 1 FROM sms_engine_instance i WHERE i.id = ${owner} AND i.alive_until < ${NOW})`;

/** Renew an instance's heartbeat (models/sms/instance_heartbeat.ts): one upsert a second per busy instance. */
export function beatInstance(id: string, windowMs: number): SQL {
  return sql`
    INSERT INTO sms_engine_instance (id, heartbeat_at, alive_until) VALUES (${id}, ${NOW}, ${NOW} + ${windowMs} * interval '1 millisecond')
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, alive_until = GREATEST(sms_engine_instance.alive_until, EXCLUDED.alive_until)`;
}

/** Forget instances gone for a day that own nothing any more (the table stays a handful of rows). */
export function forgetGoneInstances(): SQL {
  return sql`
    DELETE FROM sms_engine_instance i WHERE i.alive_until < ${NOW} - interval '1 day'
      AND NOT EXISTS (SELECT 1 FROM sms_sms s WHERE s.lease_owner = i.id AND s.lease_owner IS NOT NULL)`;
}

/**
 * Quiet hours: `not_before` holds an SMS until its recipient's sending window opens. Claims only
 * take SMS without it (sms_sms_ready_idx); `releaseDue` clears it once due (sms_sms_waiting_idx).
 */
export const SMS_QUIET_HOURS_DDL = [
  `ALTER TABLE sms_sms ADD COLUMN IF NOT EXISTS not_before timestamp`,
  `CREATE INDEX IF NOT EXISTS sms_sms_ready_idx ON sms_sms (id) WHERE state = 'outgoing' AND NOT to_delete AND not_before IS NULL`,
  `CREATE INDEX IF NOT EXISTS sms_sms_waiting_idx ON sms_sms (not_before) WHERE state = 'outgoing' AND not_before IS NOT NULL`,
];

/** Release SMS whose sending window has opened, before claiming: one indexed statement, SKIP LOCKED so instances never wait on each other. */
export function releaseDue(): SQL {
  return sql`
    UPDATE sms_sms s SET not_before = NULL
    FROM (SELECT id FROM sms_sms WHERE state = 'outgoing' AND not_before IS NOT NULL AND not_before <= ${NOW} FOR UPDATE SKIP LOCKED) d
    WHERE s.id = d.id`;
}

/** Claim a batch of outgoing SMS: one statement, SKIP LOCKED so instances share the queue without waiting. */
export interface ClaimedRow { id: number; uuid: string; number: string | null; body: string | null; attempt: number; lease_ms: number }
export function claimOutgoing(p: { owner: string; leaseMs: number; provider: string; limit: number; ids?: number[] }): SQL {
  // Named SMS (Odoo's send(), "Send Directly") go now; the queue leaves those held by quiet hours.
  const scope = p.ids ? sql` AND id = ANY(${p.ids}::int4[])` : sql` AND not_before IS NULL`;
  return sql`
        WITH c AS (
          SELECT id FROM sms_sms
          WHERE state = 'outgoing' AND NOT to_delete AND (next_try IS NULL OR next_try <= ${NOW})${scope}
          ORDER BY id LIMIT ${p.limit} FOR UPDATE SKIP LOCKED)
        UPDATE sms_sms s SET state = 'process', lease_owner = ${p.owner}, lease_until = ${NOW} + ${p.leaseMs} * interval '1 millisecond',
               provider = ${p.provider}, write_date = ${NOW}
        FROM c WHERE s.id = c.id
        RETURNING s.id, s.uuid, s.number, s.body, s.attempt, (extract(epoch FROM s.lease_until - clock_timestamp() AT TIME ZONE 'UTC') * 1000)::float8 AS lease_ms`;
}

/** Remember what each claimed SMS was charged, so a failure refunds exactly that: one statement per batch. */
export function setClaimedCredits(ids: number[], credits: string[]): SQL {
  return sql`UPDATE sms_sms s SET credit = v.c FROM unnest(${ids}::int4[], ${credits}::numeric[]) AS v(id, c) WHERE s.id = v.id`;
}

/** Fail claimed SMS that cannot be sent (bad number, no credit) before any provider call: one statement. */
export function failClaimed(ids: number[], failureTypes: string[], toDelete: boolean): SQL {
  return sql`
    UPDATE sms_sms s SET state = 'error', failure_type = v.ft, lease_owner = NULL, lease_until = NULL, to_delete = ${toDelete}
    FROM unnest(${ids}::int4[], ${failureTypes}::varchar[]) AS v(id, ft)
    WHERE s.id = v.id RETURNING s.id, s.uuid, s.failure_type`;
}

/**
 * Record the provider's answers for a whole batch in one statement. Rows taken over by another
 * instance (lease expired) are left alone; a delivery report that arrived first keeps its state.
 */
export interface RecordedRow { id: number; uuid: string; old_state: string; new_state: string; failure_type: string | null; refunded: number }
export function recordOutcomes(p: {
  owner: string; ids: number[]; states: string[]; ftypes: (string | null)[]; refs: (string | null)[]; delays: (number | null)[]; incs: number[]; refunds: boolean[]; dels: boolean[];
}): SQL {
  const { ids, states, ftypes, refs, delays, incs, refunds, dels } = p;
  return sql`
        WITH v AS (
          SELECT * FROM unnest(${ids}::int4[], ${states}::varchar[], ${ftypes}::varchar[], ${refs}::varchar[], ${delays}::float8[], ${incs}::int4[], ${refunds}::bool[], ${dels}::bool[])
            AS v(id, st, ft, ref, delay_ms, inc, refund, del)),
        old AS (
          SELECT s.id, s.state, s.credit FROM sms_sms s JOIN v ON v.id = s.id WHERE s.lease_owner = ${p.owner} FOR UPDATE OF s)
        UPDATE sms_sms s SET
          state = CASE WHEN old.state = 'process' THEN v.st ELSE old.state END,
          failure_type = CASE WHEN old.state = 'process' THEN v.ft ELSE s.failure_type END,
          provider_ref = COALESCE(v.ref, s.provider_ref),
          next_try = CASE WHEN old.state = 'process' AND v.delay_ms IS NOT NULL THEN ${NOW} + v.delay_ms * interval '1 millisecond' ELSE NULL END,
          attempt = s.attempt + v.inc,
          credit = CASE WHEN old.state = 'process' AND v.refund THEN 0 ELSE s.credit END,
          to_delete = CASE WHEN old.state = 'process' THEN v.del ELSE s.to_delete END,
          lease_owner = NULL, lease_until = NULL, write_date = ${NOW}
        FROM v JOIN old ON old.id = v.id
        WHERE s.id = v.id
        RETURNING s.id, s.uuid, old.state AS old_state, s.state AS new_state, s.failure_type,
                  (CASE WHEN old.state = 'process' AND v.refund THEN old.credit ELSE 0 END)::float8 AS refunded`;
}

/**
 * Take over SMS left in `process` by an instance that is gone or whose lease expired, to reconcile
 * them: SKIP LOCKED, one statement (the `process` rows are few: the batches in hand).
 */
export function takeOverExpired(p: { owner: string; leaseMs: number; limit: number }): SQL {
  return sql`
          WITH c AS (
            SELECT id FROM sms_sms s WHERE state = 'process' AND (lease_until IS NULL OR lease_until < ${NOW} OR ${ownerGone(sql`s.lease_owner`)})
            ORDER BY id LIMIT ${p.limit} FOR UPDATE SKIP LOCKED)
          UPDATE sms_sms s SET lease_owner = ${p.owner}, lease_until = ${NOW} + ${p.leaseMs} * interval '1 millisecond'
          FROM c WHERE s.id = c.id RETURNING s.id, s.uuid, s.provider, s.attempt`;
}

/**
 * Clear the lease of SMS whose outcome is known (a delivery report moved them on) but whose owner
 * died before recording it: one statement over the (small) lease_owner index.
 */
export function clearSettledLeases(limit: number): SQL {
  return sql`
    UPDATE sms_sms s SET lease_owner = NULL, lease_until = NULL
    WHERE s.id IN (
      SELECT id FROM sms_sms s2 WHERE s2.lease_owner IS NOT NULL AND s2.state <> 'process'
        AND (s2.lease_until IS NULL OR s2.lease_until < ${NOW} OR ${ownerGone(sql`s2.lease_owner`)})
      LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING s.id`;
}

/** Whether the queue cron has reconciliation work: leases expired or held by an instance that is gone. */
export const RECONCILIATION_WORK = sql`
  EXISTS (SELECT 1 FROM sms_sms s WHERE s.state = 'process' AND (s.lease_until IS NULL OR s.lease_until < ${NOW} OR ${ownerGone(sql`s.lease_owner`)}))
  OR EXISTS (SELECT 1 FROM sms_sms s WHERE s.lease_owner IS NOT NULL AND s.state <> 'process' AND (s.lease_until < ${NOW} OR ${ownerGone(sql`s.lease_owner`)}))`;

/**
 * Apply delivery reports (thousands a second) in one statement, guarded so a report never moves an
 * SMS backwards; also answers the current state of SMS the reports did not move.
 */
export function applyReports(uuids: string[], states: string[], ftypes: (string | null)[]): SQL {
  return sql`
    WITH v AS (SELECT * FROM unnest(${uuids}::varchar[], ${states}::varchar[], ${ftypes}::varchar[]) AS v(uuid, st, ft)),
    upd AS (
      UPDATE sms_sms s SET state = v.st, failure_type = v.ft, to_delete = TRUE, write_date = ${NOW}
      FROM v WHERE s.uuid = v.uuid
        AND ((s.state = 'process' AND v.st IN ('pending', 'sent', 'error')) OR (s.state = 'pending' AND v.st IN ('sent', 'error')))
      RETURNING s.id, s.uuid, s.state, s.failure_type)
    SELECT id, uuid, state, failure_type, TRUE AS changed FROM upd
    UNION ALL
    SELECT s.id, s.uuid, s.state, s.failure_type, FALSE FROM sms_sms s JOIN v ON v.uuid = s.uuid WHERE s.id NOT IN (SELECT id FROM upd)`;
}

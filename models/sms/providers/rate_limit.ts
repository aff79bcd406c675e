// Per-sender rate limit shared by every server instance: a token bucket kept in the database as
// GCRA (one "theoretical arrival time" per sender). Taking n tokens is one UPSERT that reserves
// the next n emission slots and answers when the first one starts; the caller sleeps until then.
// Messages of a reservation go out together, so reservations are kept small (≈ 1/10 s of traffic).

import type { Registry } from '../../orm/registry.ts';

/** DDL of the bucket table (run by the sms data loader). */
export const RATE_LIMIT_DDL = `CREATE TABLE IF NOT EXISTS sms_rate_bucket (key varchar PRIMARY KEY, tat timestamp NOT NULL)`;

export interface Reservation {
  /** Milliseconds to wait before sending (0 = now). */
  waitMs: number;
}

/** Chunk size for a rate: about a tenth of a second of traffic, at least 1. */
export function reservationSize(rate: number, max: number): number {
  return Math.max(1, Math.min(max, Math.floor(rate / 10)));
}

/**
 * Lateness forgiven (ms): a reservation made slightly after its slot (timer jitter, a slow round
 * trip) starts from the slot, not from now, so small delays do not lower the long-run rate.
 */
const TOLERANCE_MS = 50;

/** Reserve `n` messages at `rate` messages/second on `key`. */
export async function reserve(registry: Registry, key: string, n: number, rate: number): Promise<Reservation> {
  const perMsgMs = 1000 / rate;
  const { rows } = await registry.pool.query<{ wait_ms: number }>(
    `WITH now AS (SELECT clock_timestamp() AT TIME ZONE 'UTC' AS t)
     INSERT INTO sms_rate_bucket AS b (key, tat) SELECT $1, now.t + $2 * interval '1 millisecond' FROM now
     ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat, (SELECT t FROM now) - $3 * interval '1 millisecond') + $2 * interval '1 millisecond'
     RETURNING GREATEST(0, extract(epoch FROM (b.tat - $2 * interval '1 millisecond' - (SELECT t FROM now))) * 1000)::float8 AS wait_ms`,
    [key, n * perMsgMs, TOLERANCE_MS],
  );
  return { waitMs: Number(rows[0]?.wait_ms ?? 0) };
}

// Set-based SQL of mass_mailing: the upserts of the contacts import (import_contacts.ts runs them),
// each applying a whole staged batch in one statement where the ORM would go record by record, the
// per-day trace counts behind the report pages (mailing_trace_daily), and the A/B summary's figures.

import { ident, sql, type SQL } from '../orm/sql.ts';
import type { Cursor } from '../orm/env.ts';

/**
 * Write the changed contacts staged by COPY in one UPDATE (an ORM write per record would recompute
 * and track each one; the stored computes arrive computed).
 */
export function updateStagedContacts(stage: string, uid: number, now: string): SQL {
  return sql`
    UPDATE mailing_contact c
       SET name = s.name, first_name = s.first_name, last_name = s.last_name, company_name = s.company_name, email = s.email,
           email_normalized = s.email_normalized, mobile = s.mobile, phone_sanitized = s.phone_sanitized, country_id = s.country_id,
           write_uid = ${uid}::int4, write_date = ${now}::timestamp
      FROM ${ident(stage)} s WHERE c.id = s.id`;
}

/**
 * Subscribe existing contacts to the list in one INSERT; ON CONFLICT: one added meanwhile by
 * someone else. Existing subscriptions, opted out or not, are left untouched.
 */
export function subscribeContacts(contactIds: number[], listId: number, uid: number, now: string): SQL {
  return sql`
    INSERT INTO mailing_subscription (contact_id, list_id, opt_out, create_uid, write_uid, create_date, write_date)
    SELECT c, ${listId}::int4, FALSE, ${uid}::int4, ${uid}::int4, ${now}::timestamp, ${now}::timestamp FROM unnest(${contactIds}::int4[]) AS c
    ON CONFLICT (contact_id, list_id) DO NOTHING`;
}

/** Create the missing tags in one INSERT (res.partner.category by exact name, as Odoo's import). */
export function insertMissingTags(names: string[], uid: number, now: string): SQL {
  return sql`
    INSERT INTO res_partner_category (name, active, create_uid, write_uid, create_date, write_date)
    SELECT t, TRUE, ${uid}::int4, ${uid}::int4, ${now}::timestamp, ${now}::timestamp FROM unnest(${names}::varchar[]) AS t
     WHERE NOT EXISTS (SELECT 1 FROM res_partner_category p WHERE p.name = t)`;
}

/** Link contacts to their tags in one INSERT (a many2many command would read every contact's tags first). */
export function linkContactTags(rel: { table: string; col1: string; col2: string }, pairs: [number, string][]): SQL {
  return sql`
    INSERT INTO ${ident(rel.table)} (${ident(rel.col1)}, ${ident(rel.col2)})
    SELECT DISTINCT x.c, (SELECT min(p.id) FROM res_partner_category p WHERE p.name = x.t)
      FROM unnest(${pairs.map(([c]) => c)}::int4[], ${pairs.map(([, t]) => t)}::varchar[]) AS x(c, t)
    ON CONFLICT DO NOTHING`;
}

/**
 * A/B sample: `size` records drawn at random among `idsQuery` (the mailing's recipients) that no
 * mailing of the campaign reached yet; the database draws them, Node never sees the candidates.
 * EXCEPT (hashed or sorted set difference) rather than NOT EXISTS: traces just inserted have no
 * statistics yet, and a nested-loop plan over them would cost candidates × traces.
 */
export function abTestingSample(idsQuery: SQL, campaignId: number | false, model: string, size: number): SQL {
  const candidates = campaignId
    ? sql`SELECT q.id FROM (${idsQuery}) q EXCEPT SELECT tr.res_id FROM mailing_trace tr WHERE tr.campaign_id = ${campaignId}::int4 AND tr.model = ${model}`
    : sql`SELECT q.id FROM (${idsQuery}) q`;
  return sql`SELECT c.id FROM (${candidates}) c ORDER BY random() LIMIT ${size}::int4`;
}

/** The final mailing's recipients: `idsQuery` minus whoever the campaign's A/B mailings reached (set difference, as above). */
export function notReachedBySiblings(idsQuery: SQL, campaignId: number, siblingIds: number[], model: string): SQL {
  return sql`SELECT q.id FROM (${idsQuery}) q
    EXCEPT SELECT tr.res_id FROM mailing_trace tr WHERE tr.campaign_id = ${campaignId}::int4 AND tr.mass_mailing_id = ANY(${siblingIds}::int4[]) AND tr.model = ${model}`;
}

/** How many records the mailing's recipients query matches, and how many of them this mailing traced. */
export function recipientCounts(idsQuery: SQL, mailingId: number, model: string): SQL {
  return sql`SELECT (SELECT count(*) FROM (${idsQuery}) q)::int AS n,
                    (SELECT count(*) FROM mailing_trace tr WHERE tr.mass_mailing_id = ${mailingId} AND tr.model = ${model})::int AS own`;
}

// The traces of each mailing counted by (status, failure type, sent day, click day): what the
// report pages show, without reading a row per recipient. Statement triggers append one count
// per group a statement changed (+ new rows, − old rows): no row is ever updated in place, so
// concurrent writers never wait on each other; reading a mailing folds its counts into one row
// per group (compactTraceDaily), and the daily vacuum folds those nobody read.
const TRACE_DAILY_KEYS = 'mass_mailing_id, trace_status, failure_type, sent_datetime::date, links_click_datetime::date';
const TRACE_DAILY_TRIGGERS: [string, string][] = [
  ['mailing_trace_daily_insert', 'AFTER INSERT ON mailing_trace REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'],
  ['mailing_trace_daily_update', 'AFTER UPDATE ON mailing_trace REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT'],
  ['mailing_trace_daily_delete', 'AFTER DELETE ON mailing_trace REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT'],
];

/** Schema extra of mass_mailing: the table, its triggers, and its first fill from the existing traces. */
export async function mailingTraceDailySchema(cr: Cursor): Promise<void> {
  await cr.execute(`CREATE TABLE IF NOT EXISTS mailing_trace_daily (
    mass_mailing_id int4 NOT NULL, trace_status varchar, failure_type varchar, sent_day date, click_day date, count int8 NOT NULL)`);
  await cr.execute('CREATE INDEX IF NOT EXISTS mailing_trace_daily_mailing_idx ON mailing_trace_daily (mass_mailing_id)');
  await cr.execute(`CREATE OR REPLACE FUNCTION mailing_trace_daily_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO mailing_trace_daily SELECT ${TRACE_DAILY_KEYS}, count(*)
          FROM new_rows WHERE mass_mailing_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO mailing_trace_daily SELECT ${TRACE_DAILY_KEYS}, -count(*)
          FROM old_rows WHERE mass_mailing_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
      ELSE
        INSERT INTO mailing_trace_daily SELECT m, s, f, sd, cd, sum(d) FROM (
            SELECT ${TRACE_DAILY_KEYS}, 1 FROM new_rows UNION ALL SELECT ${TRACE_DAILY_KEYS}, -1 FROM old_rows
          ) AS c(m, s, f, sd, cd, d) WHERE m IS NOT NULL GROUP BY 1, 2, 3, 4, 5 HAVING sum(d) <> 0;
      END IF;
      RETURN NULL;
    END $$`);
  await cr.execute(`CREATE OR REPLACE FUNCTION mailing_trace_daily_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN DELETE FROM mailing_trace_daily; RETURN NULL; END $$`);
  const present = new Set((await cr.query<{ tgname: string }>(
    `SELECT tgname FROM pg_trigger WHERE tgrelid = 'mailing_trace'::regclass AND tgname LIKE 'mailing_trace_daily_%'`)).map((r) => r.tgname));
  const missing = TRACE_DAILY_TRIGGERS.filter(([name]) => !present.has(name));
  if (!missing.length && present.has('mailing_trace_daily_truncate')) return;
  // Writers wait until the counts are rebuilt: none is counted twice or missed.
  await cr.execute('LOCK TABLE mailing_trace IN SHARE ROW EXCLUSIVE MODE');
  for (const [name, when] of missing) await cr.execute(`CREATE TRIGGER ${name} ${when} EXECUTE FUNCTION mailing_trace_daily_count()`);
  if (!present.has('mailing_trace_daily_truncate')) {
    await cr.execute('CREATE TRIGGER mailing_trace_daily_truncate AFTER TRUNCATE ON mailing_trace FOR EACH STATEMENT EXECUTE FUNCTION mailing_trace_daily_truncate()');
  }
  await cr.execute('DELETE FROM mailing_trace_daily');
  await cr.execute(`INSERT INTO mailing_trace_daily SELECT ${TRACE_DAILY_KEYS}, count(*) FROM mailing_trace WHERE mass_mailing_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5`);
}

export interface TraceDailyCount {
  id: number;
  status: string;
  reason: string | null;
  sent_day: string | null;
  click_day: string | null;
  n: number;
}

/**
 * The trace counts of mailings `ids` (all mailings when null), folded into one row per group as
 * they are returned. Two readers folding the same rows: the later fails to serialize and retries.
 */
export function compactTraceDaily(ids: number[] | null): SQL {
  const where = ids ? sql`WHERE mass_mailing_id = ANY(${ids}::int4[])` : sql``;
  return sql`
    WITH gone AS (DELETE FROM mailing_trace_daily ${where} RETURNING *),
    sums AS (
      SELECT mass_mailing_id, trace_status, failure_type, sent_day, click_day, sum(count)::int8 AS count
      FROM gone GROUP BY 1, 2, 3, 4, 5 HAVING sum(count) <> 0
    ),
    kept AS (INSERT INTO mailing_trace_daily SELECT * FROM sums)
    SELECT mass_mailing_id AS id, trace_status AS status, failure_type AS reason,
           to_char(sent_day, 'YYYY-MM-DD') AS sent_day, to_char(click_day, 'YYYY-MM-DD') AS click_day, count::int AS n
    FROM sums`;
}

// Traces the A/B summary leaves out of a variant's reach and clicks (Odoo's clicks_ratio does too).
const UNREACHED = sql`('bounce', 'cancel', 'error')`;

/** The A/B mailings of the campaigns with this mailing type, in id order: the variants the summary compares. */
export function abTestingVariants(campaignIds: number[], mailingType: string): SQL {
  return sql`
    SELECT m.campaign_id AS c, m.id, m.subject AS name, m.ab_testing_pc AS pc FROM mailing_mailing m
    WHERE m.campaign_id = ANY(${campaignIds}::int4[]) AND m.ab_testing_enabled AND m.mailing_type = ${mailingType} AND m.active
    ORDER BY m.id`;
}

/**
 * Each campaign's traces by outcome, summed from the per-day counts of its mailings (a trace's
 * campaign is its mailing's, a stored related field): a few rows per mailing, not one per trace.
 */
export function campaignTraceCounts(campaignIds: number[]): SQL {
  return sql`
    SELECT m.campaign_id AS c, sum(d.count)::int AS expected,
           COALESCE(sum(d.count) FILTER (WHERE d.trace_status = 'cancel'), 0)::int AS canceled,
           COALESCE(sum(d.count) FILTER (WHERE d.sent_day IS NOT NULL), 0)::int AS sent,
           COALESCE(sum(d.count) FILTER (WHERE d.trace_status = 'bounce'), 0)::int AS bounced,
           COALESCE(sum(d.count) FILTER (WHERE d.trace_status IN ('open', 'reply')), 0)::int AS opened,
           COALESCE(sum(d.count) FILTER (WHERE d.trace_status = 'reply'), 0)::int AS replied
    FROM mailing_mailing m JOIN mailing_trace_daily d ON d.mass_mailing_id = m.id
    WHERE m.campaign_id = ANY(${campaignIds}::int4[]) GROUP BY 1`;
}

/**
 * Trace counts of each mailing by (status, sent?, clicked?), summed from the per-day counts
 * without folding them, so that reading statistics writes nothing.
 */
export function traceCountsByMailing(ids: number[]): SQL {
  return sql`
    SELECT mass_mailing_id AS id, trace_status AS status, sent_day IS NOT NULL AS sent, click_day IS NOT NULL AS click, sum(count)::int AS n
    FROM mailing_trace_daily WHERE mass_mailing_id = ANY(${ids}::int4[]) GROUP BY 1, 2, 3, 4 HAVING sum(count) <> 0`;
}

/** The failure types among `types` that some trace of each mailing has, from the per-day counts. */
export function failureTypesByMailing(ids: number[], types: string[]): SQL {
  return sql`
    SELECT mass_mailing_id AS id, failure_type AS reason FROM mailing_trace_daily
    WHERE mass_mailing_id = ANY(${ids}::int4[]) AND failure_type = ANY(${types}::varchar[])
    GROUP BY 1, 2 HAVING sum(count) > 0`;
}

/**
 * Traces each mailing reached, and how many of them are marked clicked, summed from the per-day
 * counts: a few rows per mailing, not one per recipient.
 */
export function reachedByMailing(ids: number[]): SQL {
  return sql`
    SELECT mass_mailing_id AS id, sum(count)::int AS n, COALESCE(sum(count) FILTER (WHERE click_day IS NOT NULL), 0)::int AS marked
    FROM mailing_trace_daily WHERE mass_mailing_id = ANY(${ids}::int4[]) AND trace_status NOT IN ${UNREACHED} GROUP BY 1`;
}

/**
 * The traces the clicks of mailings `ids` name: the clicks carrying one of these mailings, and the
 * clicks carrying none (made by hand over RPC, few; their own index reads only them). A click
 * naming another mailing than its trace's is not looked at.
 */
function clickedTraceIds(ids: number[]): SQL {
  // One scan (OR of both indexes), not a UNION: the planner keeps its row estimate, which picks the join.
  return sql`
    SELECT k.mailing_trace_id FROM link_tracker_click k
    WHERE (k.mass_mailing_id = ANY(${ids}::int4[]) OR k.mass_mailing_id IS NULL) AND k.mailing_trace_id IS NOT NULL`;
}

/**
 * Reached traces of each mailing having a click, counted by the trace's own mailing and status
 * (as Odoo joins clicks to traces), reading only these mailings' clicks, never the database's.
 * `fromClicks` (clicked traces far fewer than the reached ones): each clicked trace looked up
 * once by id, in id order (neighbouring traces share pages), OFFSET 0 keeping that nested loop;
 * otherwise the mailings' traces read once against their hashed clicks. Never one probe per trace.
 */
export function clickedByMailing(ids: number[], fromClicks: boolean): SQL {
  if (!fromClicks) {
    return sql`
      SELECT t.mass_mailing_id AS id, count(*)::int AS n FROM mailing_trace t
      WHERE t.mass_mailing_id = ANY(${ids}::int4[]) AND t.trace_status NOT IN ${UNREACHED}
        AND t.id IN (${clickedTraceIds(ids)})
      GROUP BY 1`;
  }
  return sql`
    SELECT t.mass_mailing_id AS id, count(*)::int AS n
    FROM (SELECT DISTINCT c.mailing_trace_id FROM (${clickedTraceIds(ids)}) c ORDER BY 1) c
    CROSS JOIN LATERAL (
      SELECT tr.mass_mailing_id FROM mailing_trace tr
      WHERE tr.id = c.mailing_trace_id AND tr.mass_mailing_id = ANY(${ids}::int4[]) AND tr.trace_status NOT IN ${UNREACHED} OFFSET 0
    ) t
    GROUP BY 1`;
}

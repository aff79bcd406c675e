// The set-based statements of SMS mailing preparation (models/mass_mailing_sms/prepare.ts runs them):
// a million recipients are classified in a temp table with one statement per rule, not per row.

import { ident, raw, sql, type SQL } from '../orm/sql.ts';

/** `tmp` is a name our own code makes (mm_sms_recipients_<pid>_<n>), never client input. */
const table = (tmp: string): SQL => raw(tmp);

/**
 * Row lock and new row version of the mailing: a concurrent preparation of the same mailing waits,
 * then fails to serialize and is retried on a snapshot that sees our traces (no double SMS).
 */
export function lockMailing(mailingId: number): SQL {
  return sql`UPDATE mailing_mailing SET write_date = write_date WHERE id = ${mailingId}`;
}

/** The recipient set of one run, dropped at commit, numbered in recipient order (Odoo's res_ids order). */
export function createRecipientTable(tmp: string): SQL {
  return sql`CREATE TEMP TABLE ${table(tmp)} (seq int4 NOT NULL, res_id int4 NOT NULL, raw_number varchar, sanitized varchar, partner_id int4, raw_numbers varchar[], country_code varchar, dup bool NOT NULL DEFAULT FALSE, seen bool NOT NULL DEFAULT FALSE, blacklisted bool NOT NULL DEFAULT FALSE, optout bool NOT NULL DEFAULT FALSE, gone bool NOT NULL DEFAULT FALSE) ON COMMIT DROP`;
}

/** Batches are read by `seq` ranges: indexed once the set is filled (cheaper than maintaining it). */
export function indexRecipientTable(tmp: string): SQL {
  return sql`CREATE INDEX ON ${table(tmp)} (seq)`;
}

/**
 * Lock one batch's recipient records (and, with `partners`, their partners) FOR KEY SHARE, the lock
 * each foreign-key check takes, set-based: a concurrent delete now waits for our commit. Returns
 * how many were locked and how many the batch references (fewer locked: deleted meanwhile, which
 * READ COMMITTED skips; REPEATABLE READ fails to serialize and the transaction is retried).
 */
export function lockBatchRecords(tmp: string, recordTable: string, lo: number, hi: number, partners: boolean): SQL {
  const t = table(tmp);
  const range = sql`t.seq > ${lo} AND t.seq <= ${hi}`;
  const partnerCounts = partners
    ? sql`(SELECT count(*) FROM (SELECT 1 FROM res_partner x WHERE x.id IN (SELECT t.partner_id FROM ${t} t WHERE ${range}) FOR KEY SHARE OF x) l)::int AS partners,
          (SELECT count(DISTINCT t.partner_id) FROM ${t} t WHERE ${range})::int AS wanted_partners`
    : sql`0 AS partners, 0 AS wanted_partners`;
  return sql`SELECT (SELECT count(*) FROM (SELECT 1 FROM ${ident(recordTable)} x WHERE x.id IN (SELECT t.res_id FROM ${t} t WHERE ${range}) FOR KEY SHARE OF x) l)::int AS records,
                    (SELECT count(*) FROM ${t} t WHERE ${range})::int AS wanted, ${partnerCounts}`;
}

/** Recipients of the batch deleted before we locked them: gone (no trace, no SMS), as records that no longer exist. */
export function markGoneRecords(tmp: string, recordTable: string, lo: number, hi: number): SQL {
  return sql`UPDATE ${table(tmp)} t SET gone = TRUE WHERE t.seq > ${lo} AND t.seq <= ${hi} AND NOT EXISTS (SELECT 1 FROM ${ident(recordTable)} x WHERE x.id = t.res_id)`;
}

/** Partners of the batch deleted before we locked them: no partner, as their ON DELETE SET NULL does. */
export function clearGonePartners(tmp: string, lo: number, hi: number): SQL {
  return sql`UPDATE ${table(tmp)} t SET partner_id = NULL WHERE t.seq > ${lo} AND t.seq <= ${hi} AND t.partner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM res_partner x WHERE x.id = t.partner_id)`;
}

/** Odoo's `_get_seen_list_sms`: given records this mailing already traced count as duplicates. */
export function markSeenRecipients(tmp: string, mailingId: number, model: string): SQL {
  return sql`UPDATE ${table(tmp)} r SET seen = TRUE WHERE EXISTS (SELECT 1 FROM mailing_trace tr WHERE tr.mass_mailing_id = ${mailingId} AND tr.model = ${model} AND tr.res_id = r.res_id)`;
}

/** Duplicates once the numbers are known: a number already met earlier in recipient order. */
export function markDuplicateNumbers(tmp: string): SQL {
  const t = table(tmp);
  return sql`UPDATE ${t} SET dup = TRUE FROM (SELECT seq, row_number() OVER (PARTITION BY sanitized ORDER BY seq) AS rn FROM ${t} WHERE sanitized IS NOT NULL) d WHERE ${t}.seq = d.seq AND d.rn > 1`;
}

/** Records an automation rule handles one by one (sms.composer from a rule) are never each other's duplicates. */
export function clearDuplicateNumbers(tmp: string): SQL {
  return sql`UPDATE ${table(tmp)} SET dup = FALSE WHERE dup`;
}

/** The classification of every recipient, in recipient order (sms.composer mass mode without a mailing). */
export function classifiedRecipients(tmp: string, failure: SQL): SQL {
  const t = table(tmp);
  return sql`SELECT ${t}.res_id, ${t}.raw_number, ${t}.sanitized, ${t}.partner_id, ${failure} AS failure FROM ${t} ORDER BY ${t}.seq`;
}

/** Active phone.blacklist entries, matched on the sanitised number, in one join. */
export function markBlacklisted(tmp: string): SQL {
  const t = table(tmp);
  return sql`UPDATE ${t} SET blacklisted = TRUE FROM phone_blacklist b WHERE b.number = ${t}.sanitized AND b.active`;
}

/** The model's opt-out rule (mailing lists: opted out of the targeted lists), evaluated once. */
export function markOptedOut(tmp: string, condition: SQL): SQL {
  return sql`UPDATE ${table(tmp)} SET optout = TRUE WHERE ${condition}`;
}

/** Quiet hours: libphonenumber's prefix → zones data as a table, so the database joins numbers to it. */
export const QUIET_HOURS_DDL = [
  `CREATE TABLE IF NOT EXISTS sms_phone_zone (prefix varchar PRIMARY KEY, zones varchar NOT NULL)`,
];

/** Reload the zone table from the package's data (at start: an upgraded package brings its data); an upsert, so instances may start together. */
export function loadPhoneZones(prefixes: string[], zones: string[]): SQL {
  return sql`WITH del AS (DELETE FROM sms_phone_zone WHERE prefix <> ALL(${prefixes}::varchar[]))
    INSERT INTO sms_phone_zone (prefix, zones) SELECT * FROM unnest(${prefixes}::varchar[], ${zones}::varchar[])
    ON CONFLICT (prefix) DO UPDATE SET zones = EXCLUDED.zones WHERE sms_phone_zone.zones <> EXCLUDED.zones`;
}

/**
 * Each outgoing, not yet held SMS of the mailing with its number's zones: the longest of its ≤ 9
 * leading digit strings found in the zone table (one hash join per length, no sort of the mailing).
 */
function smsZones(mailingId: number, maxLen: number): SQL {
  const lengths = Array.from({ length: maxLen }, (_, i) => maxLen - i);
  const joins = raw(lengths.map((k) => ` LEFT JOIN sms_phone_zone p${k} ON p${k}.prefix = left(s.d, ${k})`).join(''));
  const longest = raw(lengths.map((k) => `p${k}.zones`).join(', '));
  return sql`
    WITH s AS (SELECT id, translate(number, '+ ', '') AS d FROM sms_sms
          WHERE mailing_id = ${mailingId} AND state = 'outgoing' AND NOT to_delete AND not_before IS NULL),
    z AS (SELECT s.id, COALESCE(${longest}, '') AS zones FROM s${joins})`;
}

/** The distinct zone sets of the mailing's SMS to hold (a few dozen), decided in Node. */
export function quietHoursZoneSets(mailingId: number, maxLen: number): SQL {
  return sql`${smsZones(mailingId, maxLen)} SELECT DISTINCT zones FROM z`;
}

/** Hold every SMS of the mailing until its zone set's window opens: one statement for the whole mailing. */
export function holdUntilWindow(mailingId: number, maxLen: number, sets: string[], notBefore: string[]): SQL {
  return sql`${smsZones(mailingId, maxLen)}
    UPDATE sms_sms s SET not_before = v.nb
    FROM z JOIN unnest(${sets}::text[], ${notBefore}::timestamp[]) AS v(zones, nb) ON v.zones = z.zones
    WHERE s.id = z.id`;
}

/** Per mailing: SMS held by quiet hours, and when the last of them may go. */
export function quietHoursWaiting(mailingIds: number[]): SQL {
  return sql`SELECT mailing_id, count(*)::int AS n, to_char(max(not_before), 'YYYY-MM-DD HH24:MI:SS') AS until
    FROM sms_sms WHERE state = 'outgoing' AND not_before IS NOT NULL AND mailing_id = ANY(${mailingIds}::int4[]) GROUP BY mailing_id`;
}

// The set-based upserts of the contacts import (models/mass_mailing/import_contacts.ts runs them):
// each applies a whole staged batch in one statement, where the ORM would go record by record.

import { ident, sql, type SQL } from '../orm/sql.ts';

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

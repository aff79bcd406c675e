// Every SQL statement of link tracking, with why it is written by hand. The redirect path (code
// lookup, click batch) runs for each visitor of a mailing's links, so it bypasses the ORM.

import { sql, type SQL } from '../orm/sql.ts';

const NOW = sql`(now() AT TIME ZONE 'UTC')`;

/** Channel notified when anything a cached redirect depends on changes. */
export const CACHE_CHANNEL = 'link_tracker_redirects';

export const Q = {
  /** Trackers (among `ids`) whose (url, UTMs, label) another tracker has too: one query for the constraint. */
  duplicateTrackers: (ids: number[]): SQL => sql`
    SELECT DISTINCT ON (l.id) l.url, c.name AS campaign, m.name AS medium, s.name AS source, l.label
    FROM link_tracker l
    JOIN link_tracker o ON o.id <> l.id AND o.url = l.url AND o.campaign_id IS NOT DISTINCT FROM l.campaign_id
         AND o.medium_id IS NOT DISTINCT FROM l.medium_id AND o.source_id IS NOT DISTINCT FROM l.source_id
         AND COALESCE(o.label, '') = COALESCE(l.label, '')
    LEFT JOIN utm_campaign c ON c.id = l.campaign_id LEFT JOIN utm_medium m ON m.id = l.medium_id LEFT JOIN utm_source s ON s.id = l.source_id
    WHERE l.id = ANY(${ids}::int4[]) ORDER BY l.id`,

  /** search_or_create: the existing tracker of each (url, campaign, medium, source, label), by input rank `k`. */
  findTrackers: (urls: string[], campaigns: (number | null)[], mediums: (number | null)[], sources: (number | null)[], labels: string[]): SQL => sql`
    SELECT v.k::int AS k, (SELECT l.id FROM link_tracker l WHERE l.url = v.url AND l.campaign_id IS NOT DISTINCT FROM v.c
             AND l.medium_id IS NOT DISTINCT FROM v.m AND l.source_id IS NOT DISTINCT FROM v.s AND COALESCE(l.label, '') = v.label
           ORDER BY l.id LIMIT 1) AS id
    FROM unnest(${urls}::varchar[], ${campaigns}::int4[], ${mediums}::int4[], ${sources}::int4[], ${labels}::varchar[]) WITH ORDINALITY AS v(url, c, m, s, label, k)
    WHERE EXISTS (SELECT 1 FROM link_tracker l WHERE l.url = v.url AND l.campaign_id IS NOT DISTINCT FROM v.c
                  AND l.medium_id IS NOT DISTINCT FROM v.m AND l.source_id IS NOT DISTINCT FROM v.s AND COALESCE(l.label, '') = v.label)`,

  /** `code` of each tracker: its latest link.tracker.code (one query for the whole set). */
  latestCodes: (ids: number[]): SQL => sql`
    SELECT DISTINCT ON (link_id) link_id AS id, code FROM link_tracker_code WHERE link_id = ANY(${ids}::int4[]) ORDER BY link_id, id DESC`,

  /** Which of these candidate codes are taken (code generation redraws longer when any is). */
  takenCodes: (codes: string[]): SQL => sql`SELECT code FROM link_tracker_code WHERE code = ANY(${codes}::varchar[]) LIMIT 1`,

  /** url and UTM names of trackers, for redirected_url. */
  trackerUtmNames: (ids: number[]): SQL => sql`
    SELECT l.id, l.url, c.name AS campaign, s.name AS source, m.name AS medium
    FROM link_tracker l LEFT JOIN utm_campaign c ON c.id = l.campaign_id LEFT JOIN utm_source s ON s.id = l.source_id LEFT JOIN utm_medium m ON m.id = l.medium_id
    WHERE l.id = ANY(${ids}::int4[])`,

  /** Redirect cache miss: everything the route needs about a code, settings included, in one round trip. */
  redirectByCode: (code: string): SQL => sql`
    SELECT l.id, l.url, c.name AS campaign, s.name AS source, m.name AS medium,
           (SELECT value FROM ir_config_parameter WHERE key = 'web.base.url') AS base_url,
           (SELECT value FROM ir_config_parameter WHERE key = 'link_tracker.no_external_tracking') AS no_external
    FROM link_tracker_code k JOIN link_tracker l ON l.id = k.link_id
    LEFT JOIN utm_campaign c ON c.id = l.campaign_id LEFT JOIN utm_source s ON s.id = l.source_id LEFT JOIN utm_medium m ON m.id = l.medium_id
    WHERE k.code = ${code} LIMIT 1`,

  /**
   * Group commit of the redirect route: the clicks of many concurrent requests in one statement.
   * Each click gets the trace of its SMS id (with its mailing and campaign); traces become opened
   * (unless opened/replied already) and clicked. The trackers' `count` is left to recountTrackers:
   * every click of a mailing hits the same tracker row, whose lock would serialize the commits.
   */
  insertClicksWithTraces: (uid: number, links: number[], ips: string[], smsIds: (number | null)[]): SQL => sql`
    WITH v AS (
      SELECT * FROM unnest(${links}::int4[], ${ips}::varchar[], ${smsIds}::int4[]) WITH ORDINALITY AS v(link_id, ip, sms_id, k)
    ), t AS MATERIALIZED (
      SELECT v.k, tr.id AS trace_id, tr.mass_mailing_id, tr.campaign_id
      FROM v JOIN LATERAL (SELECT id, mass_mailing_id, campaign_id FROM mailing_trace WHERE sms_id_int = v.sms_id ORDER BY id LIMIT 1) tr ON v.sms_id IS NOT NULL
    ), ins AS (
      INSERT INTO link_tracker_click (link_id, ip, mailing_trace_id, mass_mailing_id, campaign_id, create_uid, write_uid, create_date, write_date)
      SELECT v.link_id, v.ip, t.trace_id, t.mass_mailing_id, CASE WHEN t.trace_id IS NULL THEN l.campaign_id ELSE t.campaign_id END, ${uid}, ${uid}, ${NOW}, ${NOW}
      FROM v JOIN link_tracker l ON l.id = v.link_id LEFT JOIN t ON t.k = v.k
      RETURNING link_id
    ), traced AS (
      UPDATE mailing_trace m
      SET trace_status = CASE WHEN m.trace_status IN ('open', 'reply') THEN m.trace_status ELSE 'open' END,
          open_datetime = CASE WHEN m.trace_status IN ('open', 'reply') THEN m.open_datetime ELSE ${NOW} END,
          links_click_datetime = ${NOW}, write_uid = ${uid}, write_date = ${NOW}
      FROM (SELECT DISTINCT trace_id FROM t) x WHERE m.id = x.trace_id
    )
    SELECT count(*)::int AS n FROM ins`,

  /**
   * `count` of trackers recomputed from their clicks (exact and idempotent, so any instance may run
   * it any time, after a crash too); never lowered here, so a recount from an older snapshot
   * finishing last cannot undo a newer one (clicks are only removed through the ORM, which
   * recomputes `count` itself). `ids` null: every tracker (repair at start).
   */
  recountTrackers: (ids: number[] | null): SQL => sql`
    UPDATE link_tracker l SET count = c.n, write_date = ${NOW}
    FROM (SELECT link_id, count(*)::int AS n FROM link_tracker_click ${ids ? sql`WHERE link_id = ANY(${ids}::int4[])` : sql``} GROUP BY link_id) c
    WHERE l.id = c.link_id AND COALESCE(l.count, 0) < c.n`,

  /** The same without mailing traces (link tracking alone). */
  insertClicks: (uid: number, links: number[], ips: string[]): SQL => sql`
    WITH ins AS (
      INSERT INTO link_tracker_click (link_id, ip, campaign_id, create_uid, write_uid, create_date, write_date)
      SELECT v.link_id, v.ip, l.campaign_id, ${uid}, ${uid}, ${NOW}, ${NOW}
      FROM unnest(${links}::int4[], ${ips}::varchar[]) AS v(link_id, ip) JOIN link_tracker l ON l.id = v.link_id
      RETURNING link_id
    )
    SELECT count(*)::int AS n FROM ins`,

  /**
   * Cache invalidation: a NOTIFY (delivered at commit to every server instance) whenever a
   * tracker's url/UTMs, a code, a UTM name or a system parameter changes. Clicks bumping `count`
   * do not notify. Idempotent DDL, run at every start.
   */
  invalidationTriggers: (): string[] => [
    `CREATE OR REPLACE FUNCTION link_tracker_redirects_notify() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('${CACHE_CHANNEL}', ''); RETURN NULL; END $$`,
    ...[
      ['link_tracker', '', 'ROW', `WHEN (OLD.url IS DISTINCT FROM NEW.url OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.medium_id IS DISTINCT FROM NEW.medium_id)`],
      ['link_tracker_code', 'AFTER UPDATE OR DELETE', 'STATEMENT', ''],
      ['utm_campaign', 'AFTER UPDATE OF name OR DELETE', 'STATEMENT', ''],
      ['utm_source', 'AFTER UPDATE OF name OR DELETE', 'STATEMENT', ''],
      ['utm_medium', 'AFTER UPDATE OF name OR DELETE', 'STATEMENT', ''],
      ['ir_config_parameter', 'AFTER INSERT OR UPDATE OR DELETE', 'STATEMENT', ''],
    ].flatMap(([table, events, level, when]) => {
      // DROP + CREATE rather than CREATE OR REPLACE TRIGGER: PostgreSQL 13 is supported.
      const create = (name: string, ev: string, lvl: string, cond: string) => [
        `DROP TRIGGER IF EXISTS ${name} ON ${table}`,
        `CREATE TRIGGER ${name} ${ev} ON ${table} FOR EACH ${lvl} ${cond} EXECUTE FUNCTION link_tracker_redirects_notify()`,
      ];
      // A row trigger's WHEN cannot name OLD on DELETE: deletes get their own statement trigger.
      if (level === 'ROW') return [...create('link_tracker_redirects_upd', 'AFTER UPDATE', 'ROW', when), ...create('link_tracker_redirects_del', 'AFTER DELETE', 'STATEMENT', '')];
      return create('link_tracker_redirects', events, level, '');
    }),
  ],
};

// A/B testing at scale: `npx tsx bench/ab.ts` (or `npm run bench:ab`).
//
// Starts a throwaway embedded PostgreSQL in a temp folder, seeds a mailing list of N contacts
// (default 1M) with set-based SQL, then on an A/B campaign:
//   1. times the 10% sample alone (the SQL condition of the preparation, counted in the database);
//   2. prepares variant A (10%) and variant B (10%, drawn among those A did not reach) as the
//      queue cron does, with the process peak RSS (the ids never come to Node);
//   3. prepares the final mailing (everybody neither variant reached);
//   4. times reading the campaign statistics over its N traces (ratios, click count, A/B counters),
//      the A/B summary of a variant, and the statistics of the final mailing.
//
// Environment: BENCH_N (default 1000000), BENCH_KEEP=1 keeps the temp folder, BENCH_EXPLAIN=1 prints
// EXPLAIN (ANALYZE, BUFFERS) of every statement over 5 ms these statistics reads ran.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDatabaseServer, ensureDatabase } from '../server/postgres.ts';
import { loadRegistry } from '../server/bootstrap.ts';
import { createLogger } from '../server/log.ts';
import type { Registry } from '../models/orm/registry.ts';
import { sql } from '../models/orm/sql.ts';
import { Cursor } from '../models/orm/env.ts';
import { abTestingRecipientCondition } from '../models/mass_mailing/ab_testing.ts';
import { parseMailingDomain } from '../models/tools/py_literal.ts';
import { mb, withPeakRss } from './measure.ts';

const N = Number(process.env.BENCH_N || 1_000_000);
const DB = 'bench_ab';
const EXPLAIN = process.env.BENCH_EXPLAIN === '1';

/** The statements over 5 ms that `fn` ran through Cursor.query (text and bindings), when BENCH_EXPLAIN=1. */
async function slowStatements<T>(fn: () => Promise<T>): Promise<{ result: T; slow: { text: string; values: unknown[] }[] }> {
  if (!EXPLAIN) return { result: await fn(), slow: [] };
  const slow: { text: string; values: unknown[] }[] = [];
  const original = Cursor.prototype.query;
  Cursor.prototype.query = async function (this: Cursor, q: any, params?: unknown[]) {
    const t0 = performance.now();
    const rows = await original.call(this, q, params);
    const { text, values } = typeof q === 'string' ? { text: q, values: params ?? [] } : q.toQuery();
    if (performance.now() - t0 > 5) slow.push({ text, values });
    return rows;
  } as typeof original;
  try {
    return { result: await fn(), slow };
  } finally {
    Cursor.prototype.query = original;
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement, as printed lines. */
async function explain(registry: Registry, statements: { text: string; values: unknown[] }[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of statements) {
    const plan = await registry.sudo(async (env) => env.cr.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values));
    out.push(`    ${s.text.replace(/\s+/g, ' ').trim()}`, ...plan.map((r) => `      ${r['QUERY PLAN']}`));
  }
  return out;
}

async function seedList(registry: Registry, n: number): Promise<number> {
  return registry.sudo(async (env) => {
    const [list] = (await env.model('mailing.list').create({ name: 'Bench A/B' })).ids;
    const base = (await env.cr.query<{ m: number | null }>(sql`SELECT max(id) AS m FROM mailing_contact`))[0].m ?? 0;
    await env.cr.execute(sql`
      INSERT INTO mailing_contact (id, name, mobile, phone_sanitized, create_uid, write_uid, create_date, write_date)
      SELECT ${base}::int4 + i, 'Contact ' || i, '+32 47' || lpad(i::text, 7, '0'), '+3247' || lpad(i::text, 7, '0'), 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM generate_series(1, ${n}::int4) AS i`);
    await env.cr.execute(`SELECT setval('mailing_contact_id_seq', (SELECT max(id) FROM mailing_contact))`);
    await env.cr.execute(sql`
      INSERT INTO mailing_subscription (contact_id, list_id, opt_out, create_uid, write_uid, create_date, write_date)
      SELECT ${base}::int4 + i, ${list}::int4, FALSE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM generate_series(1, ${n}::int4) AS i`);
    await env.cr.execute('ANALYZE mailing_contact');
    await env.cr.execute('ANALYZE mailing_subscription');
    return list;
  });
}

async function abMailing(registry: Registry, list: number, title: string, campaign: number | false): Promise<number> {
  return registry.sudo(async (env) => {
    const m = await env.model('mailing.mailing').create({
      sms_subject: title, mailing_type: 'sms', contact_list_ids: [[6, 0, [list]]], body_plaintext: `${title}: -20% this weekend at https://shop.example.com/sale`,
      ab_testing_enabled: true, ab_testing_pc: 10, ...(campaign ? { campaign_id: campaign } : {}),
    });
    return m.ids[0];
  });
}

async function prepare(registry: Registry, mailing: number) {
  return withPeakRss(() => registry.sudo(async (env) => {
    const m = env.model('mailing.mailing').browse([mailing]);
    await m.write({ state: 'sending' });
    await m.call('action_send_sms');
  }));
}

async function main(): Promise<void> {
  const logger = createLogger('warn');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-ab-'));
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger });
  let registry: Registry | undefined;
  try {
    await ensureDatabase(server.adminConnectionString, DB);
    registry = await loadRegistry(server.connectionString(DB), 4);
    console.log(`bench/ab: PostgreSQL in ${dataDir}; Node ${process.version}; ${N.toLocaleString('en')} contacts`);
    const list = await seedList(registry, N);
    const a = await abMailing(registry, list, 'Version A', false);
    const campaign = await registry.sudo(async (env) => (await env.model('mailing.mailing').browse([a]).fetch(['campaign_id']))[0].campaign_id as number);
    const b = await abMailing(registry, list, 'Version B', campaign);
    // Printed as they come: a 1M run takes minutes on a loaded machine.
    const lines = { push: (l: string) => console.log(`  ${l}`) };

    // 1. The sample alone: how long the database takes to draw 10% at random.
    const sample = await withPeakRss(() => registry!.sudo(async (env) => {
      const [m] = await env.model('mailing.mailing').browse([a]).fetch(['mailing_domain', 'ab_testing_pc']);
      const cond = await abTestingRecipientCondition(env, { id: a, campaign_id: campaign, ab_testing_enabled: true, ab_testing_pc: m.ab_testing_pc as number, mailing_type: 'sms' }, 'mailing.contact', parseMailingDomain(m.mailing_domain as string), 'mailing_contact');
      const [{ n }] = await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM mailing_contact WHERE ${cond!}`);
      return n;
    }));
    lines.push(`sample of 10% of ${N.toLocaleString('en')}: ${sample.result.toLocaleString('en')} drawn in ${Math.round(sample.ms)} ms (peak RSS ${mb(sample.peak)} MB)`);

    // 2. The two variants, prepared as the queue cron does.
    for (const [name, id] of [['A', a], ['B', b]] as const) {
      const r = await prepare(registry, id);
      lines.push(`variant ${name} prepared (sample + SMS + traces): ${Math.round(r.ms)} ms, peak RSS ${mb(r.peak)} MB`);
    }
    const overlap = await registry.sudo(async (env) => (await env.cr.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM mailing_trace x JOIN mailing_trace y ON y.res_id = x.res_id AND y.mass_mailing_id = ${b} WHERE x.mass_mailing_id = ${a}`))[0].n);
    lines.push(`recipients reached by both variants: ${overlap}`);

    // 3. The final mailing (A chosen by hand): everybody neither variant reached.
    const final = await registry.sudo(async (env) => (await env.model('mailing.mailing').browse([a]).call<{ res_id: number }>('action_select_as_winner')).res_id);
    const rf = await prepare(registry, final);
    const finalCount = await registry.sudo(async (env) => (await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM mailing_trace WHERE mass_mailing_id = ${final}`))[0].n);
    lines.push(`final mailing prepared (${finalCount.toLocaleString('en')} recipients left): ${Math.round(rf.ms)} ms, peak RSS ${mb(rf.peak)} MB`);

    // 4. Campaign statistics over N traces (synthetic traces added to a third mailing of the campaign when fewer).
    const filler = await abMailing(registry, list, 'Filler', campaign);
    await registry.sudo(async (env) => {
      const [{ n }] = await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM mailing_trace WHERE campaign_id = ${campaign}`);
      await env.cr.execute(sql`
        INSERT INTO mailing_trace (trace_type, model, res_id, mass_mailing_id, campaign_id, sms_number, trace_status, sent_datetime, is_test_trace, create_uid, write_uid, create_date, write_date)
        SELECT 'sms', 'mailing.contact', i, ${filler}::int4, ${campaign}::int4, '+3247' || lpad(i::text, 7, '0'),
               CASE WHEN i % 50 = 0 THEN 'bounce' WHEN i % 20 = 0 THEN 'cancel' ELSE 'sent' END,
               CASE WHEN i % 20 = 0 AND i % 50 <> 0 THEN NULL ELSE now() AT TIME ZONE 'UTC' END, FALSE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        FROM generate_series(1, ${Math.max(N - n, 0)}::int4) AS i`);
      await env.cr.execute('ANALYZE mailing_trace');
    });
    // Clicks as recipients make them: one trace in 25 of the campaign clicked, one in 50 twice.
    const clicks = await registry.sudo(async (env) => {
      const [{ link }] = await env.cr.query<{ link: number }>(sql`INSERT INTO link_tracker (url, campaign_id, count, create_uid, write_uid, create_date, write_date)
        VALUES ('https://shop.example.com/sale', ${campaign}::int4, 0, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') RETURNING id AS link`);
      await env.cr.execute(sql`
        INSERT INTO link_tracker_click (link_id, ip, mailing_trace_id, mass_mailing_id, campaign_id, create_uid, write_uid, create_date, write_date)
        SELECT ${link}::int4, '10.0.0.1', t.id, t.mass_mailing_id, t.campaign_id, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        FROM mailing_trace t CROSS JOIN generate_series(1, 2) AS k WHERE t.campaign_id = ${campaign}::int4 AND t.id % 25 = 0 AND (k = 1 OR t.id % 50 = 0)`);
      await env.cr.execute(sql`UPDATE mailing_trace SET links_click_datetime = now() AT TIME ZONE 'UTC' WHERE campaign_id = ${campaign}::int4 AND id % 25 = 0`);
      await env.cr.execute('ANALYZE link_tracker_click');
      await env.cr.execute('ANALYZE mailing_trace');
      return (await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM link_tracker_click`))[0].n;
    });
    lines.push(`clicks recorded: ${clicks.toLocaleString('en')}`);
    // Each read timed first (as a marketer opening the page meets it), then twice again.
    const timed = async (model: string, id: number, fields: string[]) => {
      const first = await slowStatements(() => withPeakRss(() => registry!.sudo(async (env) => env.model(model).browse([id]).read(fields))));
      const again: number[] = [];
      for (let i = 0; i < 2; i++) again.push((await withPeakRss(() => registry!.sudo(async (env) => env.model(model).browse([id]).read(fields)))).ms);
      return { row: first.result.result[0], slow: first.slow, ms: `${Math.round(first.result.ms)} ms (then ${again.map(Math.round).join(', ')} ms)` };
    };
    const stats = await timed('utm.campaign', campaign, ['received_ratio', 'bounced_ratio', 'opened_ratio', 'click_count', 'mailing_sms_count', 'ab_testing_mailings_sms_count']);
    lines.push(`campaign statistics over ${N.toLocaleString('en')} traces: ${stats.ms} (${JSON.stringify(stats.row)})`);
    const summary = await timed('mailing.mailing', a, ['ab_testing_description']);
    lines.push(`A/B summary of a variant (per-variant reach and clicks over ${N.toLocaleString('en')} traces): ${summary.ms}`);
    lines.push(`  its figures: ${(summary.row.ab_testing_description as string).match(/<ul>.*<\/ul>/)?.[0] ?? '(none)'}`);
    const mailingStats = await timed('mailing.mailing', final, ['expected', 'delivered', 'clicked', 'clicks_ratio', 'sms_has_insufficient_credit', 'sms_has_unregistered_account']);
    lines.push(`statistics of the final mailing (${finalCount.toLocaleString('en')} traces): ${mailingStats.ms} (${JSON.stringify(mailingStats.row)})`);
    if (EXPLAIN) for (const l of await explain(registry, [...stats.slow, ...summary.slow, ...mailingStats.slow])) lines.push(l);
  } finally {
    await registry?.close();
    await server.stop();
    if (!process.env.BENCH_KEEP) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

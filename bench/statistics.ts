// Mailing statistics on a database with a long click history: `npx tsx bench/statistics.ts`
// (or `npm run bench:statistics`).
//
// Starts a throwaway embedded PostgreSQL, seeds old mailings with millions of clicks, then times
// read(['clicks_ratio', 'received_ratio', 'expected']) (warm, several runs) on:
//   (a) 80 mailings × 2,000 traces, 3% clicked (the mailings list view);
//   (b) one mailing of 1M traces, 4% clicked (2% twice);
//   (c) one mailing of 1M traces, 60% clicked.
//
// Also times both sides of the clicked-traces query alone (queries.ts clickedByMailing).
//
// Environment: BENCH_HISTORY (old traces, default 2,500,000; each clicked once, one in five twice),
// BENCH_BIG (traces of (b) and (c), default 1,000,000), BENCH_RUNS (default 3), BENCH_KEEP=1 keeps
// the temp folder, BENCH_EXPLAIN=1 prints the plans of both sides.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDatabaseServer, ensureDatabase } from '../server/postgres.ts';
import { loadRegistry } from '../server/bootstrap.ts';
import { createLogger } from '../server/log.ts';
import type { Registry } from '../models/orm/registry.ts';
import { sql, type SQL } from '../models/orm/sql.ts';
import { clickedByMailing } from '../models/mass_mailing/queries.ts';

const HISTORY = Number(process.env.BENCH_HISTORY || 2_500_000);
const BIG = Number(process.env.BENCH_BIG || 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS || 3);
const DB = 'bench_statistics';
const FIELDS = ['clicks_ratio', 'received_ratio', 'expected'];

async function createMailings(registry: Registry, count: number, title: string): Promise<number[]> {
  return registry.sudo(async (env) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const m = await env.model('mailing.mailing').create({ sms_subject: `${title} ${i + 1}`, mailing_type: 'sms', body_plaintext: `${title}: https://shop.example.com/sale` });
      ids.push(m.ids[0]);
    }
    return ids;
  });
}

/**
 * `perMailing` sent traces for each mailing; traces whose id % 100 < `pct` clicked once (and
 * marked clicked), those with id % 100 < `twice` a second time.
 */
async function seedTraces(registry: Registry, ids: number[], perMailing: number, pct: number, twice: number, link: number): Promise<void> {
  await registry.sudo(async (env) => {
    const [{ first }] = await env.cr.query<{ first: number }>(sql`SELECT COALESCE(max(id), 0) + 1 AS first FROM mailing_trace`);
    await env.cr.execute(sql`
      INSERT INTO mailing_trace (trace_type, model, res_id, mass_mailing_id, sms_number, trace_status, sent_datetime, is_test_trace, create_uid, write_uid, create_date, write_date)
      SELECT 'sms', 'mailing.contact', i, m, '+3247' || lpad(i::text, 7, '0'), 'sent', now() AT TIME ZONE 'UTC', FALSE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM unnest(${ids}::int4[]) AS m CROSS JOIN generate_series(1, ${perMailing}::int4) AS i`);
    await env.cr.execute(sql`
      INSERT INTO link_tracker_click (link_id, ip, mailing_trace_id, mass_mailing_id, create_uid, write_uid, create_date, write_date)
      SELECT ${link}::int4, '10.0.0.1', t.id, t.mass_mailing_id, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM mailing_trace t CROSS JOIN generate_series(1, 2) AS k
      WHERE t.id >= ${first}::int4 AND t.id % 100 < ${pct}::int4 AND (k = 1 OR t.id % 100 < ${twice}::int4)`);
    await env.cr.execute(sql`UPDATE mailing_trace SET links_click_datetime = now() AT TIME ZONE 'UTC' WHERE id >= ${first}::int4 AND id % 100 < ${pct}::int4`);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeRead(registry: Registry, ids: number[]): Promise<{ runs: number[]; sample: Record<string, unknown> }> {
  const read = () => registry.sudo(async (env) => env.model('mailing.mailing').browse(ids).read(FIELDS));
  const [sample] = await read();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await read();
    runs.push(performance.now() - t0);
  }
  return { runs, sample };
}

/** Median of `RUNS` warm runs of one statement. */
async function timeQuery(registry: Registry, q: SQL): Promise<number> {
  const run = () => registry.sudo(async (env) => env.cr.query(q));
  await run();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

async function main(): Promise<void> {
  const logger = createLogger('warn');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-statistics-'));
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger });
  let registry: Registry | undefined;
  try {
    await ensureDatabase(server.adminConnectionString, DB);
    registry = await loadRegistry(server.connectionString(DB), 4);
    console.log(`bench/statistics: PostgreSQL in ${dataDir}; Node ${process.version}`);
    const link = await registry.sudo(async (env) => (await env.cr.query<{ id: number }>(sql`INSERT INTO link_tracker (url, count, create_uid, write_uid, create_date, write_date)
      VALUES ('https://shop.example.com/sale', 0, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') RETURNING id`))[0].id);

    let t0 = performance.now();
    const old = await createMailings(registry, 50, 'Old');
    await seedTraces(registry, old, Math.ceil(HISTORY / old.length), 100, 20, link);
    const sets: [string, number[]][] = [];
    sets.push(['(a) 80 mailings × 2,000 traces, 3% clicked', await createMailings(registry, 80, 'Small')]);
    await seedTraces(registry, sets[0][1], 2000, 3, 0, link);
    sets.push([`(b) 1 mailing × ${BIG.toLocaleString('en')} traces, 4% clicked`, await createMailings(registry, 1, 'Big 4%')]);
    await seedTraces(registry, sets[1][1], BIG, 4, 2, link);
    sets.push([`(c) 1 mailing × ${BIG.toLocaleString('en')} traces, 60% clicked`, await createMailings(registry, 1, 'Big 60%')]);
    await seedTraces(registry, sets[2][1], BIG, 60, 0, link);
    // Outside a transaction (VACUUM cannot run in one): as autovacuum would leave the tables.
    for (const table of ['mailing_trace', 'link_tracker_click', 'mailing_trace_daily']) await registry.pool.query(`VACUUM ANALYZE ${table}`);
    const counts = await registry.sudo(async (env) => {
      return (await env.cr.query<{ traces: number; clicks: number }>(sql`SELECT (SELECT count(*) FROM mailing_trace)::int AS traces, (SELECT count(*) FROM link_tracker_click)::int AS clicks`))[0];
    });
    console.log(`  seeded ${counts.traces.toLocaleString('en')} traces, ${counts.clicks.toLocaleString('en')} clicks in ${Math.round((performance.now() - t0) / 1000)} s`);

    for (const [name, ids] of sets) {
      t0 = performance.now();
      const { runs, sample } = await timeRead(registry, ids);
      console.log(`  ${name}: median ${Math.round(median(runs))} ms (runs ${runs.map(Math.round).join(', ')} ms; first mailing ${JSON.stringify(sample)})`);
      // Both sides of the clicked-traces query alone: what the choice between them weighs.
      const [fromClicks, fromTraces] = [await timeQuery(registry, clickedByMailing(ids, true)), await timeQuery(registry, clickedByMailing(ids, false))];
      console.log(`    clicked traces alone: from the clicks ${Math.round(fromClicks)} ms, from the traces ${Math.round(fromTraces)} ms`);
      if (process.env.BENCH_EXPLAIN === '1') {
        for (const side of [true, false]) {
          const { text, values } = clickedByMailing(ids, side).toQuery();
          const plan = await registry.sudo(async (env) => env.cr.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values));
          console.log(plan.map((r) => `      ${r['QUERY PLAN']}`).join('\n'));
        }
      }
    }
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

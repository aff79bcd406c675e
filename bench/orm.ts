// ORM benchmark: `npx tsx bench/orm.ts` (or `npm run bench:orm`).
//
// Starts a throwaway embedded PostgreSQL (temp folder, fsync off; or the server of
// BENCH_DATABASE_URL / TEST_DATABASE_URL, on a database created and dropped here), builds the
// product's registry plus one bench-only extension (a non-stored computed `partner_count` on
// res.partner.category, so production models stay clean), then prints:
//   1. create of 100k res.partner in one call (seconds, queries issued), with the production models
//      as they are (a creation message per partner) and with `tracking_disable` (bulk import)
//   2. search_read of 80 rows with a 3-leaf domain over 1M res.partner rows, one transaction per
//      call as over RPC (p50/p95 ms over 200 runs; the 1M rows are loaded with set-based SQL)
//   3. read of a non-stored computed count over 10k records (ms, queries issued)
//   4. read of 500 partners with many2one/many2many/one2many/computed fields (queries issued)
// and the process RSS. Targets: 1 < 10 s, 2 p50 < 5 ms, no query per record anywhere.
//
// Environment: BENCH_CREATE (default 100000), BENCH_ROWS (default 1000000), BENCH_RUNS (200).

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDatabaseServer, ensureDatabase, dropDatabase, type DatabaseServer } from '../server/postgres.ts';
import { createLogger } from '../server/log.ts';
import { Registry } from '../models/orm/registry.ts';
import { initSchema } from '../models/orm/schema.ts';
import { ADDONS } from '../models/index.ts';
import { loadAddonData } from '../server/bootstrap.ts';
import type { ModelSpec } from '../models/orm/model.ts';
import type { RecordSet, Vals } from '../models/orm/records.ts';
import { callKw } from '../models/orm/call_kw.ts';
import { sql } from '../models/orm/sql.ts';

const CREATE_N = Number(process.env.BENCH_CREATE || 100_000);
const TOTAL_ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS || 200);
const CATEGORIES = 10_000;

/** Bench-only: how many partners carry each tag, computed in one GROUP BY for all records. */
const CategoryPartnerCount: ModelSpec = {
  _name: 'res.partner.category',
  _inherit: 'res.partner.category',
  fields: {
    partner_count: { type: 'integer', string: 'Partner Count', compute: '_compute_partner_count', depends: ['partner_ids'] },
  },
  methods: {
    _compute_partner_count: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        // One query for every record of the batch (never one per record).
        const rows = await self.env.cr.query<{ id: number; n: number }>(sql`
          SELECT category_id AS id, count(*)::int AS n FROM res_partner_res_partner_category_rel
          WHERE category_id = ANY(${self.ids}::int4[]) GROUP BY category_id`);
        const by = new Map(rows.map((r) => [r.id, r.n]));
        return new Map<number, Vals>(self.ids.map((id) => [id, { partner_count: by.get(id) ?? 0 }]));
      },
    },
  },
};

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const logger = createLogger(process.env.BENCH_LOG_LEVEL || 'warn');
  const externalUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  let dataDir: string | undefined;
  if (!externalUrl) dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-orm-'));
  let server: DatabaseServer | undefined;
  let registry: Registry | undefined;
  const dbName = `orm_bench_${process.pid}`;
  try {
    server = await startDatabaseServer(
      { databaseUrl: externalUrl, dataDir: dataDir ?? '', embeddedPgPort: 0 },
      { logger, postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=256MB', '-c', 'max_wal_size=4GB'], initdbNoSync: true },
    );
    await ensureDatabase(server.adminConnectionString, dbName);
    registry = new Registry(server.connectionString(dbName), [CategoryPartnerCount], { addons: ADDONS }).build().connect(4);
    const reg = registry;
    await reg.sudo(async (env) => {
      await initSchema(reg, env.cr);
      await loadAddonData(env);
    });
    console.log(`ORM benchmark — PostgreSQL ${externalUrl ? '(external)' : '(embedded, fsync off)'}, Node ${process.version}, ${os.cpus().length} CPU`);
    console.log(`RSS after start: ${mb(process.memoryUsage().rss)}`);

    const countries = await reg.sudo((env) => env.cr.query<{ id: number }>(sql`SELECT id FROM res_country ORDER BY id`));
    const countryIds = countries.map((c) => c.id);
    const byCode = new Map((await reg.sudo((env) => env.cr.query<{ id: number; code: string }>(sql`SELECT id, code FROM res_country WHERE code IN ('BE', 'FR', 'NL', 'DE')`))).map((r) => [r.code, r.id]));
    const be = byCode.get('BE')!;
    const common = ['BE', 'FR', 'NL', 'DE'].map((c) => byCode.get(c)!);
    // Same country mix everywhere: 30% BE, 20% FR, 10% NL, 10% DE, 30% spread over all countries.
    const countryFor = (g: number) => [be, be, be, common[1], common[1], common[2], common[3]][g % 10] ?? countryIds[g % countryIds.length];

    // ------------------------------------------------------------------ 1. create 100k
    const makeVals = (tag: string): Vals[] => Array.from({ length: CREATE_N }, (_, i) => ({
      name: `Bench ${tag} ${i}`,
      email: `bench.${tag}${i}@example.com`,
      phone: `+32 470 ${String(i).padStart(6, '0')}`,
      city: i % 2 ? 'Brussels' : 'Liège',
      country_id: countryFor(i),
      is_company: i % 10 === 0,
    }));
    const createRun = async (label: string, context: Record<string, unknown>, tag: string) => {
      const vals = makeVals(tag);
      const rssBefore = process.memoryUsage().rss;
      const t0 = performance.now();
      const queries = await reg.transaction({ uid: 2, context }, async (env) => {
        const q0 = env.cr.queryCount;
        const recs = await env.model('res.partner').create(vals);
        if (recs.length !== CREATE_N) throw new Error('create returned a wrong number of ids');
        return env.cr.queryCount - q0;
      });
      const sec = (performance.now() - t0) / 1000;
      const [check] = await reg.sudo((env) => env.cr.query<{ n: number; named: number; phones: number }>(sql`
        SELECT count(*)::int AS n, count(complete_name)::int AS named, count(phone_sanitized)::int AS phones FROM res_partner WHERE name LIKE ${`Bench ${tag} %`}`));
      if (check.n !== CREATE_N || check.named !== CREATE_N) throw new Error(`create check failed: ${JSON.stringify(check)}`);
      console.log(`   ${label}: ${sec.toFixed(2)} s, ${queries} queries, RSS ${mb(rssBefore)} → ${mb(process.memoryUsage().rss)} (complete_name set on ${check.named}, phone_sanitized on ${check.phones})`);
      return sec;
    };
    console.log(`\n1. create of ${CREATE_N.toLocaleString('en')} res.partner in one call (name, email, phone, city, country_id, is_company)`);
    const loadBefore = os.loadavg()[0];
    await createRun('production models, default context (a creation message logged per partner)', {}, 'a');
    await createRun('context tracking_disable (Odoo\'s bulk import setting: no creation messages)', { tracking_disable: true }, 'b');
    console.log(`   (machine load average ${loadBefore.toFixed(2)} → ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs)`);

    // ------------------------------------------------------------------ 2. search_read over 1M rows
    const t1 = performance.now();
    await reg.sudo(async (env) => {
      const [{ n }] = await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM res_partner`);
      const missing = TOTAL_ROWS - n;
      // Set-based load (not through create): a bench fixture, a million rows in seconds.
      if (missing > 0) {
        await env.cr.execute(sql`
          INSERT INTO res_partner (name, complete_name, email, phone, city, country_id, is_company, active, type, lang, color, create_uid, write_uid, create_date, write_date)
          SELECT 'Filler ' || g, 'Filler ' || g, 'filler' || g || '@example.org', '+33 6 ' || lpad(g::text, 8, '0'), 'Paris',
                 CASE g % 10 WHEN 0 THEN ${be}::int4 WHEN 1 THEN ${be}::int4 WHEN 2 THEN ${be}::int4 WHEN 3 THEN ${common[1]}::int4 WHEN 4 THEN ${common[1]}::int4
                   WHEN 5 THEN ${common[2]}::int4 WHEN 6 THEN ${common[3]}::int4 ELSE (${countryIds}::int4[])[1 + (g % ${countryIds.length})] END, (g::bigint * 7919) % 10007 % 7 = 0, (g::bigint * 104729) % 10009 % 50 <> 0, 'contact', 'en_US', g % 12, 2, 2,
                 now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM generate_series(1, ${missing}) AS g`);
      }
    });
    await reg.sudo((env) => env.cr.execute('ANALYZE res_partner'));
    const loadSec = (performance.now() - t1) / 1000;
    // A list-view page: partners of a (common) country, people only, with an email; pages 1-4.
    const domainFor = (i: number) => [['country_id', '=', common[i % common.length]], ['is_company', '=', false], ['email', '!=', false]];
    const offsetFor = (i: number) => (Math.floor(i / common.length) % 4) * 80;
    const fields = ['name', 'email', 'phone', 'country_id', 'complete_name'];
    // warm-up
    for (let i = 0; i < 10; i++) await reg.transaction({ uid: 2 }, (env) => callKw(env, 'res.partner', 'search_read', [domainFor(i)], { fields, limit: 80, offset: offsetFor(i) }));
    const times: number[] = [];
    let srQueries = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const rows = await reg.transaction({ uid: 2 }, async (env) => {
        const q0 = env.cr.queryCount;
        const out = (await callKw(env, 'res.partner', 'search_read', [domainFor(i)], { fields, limit: 80, offset: offsetFor(i) })) as unknown[];
        srQueries = env.cr.queryCount - q0;
        return out;
      });
      times.push(performance.now() - s);
      if (rows.length !== 80) {
        const n = await reg.sudo((env) => env.model('res.partner').searchCount(domainFor(i)));
        throw new Error(`search_read returned ${rows.length} rows (search_count as superuser: ${n}) for ${JSON.stringify(domainFor(i))}`);
      }
    }
    times.sort((a, b) => a - b);
    console.log(`\n2. search_read, 80 rows (pages 1-4), 3-leaf domain [country_id = BE|FR|NL|DE, is_company = False, email != False] + active, order complete_name, id desc, over ${TOTAL_ROWS.toLocaleString('en')} res.partner`);
    console.log(`   (rows loaded with set-based SQL in ${loadSec.toFixed(1)} s; one transaction per call as over RPC; ${srQueries} queries per call)`);
    console.log(`   p50 ${pct(times, 50).toFixed(2)} ms, p95 ${pct(times, 95).toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms over ${RUNS} runs`);

    // ------------------------------------------------------------------ 3. non-stored count over 10k records
    await reg.sudo(async (env) => {
      // Fixture: 10k tags, each linked to some partners (set-based).
      await env.cr.execute(sql`
        INSERT INTO res_partner_category (name, color, active, create_uid, write_uid, create_date, write_date)
        SELECT 'Tag ' || g, g % 12, TRUE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM generate_series(1, ${CATEGORIES}) g`);
      await env.cr.execute(sql`
        INSERT INTO res_partner_res_partner_category_rel (partner_id, category_id)
        SELECT p.id, c.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM res_partner ORDER BY id LIMIT 200000) p
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM res_partner_category) c ON c.k = p.rn % ${CATEGORIES}
        ON CONFLICT DO NOTHING`);
    });
    const t3 = performance.now();
    const { count3, total3 } = await reg.transaction({ uid: 2 }, async (env) => {
      const q0 = env.cr.queryCount;
      const cats = await env.model('res.partner.category').search([]);
      const rows = await cats.read(['name', 'partner_count']);
      return { count3: env.cr.queryCount - q0, total3: rows.reduce((s, r) => s + (r.partner_count as number), 0), n: rows.length };
    });
    console.log(`\n3. read of the non-stored computed res.partner.category.partner_count over ${CATEGORIES.toLocaleString('en')} records: ${(performance.now() - t3).toFixed(0)} ms, ${count3} queries (search + read), total count ${total3.toLocaleString('en')}`);

    // ------------------------------------------------------------------ 4. queries for read of 500 partners
    const q4 = await reg.transaction({ uid: 2 }, async (env) => {
      const ids = (await env.model('res.partner').search([['name', 'like', 'Bench a 1%']], { limit: 500 })).ids;
      const measure = async (n: number) => {
        const q0 = env.cr.queryCount;
        await env.model('res.partner').browse(ids.slice(0, n)).read(['name', 'country_id', 'parent_id', 'category_id', 'child_ids', 'complete_name', 'display_name', 'country_code']);
        return env.cr.queryCount - q0;
      };
      return { one: await measure(1), many: await measure(500) };
    });
    console.log(`\n4. read of partners with many2one, many2many, one2many, stored and non-stored computed fields: ${q4.one} queries for 1 record, ${q4.many} for 500`);

    console.log(`\nRSS at the end: ${mb(process.memoryUsage().rss)} (peak ${mb(Math.max(peakRss, process.memoryUsage().rss))})`);
  } finally {
    clearInterval(sampler);
    await registry?.close().catch(() => undefined);
    if (server) {
      await dropDatabase(server.adminConnectionString, dbName).catch(() => undefined);
      await server.stop().catch(() => undefined);
    }
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

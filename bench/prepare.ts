// Preparing SMS mailings at scale: `npx tsx bench/prepare.ts` (or `npm run bench:prepare`).
//
// Starts a throwaway embedded PostgreSQL in a temp folder, seeds mailing lists of 100k and 1M
// contacts with set-based SQL (about 1% blacklisted, 1% duplicate numbers, 0.5% without number,
// 0.5% malformed, 1% opted out), then for each size prepares one SMS mailing on the list as the queue
// cron does (state `sending`, then `action_send_sms`: classification, sms.sms, mailing.trace and
// sms.tracker rows, one transaction) and prints recipients/s and the process RSS (peak while
// preparing). For comparison it times PostgreSQL COPYing the same number of rows into a copy of
// mailing_trace (same columns and indexes) from Node, and prints prepare time / COPY time. It also
// times reading the statistics of the prepared mailing, the same body with a link (one tracker,
// each SMS its own short link) on the same list, and a body with a placeholder (rendered per
// recipient in Node) on the smaller list.
//
// "CPU s" is the CPU time the preparation cost: its database backend's plus this process's; on a
// shared machine it moves far less with the load than the elapsed seconds do.
//
// Environment: BENCH_SIZES (default "100000,1000000"), BENCH_KEEP=1 keeps the temp folder,
// BENCH_ROLE=createdb runs as a role with only LOGIN CREATEDB instead of the superuser,
// BENCH_STATEMENTS=1 prints, after each case, the statements that took the most time
// (pg_stat_statements, nested ones included: the per-row foreign-key checks show as one line);
// with BENCH_EXPLAIN=1 as well, PostgreSQL's output (debug log) carries the plans of statements over
// 1 s with their actual times, buffers and time per trigger (auto_explain).

import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import pg from 'pg';
import { startDatabaseServer } from '../server/postgres.ts';
import { loadRegistry } from '../server/bootstrap.ts';
import { createLogger } from '../server/log.ts';
import type { Registry } from '../models/orm/registry.ts';
import { sql } from '../models/orm/sql.ts';
import { mb, withPeakRss } from './measure.ts';
import { BENCH_ROLE, benchDatabase } from './role.ts';
import { statementFlags, statementsClient, topStatements } from './statements.ts';

const SIZES = (process.env.BENCH_SIZES || '100000,1000000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const DB = 'bench_prepare';

interface Row {
  case: string;
  recipients: number;
  seconds: number;
  'CPU s': number;
  'recipients/s': number;
  'peak RSS MB': number;
  sms: number;
  cancelled: number;
  'COPY s': number | string;
  'prepare / COPY': number | string;
}


/** A list of `n` contacts, seeded set-based (no ORM): returns the list id. */
async function seedList(registry: Registry, n: number, label: string): Promise<number> {
  return registry.sudo(async (env) => {
    const [list] = (await env.model('mailing.list').create({ name: `Bench ${label}` })).ids;
    const base = ((await env.cr.query<{ m: number | null }>(sql`SELECT max(id) AS m FROM mailing_contact`))[0].m ?? 0) + 1;
    // Contact i: mobile +3247<7 digits>; every 100th reuses the number of the previous contact
    // (duplicate), every 200th has none, every 200th (+100) a malformed one.
    await env.cr.execute(sql`
      INSERT INTO mailing_contact (id, name, mobile, phone_sanitized, create_uid, write_uid, create_date, write_date)
      SELECT ${base}::int4 + i, 'Contact ' || i,
             CASE WHEN i % 200 = 0 THEN NULL WHEN i % 200 = 100 THEN 'n/a ' || i
                  ELSE '+32 47' || lpad(((CASE WHEN i % 100 = 50 THEN i - 1 ELSE i END) % 10000000)::text, 7, '0') END,
             CASE WHEN i % 200 = 0 OR i % 200 = 100 THEN NULL
                  ELSE '+3247' || lpad(((CASE WHEN i % 100 = 50 THEN i - 1 ELSE i END) % 10000000)::text, 7, '0') END,
             1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM generate_series(0, ${n - 1}::int4) AS i`);
    await env.cr.execute(`SELECT setval('mailing_contact_id_seq', (SELECT max(id) FROM mailing_contact))`);
    await env.cr.execute(sql`
      INSERT INTO mailing_subscription (contact_id, list_id, opt_out, create_uid, write_uid, create_date, write_date)
      SELECT ${base}::int4 + i, ${list}::int4, i % 100 = 7, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM generate_series(0, ${n - 1}::int4) AS i`);
    // 1% of the numbers blacklisted.
    await env.cr.execute(sql`
      INSERT INTO phone_blacklist (number, active, create_uid, write_uid, create_date, write_date)
      SELECT '+3247' || lpad((i % 10000000)::text, 7, '0'), TRUE, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM generate_series(0, ${n - 1}::int4) AS i WHERE i % 100 = 13
      ON CONFLICT DO NOTHING`);
    await env.cr.execute('ANALYZE mailing_contact');
    await env.cr.execute('ANALYZE mailing_subscription');
    await env.cr.execute('ANALYZE phone_blacklist');
    return list;
  });
}

async function createMailing(registry: Registry, list: number, body: string): Promise<number> {
  return registry.sudo(async (env) => {
    const m = await env.model('mailing.mailing').create({ subject: `Bench ${list}`, mailing_type: 'sms', contact_list_ids: [[6, 0, [list]]], body_plaintext: body });
    await m.call('action_put_in_queue');
    return m.ids[0];
  });
}

/** CPU time (ms) process `pid` has used so far (user + system, from /proc). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** Prepare `mailing` like the queue cron does; returns timing, CPU time and counts. */
async function prepare(registry: Registry, mailing: number) {
  // The queue cron's path for one mailing: `sending`, then the preparation of its recipients.
  const node0 = process.cpuUsage();
  let backendMs = 0;
  const run = await withPeakRss(() => registry.sudo(async (env) => {
    const [{ pid }] = await env.cr.query<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
    const c0 = cpuMs(pid);
    const m = env.model('mailing.mailing').browse([mailing]);
    await m.write({ state: 'sending' });
    await m.call('action_send_sms');
    backendMs = cpuMs(pid) - c0;
  }));
  const node = process.cpuUsage(node0);
  const cpu = backendMs + (node.user + node.system) / 1000;
  const counts = await registry.sudo(async (env) => {
    const rows = await env.cr.query<{ status: string; n: number }>(sql`SELECT trace_status AS status, count(*)::int AS n FROM mailing_trace WHERE mass_mailing_id = ${mailing} GROUP BY 1`);
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  });
  return { ...run, cpu, counts };
}

/** COPY `n` trace-shaped rows into a copy of mailing_trace (same columns, indexes, defaults). */
async function copyBaseline(registry: Registry, n: number, mailing: number): Promise<number> {
  // A connection of the registry's knex pool (no second client).
  const client = await registry.pool.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_trace_copy');
    await client.query('CREATE TABLE bench_trace_copy (LIKE mailing_trace INCLUDING ALL)');
    const t0 = performance.now();
    await client.query('BEGIN');
    const stream = client.query(copyStreams.from(
      'COPY bench_trace_copy (trace_type, model, res_id, mass_mailing_id, sms_code, sms_number, sms_id_int, trace_status, is_test_trace, create_uid, write_uid, create_date, write_date) FROM STDIN',
    ));
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
    let i = 0;
    const chunk = 10_000;
    const source = new Readable({
      read() {
        if (i >= n) {
          this.push(null);
          return;
        }
        let text = '';
        const end = Math.min(n, i + chunk);
        for (; i < end; i++) text += `sms\tmailing.contact\t${i + 1}\t${mailing}\tAbc\t+3247${String(i).padStart(7, '0')}\t${i + 1}\toutgoing\tf\t1\t1\t${now}\t${now}\n`;
        this.push(text);
      },
    });
    await pipeline(source, stream);
    await client.query('COMMIT');
    return performance.now() - t0;
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_trace_copy').catch(() => undefined);
    client.release();
  }
}

async function statsTime(registry: Registry, mailing: number): Promise<number> {
  const fields = ['expected', 'scheduled', 'canceled', 'sent', 'delivered', 'failed', 'bounced', 'received_ratio', 'clicks_ratio'];
  await registry.sudo((env) => env.model('mailing.mailing').browse([mailing]).read(fields)); // warm
  const t0 = performance.now();
  await registry.sudo((env) => env.model('mailing.mailing').browse([mailing]).read(fields));
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-prepare-'));
  const logger = createLogger(process.env.BENCH_EXPLAIN ? 'debug' : 'warn');
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger, postgresFlags: statementFlags });
  let registry: Registry | undefined;
  let admin: pg.Client | undefined;
  try {
    const conn = await benchDatabase(server, DB);
    registry = await loadRegistry(conn, 4);
    admin = await statementsClient(server, DB);
    const statements: string[] = [];
    const timed = async (label: string, mailing: number) => {
      if (admin) await topStatements(admin);
      const r = await prepare(registry!, mailing);
      if (admin) statements.push(`${label}:`, ...(await topStatements(admin)).map((l) => `  ${l}`));
      return r;
    };
    console.log(`bench/prepare: PostgreSQL in ${dataDir}; role ${BENCH_ROLE}; Node ${process.version}; sizes ${SIZES.join(', ')}; load average ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    const rows: Row[] = [];
    const extra: string[] = [];
    for (const n of SIZES) {
      const list = await seedList(registry, n, String(n));
      const mailing = await createMailing(registry, list, 'Big sale this weekend: -20% on everything in store. Reply STOP to opt out.');
      const before = mb(process.memoryUsage().rss);
      const res = await timed(`constant body, ${n}`, mailing);
      const copyMs = await copyBaseline(registry, n, mailing);
      const total = Object.values(res.counts).reduce((a, b) => a + b, 0);
      rows.push({
        case: `constant body, ${n.toLocaleString('en')} contacts`,
        recipients: total,
        seconds: Math.round(res.ms / 10) / 100,
        'CPU s': Math.round(res.cpu / 10) / 100,
        'recipients/s': Math.round(total / (res.ms / 1000)),
        'peak RSS MB': mb(res.peak),
        sms: res.counts.outgoing ?? 0,
        cancelled: res.counts.cancel ?? 0,
        'COPY s': Math.round(copyMs / 10) / 100,
        'prepare / COPY': Math.round((res.ms / copyMs) * 10) / 10,
      });
      // The same body with a link, on the same list: one tracker, each SMS gets its own /s/<sms id>.
      const linked = await createMailing(registry, list, 'Big sale this weekend: -20% at https://shop.example.com/sale?ref=sms Reply STOP to opt out.');
      const rl = await timed(`constant body + link, ${n}`, linked);
      const totl = Object.values(rl.counts).reduce((a, b) => a + b, 0);
      rows.push({
        case: `constant body + link, ${n.toLocaleString('en')} contacts`,
        recipients: totl,
        seconds: Math.round(rl.ms / 10) / 100,
        'CPU s': Math.round(rl.cpu / 10) / 100,
        'recipients/s': Math.round(totl / (rl.ms / 1000)),
        'peak RSS MB': mb(rl.peak),
        sms: rl.counts.outgoing ?? 0,
        cancelled: rl.counts.cancel ?? 0,
        'COPY s': '-',
        'prepare / COPY': '-',
      });
      extra.push(`${n.toLocaleString('en')}: with a link / without: ${Math.round((rl.ms / res.ms) * 100) / 100}x`);
      extra.push(`${n.toLocaleString('en')}: RSS before ${before} MB; statistics read of the mailing (${total.toLocaleString('en')} traces): ${Math.round(await statsTime(registry, mailing))} ms`);
      if (n === SIZES[0]) {
        // Per-recipient rendering on the same list (a second mailing, same recipients).
        const dyn = await createMailing(registry, list, 'Hello {{ object.name }}, -20% this weekend with code {{ object.mobile or "SMS" }}.');
        const r = await timed(`placeholders, ${n}`, dyn);
        const tot = Object.values(r.counts).reduce((a, b) => a + b, 0);
        rows.push({
          case: `placeholders, ${n.toLocaleString('en')} contacts`,
          recipients: tot,
          seconds: Math.round(r.ms / 10) / 100,
          'CPU s': Math.round(r.cpu / 10) / 100,
          'recipients/s': Math.round(tot / (r.ms / 1000)),
          'peak RSS MB': mb(r.peak),
          sms: r.counts.outgoing ?? 0,
          cancelled: r.counts.cancel ?? 0,
          'COPY s': '-',
          'prepare / COPY': '-',
        });
      }
    }
    console.table(rows);
    for (const line of extra) console.log(`  ${line}`);
    if (statements.length) console.log(`statements that took the most time (pg_stat_statements):\n${statements.join('\n')}`);
    console.log(`load average at the end: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  } finally {
    await admin?.end();
    await registry?.close();
    await server.stop();
    if (!process.env.BENCH_KEEP) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// Sending-engine throughput: `npm run bench:dispatch` (or `npx tsx bench/dispatch.ts`).
//
// Starts a throwaway embedded PostgreSQL in a temp folder, builds the schema, seeds outgoing
// sms.sms rows with SQL, and runs the engine (one instance, this process) against the simulator:
//   1. zero latency: provider batches of 500 (IAP-like API);
//   2. 100 ms per provider request, one SMS per request (Twilio-like API), 100 requests in flight;
//   3. per-sender rate limit: observed messages/second (from the simulator's acceptance times)
//      against the configured rate.
// Prints messages/s, peak RSS, and checks that every SMS was accepted exactly once.
//
// Environment: BENCH_N (SMS of runs 1, default 50000), BENCH_N_LATENCY (run 2, default 10000),
// BENCH_RATE (run 3, default 200 msg/s), BENCH_RATE_SECONDS (default 10), BENCH_DURABLE=1 to keep
// PostgreSQL's default durability (fsync/synchronous_commit on; default: synchronous_commit=off).

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../server/log.ts';
import { ensureDatabase, startDatabaseServer } from '../server/postgres.ts';
import { loadRegistry } from '../server/bootstrap.ts';
import type { Registry } from '../models/orm/registry.ts';
import { SmsEngine } from '../models/sms/dispatch.ts';
import { simulatorStats } from '../models/sms/providers/simulator.ts';
import { writeSmsSettings } from '../models/sms/providers/settings.ts';

const N = Number(process.env.BENCH_N || 50_000);
const N_LATENCY = Number(process.env.BENCH_N_LATENCY || 10_000);
const RATE = Number(process.env.BENCH_RATE || 200);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS || 10);
const DURABLE = process.env.BENCH_DURABLE === '1';

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function reset(registry: Registry): Promise<void> {
  await registry.pool.query('TRUNCATE sms_sms, sms_simulator_message, sms_rate_bucket');
  await registry.pool.query(`UPDATE sms_credit_account SET balance = 1e9`);
}

async function seed(registry: Registry, n: number): Promise<void> {
  // Belgian mobile numbers, a one-segment body: what a mailing's preparation leaves in the queue.
  await registry.pool.query(
    `INSERT INTO sms_sms (uuid, number, body, state, to_delete, create_uid, write_uid, create_date, write_date)
     SELECT md5(g::text || random()::text), '+32470' || lpad(g::text, 6, '0'), 'Spring sale: 20% off everything this weekend. Reply STOP to opt out.',
            'outgoing', false, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
     FROM generate_series(1, $1) g`,
    [n],
  );
  await registry.pool.query('ANALYZE sms_sms');
}

async function run(registry: Registry, title: string, n: number, settings: Parameters<typeof writeSmsSettings>[1]): Promise<Record<string, unknown>> {
  await reset(registry);
  await seed(registry, n);
  await writeSmsSettings(registry, { sms_simulator_delivery_delay: 3_600_000, sms_simulator_failure_mode: 'none', ...settings });
  const engine = new SmsEngine(registry, { logger: createLogger('warn') });
  peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const res = await engine.processQueue({ deadline: Date.now() + 600_000 });
  const secs = (performance.now() - t0) / 1000;
  await engine.stop();
  const stats = await simulatorStats(registry);
  const { rows } = await registry.pool.query(`SELECT state, count(*)::int AS n FROM sms_sms GROUP BY state`);
  const states = Object.fromEntries(rows.map((r) => [r.state, r.n]));
  const exactlyOnce = stats.accepted === n && stats.submissions === n && stats.duplicates === 0 && states.pending === n;
  return {
    run: title,
    sms: n,
    seconds: Number(secs.toFixed(2)),
    'msg/s': Math.round(res.sent / secs),
    'peak RSS MB': Math.round(peakRss / 1048576),
    'exactly once': exactlyOnce ? 'yes' : `NO ${JSON.stringify({ stats, states })}`,
  };
}

async function rateRun(registry: Registry, rate: number, seconds: number): Promise<Record<string, unknown>> {
  const n = Math.round(rate * seconds);
  const row = await run(registry, `rate limit ${rate}/s`, n, {
    sms_rate_limit: rate, sms_simulator_latency: 20, sms_simulator_batch_size: 1, sms_dispatch_concurrency: 50, sms_dispatch_workers: 2, sms_batch_size: 500,
  });
  // Observed rate: messages accepted by the gateway over the span between the first and last one.
  const { rows } = await registry.pool.query(`SELECT count(*)::int AS n, extract(epoch FROM max(accepted_at) - min(accepted_at))::float8 AS span FROM sms_simulator_message`);
  const observed = (rows[0].n - 1) / rows[0].span;
  // Worst 1-second window (a burst above the configured rate would show here).
  const { rows: w } = await registry.pool.query(
    `SELECT max(c)::int AS worst FROM (SELECT count(*) OVER (ORDER BY accepted_at RANGE BETWEEN CURRENT ROW AND interval '999 milliseconds' FOLLOWING) AS c FROM sms_simulator_message) x`,
  );
  return { ...row, 'configured MPS': rate, 'observed MPS': Number(observed.toFixed(1)), 'deviation %': Number(((100 * (observed - rate)) / rate).toFixed(2)), 'worst 1 s window': w[0].worst };
}

async function main(): Promise<void> {
  const logger = createLogger('warn');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms-bench-dispatch-'));
  const flags = DURABLE ? ['-c', 'max_connections=200'] : ['-c', 'synchronous_commit=off', '-c', 'max_connections=200'];
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger, postgresFlags: flags, initdbNoSync: true });
  let registry: Registry | undefined;
  try {
    await ensureDatabase(server.adminConnectionString, 'bench');
    registry = await loadRegistry(server.connectionString('bench'), 24);
    console.log(`PostgreSQL: embedded, ${DURABLE ? 'default durability' : 'synchronous_commit=off'}; node ${process.version}; ${os.cpus().length} CPUs`);
    const rows: Record<string, unknown>[] = [];
    rows.push(await run(registry, 'zero latency (batches of 500)', N, {
      sms_simulator_latency: 0, sms_simulator_batch_size: 500, sms_batch_size: 500, sms_dispatch_concurrency: 16, sms_dispatch_workers: 4, sms_rate_limit: 0,
    }));
    rows.push(await run(registry, '100 ms latency, 1 SMS/request, 100 in flight', N_LATENCY, {
      sms_simulator_latency: 100, sms_simulator_batch_size: 1, sms_batch_size: 500, sms_dispatch_concurrency: 100, sms_dispatch_workers: 3, sms_rate_limit: 0,
    }));
    rows.push(await rateRun(registry, RATE, RATE_SECONDS));
    console.table(rows);
  } finally {
    clearInterval(sampler);
    await registry?.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

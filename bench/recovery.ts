// Crash recovery time: `npm run bench:recovery` (or `npx tsx bench/recovery.ts`).
//
// Starts a throwaway embedded PostgreSQL, seeds outgoing SMS, runs the sending engine in a child
// process against a slow simulated gateway with a long lease (300 s), kills it with SIGKILL in the
// middle of a batch, starts another child (the restart), and measures the time from the restart
// to the last SMS of the killed batch being settled (out of `process`, lease_owner cleared). Then
// lets the restarted instance finish the queue and checks that every SMS was accepted exactly once.
// Second run: three instances send together, the one holding accepted-but-unrecorded SMS is
// killed, and the time until the two others have settled its batch is measured.
//
// Environment: BENCH_N (SMS, default 5000), BENCH_N3 (SMS of the three-instance run, default
// 10000), BENCH_LEASE (seconds, default 300).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../server/log.ts';
import { ensureDatabase, startDatabaseServer } from '../server/postgres.ts';
import { createRegistry, loadRegistry } from '../server/bootstrap.ts';
import type { Registry } from '../models/orm/registry.ts';
import { configureSmsEngine } from '../models/sms/dispatch.ts';
import { simulatorStats } from '../models/sms/providers/simulator.ts';
import { writeSmsSettings } from '../models/sms/providers/settings.ts';

const N = Number(process.env.BENCH_N || 5000);
const N3 = Number(process.env.BENCH_N3 || 10_000);
const LEASE = Number(process.env.BENCH_LEASE || 300);

/** Child mode: one engine instance sending until killed. */
async function child(connectionString: string): Promise<void> {
  const registry = createRegistry(connectionString, 6);
  const engine = configureSmsEngine(registry, { logger: createLogger('silent') });
  process.stdout.write('started\n');
  for (;;) {
    await engine.processQueue({ deadline: Date.now() + 60_000 });
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startInstance(connectionString: string): { proc: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', connectionString], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve) => proc.stdout!.on('data', () => resolve()));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return { proc, ready, exited };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function count(registry: Registry, where: string, params: unknown[] = []): Promise<number> {
  const { rows } = await registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE ${where}`, params);
  return rows[0].n;
}

async function seed(registry: Registry, n: number): Promise<void> {
  await registry.pool.query('TRUNCATE sms_sms, sms_simulator_message, sms_engine_instance');
  await registry.pool.query(`UPDATE sms_credit_account SET balance = 1e9`);
  await registry.pool.query(
    `INSERT INTO sms_sms (uuid, number, body, state, to_delete, create_uid, write_uid, create_date, write_date)
     SELECT md5(g::text || random()::text), '+32470' || lpad(g::text, 6, '0'), 'Spring sale: 20% off this weekend. Reply STOP to opt out.',
            'outgoing', false, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
     FROM generate_series(1, $1) g`,
    [n],
  );
}

async function exactlyOnce(registry: Registry, n: number): Promise<string> {
  const stats = await simulatorStats(registry);
  const { rows: st } = await registry.pool.query(`SELECT state, count(*)::int AS n FROM sms_sms GROUP BY state`);
  const states = Object.fromEntries(st.map((r) => [r.state, r.n]));
  return stats.accepted === n && stats.submissions === n && stats.duplicates === 0 && states.pending === n ? 'yes' : `NO ${JSON.stringify({ stats, states })}`;
}

/** Three instances at once; the one with accepted-but-unrecorded SMS in hand is killed; the two others settle its batch. */
async function threeInstances(registry: Registry, url: string, children: ReturnType<typeof startInstance>[]): Promise<Record<string, unknown>> {
  await seed(registry, N3);
  const three = [startInstance(url), startInstance(url), startInstance(url)];
  children.push(...three);
  await Promise.all(three.map((c) => c.ready));
  // Lease owners are `<host>:<pid>:…`: the victim is the process holding unrecorded accepted SMS.
  let victim: (typeof three)[number] | undefined;
  await until(async () => {
    const { rows } = await registry.pool.query<{ lease_owner: string }>(
      `SELECT lease_owner FROM sms_sms WHERE state = 'process' AND EXISTS (SELECT 1 FROM sms_simulator_message m WHERE m.uuid = sms_sms.uuid) GROUP BY lease_owner HAVING count(*) >= 20 LIMIT 1`,
    );
    victim = rows.length ? three.find((c) => rows[0].lease_owner.split(':')[1] === String(c.proc.pid)) : undefined;
    return !!victim;
  }, 60_000);
  victim!.proc.kill('SIGKILL');
  await victim!.exited;
  const killedAt = performance.now();
  const { rows } = await registry.pool.query<{ id: number }>(`SELECT id FROM sms_sms WHERE state = 'process' AND split_part(lease_owner, ':', 2) = $1`, [String(victim!.proc.pid)]);
  const batch = rows.map((r) => r.id);
  await until(async () => (await count(registry, `id = ANY($1::int4[]) AND (state = 'process' OR lease_owner IS NOT NULL)`, [batch])) === 0, LEASE * 1000);
  const settledAt = performance.now();
  await until(async () => (await count(registry, `state = 'pending' AND lease_owner IS NULL`)) === N3, 600_000, 200);
  for (const c of three) if (c !== victim) c.proc.kill('SIGKILL');
  await Promise.all(three.map((c) => c.exited));
  const { rows: sent } = await registry.pool.query(`SELECT count(DISTINCT provider_ref)::int AS n FROM sms_sms`);
  return {
    run: '3 instances, 1 killed',
    sms: N3,
    'killed batch': batch.length,
    'kill → killed batch settled by the others (s)': Number(((settledAt - killedAt) / 1000).toFixed(2)),
    'distinct provider refs': sent[0].n,
    'exactly once': await exactlyOnce(registry, N3),
  };
}

async function main(): Promise<void> {
  const logger = createLogger('warn');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms-bench-recovery-'));
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger, postgresFlags: ['-c', 'synchronous_commit=off'], initdbNoSync: true });
  let registry: Registry | undefined;
  const children: ReturnType<typeof startInstance>[] = [];
  try {
    await ensureDatabase(server.adminConnectionString, 'bench');
    const url = server.connectionString('bench');
    registry = await loadRegistry(url, 4);
    await seed(registry, N);
    // A slow gateway (100 ms, 10 SMS per request): a batch of 500 takes seconds, so the kill lands in one.
    await writeSmsSettings(registry, {
      sms_batch_size: 500, sms_simulator_batch_size: 10, sms_simulator_latency: 100, sms_dispatch_concurrency: 4, sms_dispatch_workers: 2,
      sms_dispatch_lease: LEASE, sms_simulator_delivery_delay: 3_600_000, sms_simulator_failure_mode: 'none', sms_rate_limit: 0,
    });
    const first = startInstance(url);
    children.push(first);
    await until(async () => (await count(registry!, `state = 'process' AND EXISTS (SELECT 1 FROM sms_simulator_message m WHERE m.uuid = sms_sms.uuid)`)) >= 20, 60_000);
    first.proc.kill('SIGKILL');
    await first.exited;
    const killedAt = performance.now();
    const { rows } = await registry.pool.query<{ id: number }>(`SELECT id FROM sms_sms WHERE state = 'process'`);
    const batch = rows.map((r) => r.id);
    const accepted = await count(registry, `id = ANY($1::int4[]) AND EXISTS (SELECT 1 FROM sms_simulator_message m WHERE m.uuid = sms_sms.uuid)`, [batch]);

    const restartAt = performance.now();
    const second = startInstance(url);
    children.push(second);
    await second.ready;
    const readyAt = performance.now();
    await until(async () => (await count(registry!, `id = ANY($1::int4[]) AND (state = 'process' OR lease_owner IS NOT NULL)`, [batch])) === 0, LEASE * 1000);
    const settledAt = performance.now();
    await until(async () => (await count(registry!, `state = 'pending' AND lease_owner IS NULL`)) === N, 600_000, 200);
    second.proc.kill('SIGKILL');
    await second.exited;

    const once = await exactlyOnce(registry, N);
    const three = await threeInstances(registry, url, children);
    console.log(`PostgreSQL: embedded; node ${process.version}; ${os.cpus().length} CPUs; lease ${LEASE} s; simulator timeout 15 s`);
    console.table([{
      sms: N,
      'killed batch': batch.length,
      'of which accepted, unrecorded': accepted,
      'restart → engine up (s)': Number(((readyAt - restartAt) / 1000).toFixed(2)),
      'restart → killed batch settled (s)': Number(((settledAt - restartAt) / 1000).toFixed(2)),
      'kill → killed batch settled (s)': Number(((settledAt - killedAt) / 1000).toFixed(2)),
      'exactly once': once,
    }]);
    console.table([three]);
  } finally {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await registry?.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

// Short-link redirects under load: `npx tsx bench/redirect.ts` (or `npm run bench:redirect`).
//
// Starts the real HTTP app on a throwaway embedded PostgreSQL with the server's default
// durability settings (every click committed to disk before its 301), seeds one tracker and
// 1,000,000 SMS traces, then measures with autocannon, run in a SEPARATE process
// (bench/redirect_load.ts), at 10 connections:
//   1. GET /hello                    an Express "hello world" JSON endpoint in the same server
//                                    process (the yardstick)
//   2. GET /r/<code>/s/<sms id>      a different recipient per request (click + trace update)
// each after a 2 s warm-up, and prints requests/s, the ratio to hello world, p50/p99. It then
// checks that the clicks recorded equal the redirects answered.
//
// Environment: BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS (default 10).

import http from 'node:http';
import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { openRuntime } from '../server/runtime.ts';
import { createApp } from '../server/app.ts';
import { sql } from '../models/orm/sql.ts';
import { linkRedirects } from '../models/link_tracker/redirect.ts';

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
const TRACES = 1_000_000;

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  codes: Record<string, number>;
  errors: number;
  timeouts: number;
  next: number;
}

/** autocannon in a child process (never in the server's process). */
function load(url: string, seconds: number, firstSms?: number, amount?: number): Promise<LoadResult> {
  const script = fileURLToPath(new URL('./redirect_load.ts', import.meta.url));
  const args = ['--import', 'tsx', script, url, String(CONNECTIONS), String(seconds), ...(firstSms ? [String(firstSms)] : []), ...(amount ? [String(amount)] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-redirect-'));
  const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: '0', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DB_NAME: 'bench' });
  const logger = createLogger('warn');
  const runtime = await openRuntime(config, logger, { poolSize: 20 });
  const servers: http.Server[] = [];
  try {
    const registry = runtime.registry;
    const { linkId, code } = await registry.sudo(async (env) => {
      const tracker = await env.model('link.tracker').create({ url: 'https://shop.example.com/sale?ref=sms' });
      const [{ code }] = await tracker.read(['code']);
      // SMS traces with sms_id_int 1..TRACES: every click finds its recipient's trace.
      await env.cr.execute(sql`
        INSERT INTO mailing_trace (trace_type, model, res_id, sms_id_int, trace_status, create_uid, write_uid, create_date, write_date)
        SELECT 'sms', 'res.partner', i, i, 'sent', 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM generate_series(1, ${TRACES}::int4) AS i`);
      await env.cr.execute('ANALYZE mailing_trace');
      return { linkId: tracker.ids[0], code: code as string };
    });
    const settings = await registry.sudo((env) => env.cr.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name`));

    const listen = async (app: http.RequestListener) => {
      const server = http.createServer(app);
      server.keepAliveTimeout = 30_000;
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const hello = express();
    hello.disable('x-powered-by');
    hello.get('/hello', (_req, res) => {
      res.json({ hello: 'world' });
    });
    const helloBase = await listen(hello);
    // Redirects answered, as the server counts them (each 301 handed to the socket).
    let answered = 0;
    const app = createApp(runtime, config, logger);
    const base = await listen((req, res) => {
      res.on('finish', () => {
        if (res.statusCode === 301) answered++;
      });
      app(req, res);
    });

    console.log(`bench/redirect: Node ${process.version}; ${os.cpus().length} CPUs; ${CONNECTIONS} connections, ${DURATION} s per run; PostgreSQL ${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}`);
    const probe = await fetch(`${base}/r/${code}/s/1`, { redirect: 'manual' });
    if (probe.status !== 301) throw new Error(`unexpected answer ${probe.status}`);
    let sms = 2;

    await load(`${helloBase}/hello`, 2);
    const h = await load(`${helloBase}/hello`, DURATION);
    // A fixed number of requests (about DURATION seconds at the warm-up's rate), every answer read.
    const warm = await load(`${base}/r/${code}`, 2, sms, 2000);
    sms = warm.next;
    const r = await load(`${base}/r/${code}`, DURATION, sms, Math.max(1000, Math.round(warm.rps * DURATION)));
    // Let the trackers' count catch up.
    await linkRedirects(registry).clicks.drain();

    const rows = [
      { endpoint: 'GET /hello (Express hello world)', 'req/s': Math.round(h.rps), ratio: '100%', 'p50 ms': h.p50, 'p99 ms': h.p99, requests: h.total, errors: h.errors + h.timeouts },
      { endpoint: 'GET /r/<code>/s/<sms id> (301 + click)', 'req/s': Math.round(r.rps), ratio: `${Math.round((r.rps / h.rps) * 100)}%`, 'p50 ms': r.p50, 'p99 ms': r.p99, requests: r.total, errors: r.errors + r.timeouts },
    ];
    console.table(rows);
    if (Object.keys(r.codes).some((c) => c !== '301')) console.log(`  redirect run status codes: ${JSON.stringify(r.codes)}`);

    const [{ clicks, count, traced }] = await registry.sudo((env) => env.cr.query<{ clicks: number; count: number; traced: number }>(sql`
      SELECT (SELECT count(*)::int FROM link_tracker_click WHERE link_id = ${linkId}) AS clicks,
             (SELECT count FROM link_tracker WHERE id = ${linkId}) AS count,
             (SELECT count(*)::int FROM mailing_trace WHERE links_click_datetime IS NOT NULL) AS traced`));
    const read = 1 + (warm.codes['301'] ?? 0) + (r.codes['301'] ?? 0);
    const ok = clicks === read && count === read && answered === read;
    console.log(`  redirects answered: ${read} (server side: ${answered}); clicks recorded: ${clicks}; tracker count: ${count}; traces clicked: ${traced} -> ${ok ? 'OK' : 'MISMATCH'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await runtime.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

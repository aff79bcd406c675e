// Reporting figures: `npx tsx bench/report.ts` (or `npm run bench:report`).
//
// Starts the real HTTP app on an ephemeral port against a throwaway embedded PostgreSQL, inserts
// one SMS mailing with BENCH_TRACES traces (default 1,000,000; statuses and sent days spread over
// 30 days, 5% clicked) with set-based SQL, then times (median of 5, after the first call, whose
// time is shown too):
//   1. POST /jsonrpc  mailing.trace.formatted_read_group by sent_datetime:day and trace_status
//   2. POST /jsonrpc  mailing.trace.read_group (legacy) with the same group-bys, lazy=false
//   3. GET  /sms_marketing/mailing/<id>  the report page of that mailing (logged in); its first
//      load folds the counts the insert left (mailing_trace_daily)
//   4. for comparison, the same figures grouped straight from the traces (one scan of 1M rows)

import http from 'node:http';
import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { openRuntime } from '../server/runtime.ts';
import { createApp, syncAdminPassword } from '../server/app.ts';
import { sql } from '../models/orm/sql.ts';

const N = Number(process.env.BENCH_TRACES || 1_000_000);
const PASSWORD = 'bench-admin-password';

async function timed(fn: () => Promise<{ status: number; size: number }>): Promise<{ first: number; median: number; status: number; size: number }> {
  let t0 = performance.now();
  await fn();
  const first = Math.round(performance.now() - t0);
  const times: number[] = [];
  let last = { status: 0, size: 0 };
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    last = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { first, median: Math.round(times[2]), ...last };
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: '0', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ADMIN_PASSWORD: PASSWORD, DB_NAME: 'bench' });
  const logger = createLogger('warn');
  const runtime = await openRuntime(config, logger, { poolSize: 10 });
  let server: http.Server | undefined;
  try {
    const registry = runtime.registry;
    await syncAdminPassword(registry, PASSWORD);
    const t0 = performance.now();
    const mailing = await registry.sudo(async (env) => {
      const [partner] = (await env.model('res.partner').create([{ name: 'Bench recipient', phone: '+32470000000' }])).ids;
      const [m] = (await env.model('mailing.mailing').create([{ subject: 'Bench', mailing_type: 'sms', body_plaintext: 'Hi' }])).ids;
      // set-based: a million traces in one statement
      await env.cr.execute(sql`
        INSERT INTO mailing_trace (trace_type, model, res_id, mass_mailing_id, trace_status, failure_type, sent_datetime, links_click_datetime, create_date, write_date)
        SELECT 'sms', 'res.partner', ${partner}, ${m},
               (ARRAY['sent','sent','sent','sent','open','bounce','error','cancel','outgoing','pending'])[1 + i % 10],
               CASE i % 10 WHEN 5 THEN 'sms_invalid_destination' WHEN 6 THEN 'sms_server' WHEN 7 THEN 'sms_optout' END,
               CASE WHEN i % 10 < 7 THEN timestamp '2026-01-01' + (i % 30) * interval '1 day' + (i % 86400) * interval '1 second' END,
               CASE WHEN i % 20 = 0 THEN timestamp '2026-01-02' + (i % 30) * interval '1 day' END,
               now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        FROM generate_series(1, ${N}) AS i`);
      await env.cr.execute('ANALYZE mailing_trace');
      return m;
    });
    console.log(`inserted ${N.toLocaleString('en')} traces in ${Math.round(performance.now() - t0)} ms`);

    const app = createApp(runtime, config, logger);
    server = http.createServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const rpc = (method: string, args: unknown[], kwargs: Record<string, unknown>) => async () => {
      const res = await fetch(`${url}/jsonrpc`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: ['bench', 2, PASSWORD, 'mailing.trace', method, args, kwargs] } }),
      });
      const body = (await res.json()) as { result?: unknown[]; error?: unknown };
      if (body.error) throw new Error(JSON.stringify(body.error));
      return { status: res.status, size: body.result!.length };
    };
    const domain = [['mass_mailing_id', '=', mailing]];
    const frg = await timed(rpc('formatted_read_group', [domain], { groupby: ['sent_datetime:day', 'trace_status'], aggregates: ['__count'] }));
    console.log(`formatted_read_group by day and status over /jsonrpc: median ${frg.median} ms, first ${frg.first} ms (${frg.size} groups)`);
    const rg = await timed(rpc('read_group', [domain, ['__count'], ['sent_datetime:day', 'trace_status']], { lazy: false }));
    console.log(`read_group by day and status over /jsonrpc (lazy=false): median ${rg.median} ms, first ${rg.first} ms (${rg.size} groups)`);

    const auth = await fetch(`${url}/web/session/authenticate`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { db: 'bench', login: 'admin', password: PASSWORD } }),
    });
    const cookie = (auth.headers.get('set-cookie') ?? '').split(';')[0];
    const page = await timed(async () => {
      const res = await fetch(`${url}/sms_marketing/mailing/${mailing}`, { headers: { Cookie: cookie } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`report page: ${res.status}`);
      return { status: res.status, size: text.length };
    });
    console.log(`report page of the ${N.toLocaleString('en')}-recipient mailing: median ${page.median} ms, first ${page.first} ms (${page.size} bytes of HTML)`);
    const scan = await timed(async () => {
      const rows = await registry.sudo((env) => env.cr.query(sql`
        SELECT trace_status, failure_type, sent_datetime::date, links_click_datetime::date, count(*)
        FROM mailing_trace WHERE mass_mailing_id = ${mailing} GROUP BY 1, 2, 3, 4`));
      return { status: 200, size: rows.length };
    });
    console.log(`for comparison, the page's figures grouped straight from the traces: median ${scan.median} ms (${scan.size} groups)`);
  } finally {
    if (server) await new Promise<void>((resolve) => { server!.close(() => resolve()); server!.closeAllConnections(); });
    await runtime.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();

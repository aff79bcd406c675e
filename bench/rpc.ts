// RPC throughput: `npx tsx bench/rpc.ts` (or `npm run bench:rpc`).
//
// Starts the real HTTP app on an ephemeral port against a throwaway embedded PostgreSQL, seeds
// 1000 partners, then runs autocannon (10 connections, ~10 s each) on:
//   1. POST /jsonrpc           object.execute_kw res.partner.search_read (80 rows: name, email, country_id)
//   2. POST /json/2/res.partner/search_read   the same call with a bearer API key (if API keys exist)
//   3. POST /xmlrpc/2/object   the same call over XML-RPC (for comparison)
// (after a 2 s warm-up) and prints requests/s and latency p50/p99. It also times the credential check of
// object.execute_kw: the first call of a (uid, password) pair (full password hash check) against
// the following ones (cached).
//
// Environment: BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS (default 10).

import http from 'node:http';
import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { openRuntime } from '../server/runtime.ts';
import { createApp, syncAdminPassword } from '../server/app.ts';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<any>;

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
const PASSWORD = 'bench-admin-password';
const FIELDS = ['name', 'email', 'country_id'];

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}

function jsonrpcBody(db: string, uid: number, password: string, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [db, uid, password, model, method, args, kwargs] } });
}

function xmlrpcSearchRead(db: string, password: string): string {
  const fields = FIELDS.map((f) => `<value><string>${f}</string></value>`).join('');
  return `<?xml version='1.0'?><methodCall><methodName>execute_kw</methodName><params>
<param><value><string>${db}</string></value></param><param><value><int>2</int></value></param>
<param><value><string>${password}</string></value></param><param><value><string>res.partner</string></value></param>
<param><value><string>search_read</string></value></param><param><value><array><data><value><array><data></data></array></value></data></array></value></param>
<param><value><struct><member><name>fields</name><value><array><data>${fields}</data></array></value></member>
<member><name>limit</name><value><int>80</int></value></member></struct></value></param></params></methodCall>`;
}

async function run(title: string, url: string, body: string, headers: Record<string, string>, check: (text: string) => boolean): Promise<Record<string, unknown>> {
  // one request first, so a broken setup fails loudly instead of measuring errors
  const probe = await post(url, body, headers);
  if (probe.status !== 200 || !check(probe.text)) throw new Error(`${title}: unexpected answer ${probe.status} ${probe.text.slice(0, 300)}`);
  const result = await autocannon({ url, method: 'POST', body, headers, connections: CONNECTIONS, duration: DURATION });
  const row = {
    endpoint: title,
    'req/s': Math.round(result.requests.average),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    requests: result.requests.total,
    'non-2xx': result.non2xx,
    errors: result.errors + result.timeouts,
  };
  console.log(`  ${title}: ${row['req/s']} req/s, p50 ${row['p50 ms']} ms, p99 ${row['p99 ms']} ms (${row.requests} requests, ${row['non-2xx']} non-2xx, ${row.errors} errors)`);
  return row;
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: '0', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ADMIN_PASSWORD: PASSWORD, DB_NAME: 'bench' });
  const logger = createLogger('warn');
  const runtime = await openRuntime(config, logger, { poolSize: 20 });
  let server: http.Server | undefined;
  try {
    const registry = runtime.registry;
    await syncAdminPassword(registry, PASSWORD);
    // seed: 1000 partners, a third of them with a country
    await registry.transaction({ uid: 2 }, async (env) => {
      const countries = (await env.model('res.country').search([['code', 'in', ['BE', 'FR', 'US', 'DE']]])).ids;
      const vals = Array.from({ length: 1000 }, (_, i) => ({
        name: `Bench Partner ${String(i).padStart(4, '0')}`,
        email: `partner${i}@example.com`,
        country_id: i % 3 === 0 ? countries[i % countries.length] : false,
      }));
      await env.model('res.partner').create(vals);
    });
    server = http.createServer(createApp(runtime, config, logger));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const db = config.dbName;
    const JSON_CT = { 'Content-Type': 'application/json' };
    console.log(`sms_marketing RPC bench: ${CONNECTIONS} connections, ${DURATION} s per endpoint, 1000 partners, search_read limit 80 (${FIELDS.join(', ')})`);
    console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);

    // credential check: first call of a (uid, password) pair vs cached ones
    const countBody = jsonrpcBody(db, 2, PASSWORD, 'res.partner', 'search_count', [[]]);
    const first = await post(`${base}/jsonrpc`, countBody, JSON_CT);
    const later: number[] = [];
    for (let i = 0; i < 50; i++) later.push((await post(`${base}/jsonrpc`, countBody, JSON_CT)).ms);
    later.sort((a, b) => a - b);
    console.log(`  execute_kw search_count: first call (password hash verified) ${first.ms.toFixed(1)} ms; next calls (cached check) median ${later[25]!.toFixed(1)} ms`);

    const rows: Record<string, unknown>[] = [];
    const srBody0 = jsonrpcBody(db, 2, PASSWORD, 'res.partner', 'search_read', [[]], { fields: FIELDS, limit: 80 });
    // warm-up (JIT, connection pool), not measured
    await autocannon({ url: `${base}/jsonrpc`, method: 'POST', body: srBody0, headers: JSON_CT, connections: CONNECTIONS, duration: 2 });
    const srBody = jsonrpcBody(db, 2, PASSWORD, 'res.partner', 'search_read', [[]], { fields: FIELDS, limit: 80 });
    rows.push(await run('POST /jsonrpc execute_kw search_read', `${base}/jsonrpc`, srBody, JSON_CT, (t) => JSON.parse(t).result?.length === 80));

    // an API key, made as a user would: res.users.apikeys.description create + make_key
    let key: string | undefined;
    if (registry.has('res.users.apikeys.description')) {
      const created = JSON.parse((await post(`${base}/jsonrpc`, jsonrpcBody(db, 2, PASSWORD, 'res.users.apikeys.description', 'create', [{ name: 'bench' }]), JSON_CT)).text);
      const made = JSON.parse((await post(`${base}/jsonrpc`, jsonrpcBody(db, 2, PASSWORD, 'res.users.apikeys.description', 'make_key', [[created.result]]), JSON_CT)).text);
      key = made.result?.context?.default_key;
    }
    if (key) {
      rows.push(await run('POST /json/2/res.partner/search_read (bearer)', `${base}/json/2/res.partner/search_read`, JSON.stringify({ domain: [], fields: FIELDS, limit: 80 }),
        { ...JSON_CT, Authorization: `bearer ${key}` }, (t) => JSON.parse(t).length === 80));
      rows.push(await run('POST /jsonrpc execute_kw search_read (API key as password)', `${base}/jsonrpc`, jsonrpcBody(db, 2, key, 'res.partner', 'search_read', [[]], { fields: FIELDS, limit: 80 }),
        JSON_CT, (t) => JSON.parse(t).result?.length === 80));
    } else {
      console.log('  JSON-2: skipped, this build has no API keys (res.users.apikeys.description)');
    }
    rows.push(await run('POST /xmlrpc/2/object execute_kw search_read', `${base}/xmlrpc/2/object`, xmlrpcSearchRead(db, PASSWORD), { 'Content-Type': 'text/xml' },
      (t) => t.includes('<methodResponse>') && !t.includes('<fault>')));
    console.table(rows);
  } finally {
    if (server) await new Promise<void>((resolve) => { server!.close(() => resolve()); server!.closeAllConnections(); });
    await runtime.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// RPC throughput as users see it: `npm run bench:rpc` (or `npx tsx bench/rpc.ts`).
//
// Everything runs in its own process, like in production:
//   - the server: `node <the start script's options> server/start.mjs` (what `npm start` runs), default
//     durability settings, embedded PostgreSQL in a temp DATA_DIR, a free PORT;
//   - the load generator: autocannon in a child process (bench/rpc_load.ts), one per run;
//   - the yardstick: an Express 5 "hello world" JSON endpoint (bench/rpc_hello.ts), measured in
//     the same run (before and after the server's cases).
// Data: BENCH_PARTNERS res.partner (default 200,000) and BENCH_CONTACTS mailing.contact (default
// 1,000,000, one in five on the list "Bench customers"), seeded with set-based SQL through a direct
// connection to the embedded PostgreSQL, then VACUUM ANALYZE.
// Cases (each after a warm-up): common.version; res.country search_count [[id, =, 1]];
// res.partner search_read (80 rows, 3 fields); mailing.contact search_read on the list's contacts
// (domain on list_ids, 80 rows); over /jsonrpc, /json/2/<model>/<method> (bearer API key) and
// /xmlrpc/2. Prints one table (req/s, p50, p99, % of hello world, CPU of the server's Node
// processes and of PostgreSQL, in cores) and the issue's must-show verdicts.
//
// Environment:
//   BENCH_DURATION     seconds per measured run (default 10); BENCH_WARMUP seconds of warm-up (default 2)
//   BENCH_CONNECTIONS  concurrent connections (default 10)
//   BENCH_PARTNERS / BENCH_CONTACTS   dataset size (defaults 200000 / 1000000)
//   BENCH_WORKERS      the server's WEB_WORKERS (default: the server's default)
//   BENCH_KEEP_DATA    a folder to keep the seeded DATA_DIR in and reuse on the next run (same sizes)
//   BENCH_PROFILE=1    run the server under `node --cpu-prof` and with pg_stat_statements, print the
//                      top self-time functions/files per server process and the top statements
//   BENCH_ONLY         comma-separated substrings: run only the cases whose label contains one
//   BENCH_SKIP_WRITE=1 skip the write case (bench/rpc_write.ts, run last on its own server)

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { printCpuProfiles } from './cpuprofile.ts';
import { runWriteBench } from './rpc_write.ts';
import { freePort, killAll, ROOT, startServer as startServerProcess, track, type ServerProcess } from './server_process.ts';

const DURATION = Number(process.env.BENCH_DURATION || 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
const PARTNERS = Number(process.env.BENCH_PARTNERS || 200_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS || 1_000_000);
const WORKERS = process.env.BENCH_WORKERS || undefined;
const KEEP_DATA = process.env.BENCH_KEEP_DATA || undefined;
const PROFILE = ['1', 'true', 'yes'].includes((process.env.BENCH_PROFILE ?? '').toLowerCase());
const SKIP_WRITE = ['1', 'true', 'yes'].includes((process.env.BENCH_SKIP_WRITE ?? '').toLowerCase());
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const PASSWORD = 'bench-admin-password';
const DB = 'bench';
const LIST_NAME = 'Bench customers';

// ---------------------------------------------------------------------------------------------
// Processes (bench/server_process.ts): the server, with this bench's database and workers

function startServer(opts: { dataDir: string; pgPort: number; nodeArgs?: string[] }): Promise<ServerProcess> {
  return startServerProcess({ ...opts, dbName: DB, adminPassword: PASSWORD, env: WORKERS ? { WEB_WORKERS: WORKERS } : {} });
}

async function startHello(): Promise<{ url: string; stop(): void }> {
  const child = track(spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/rpc_hello.ts')], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] }));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!).port);
    });
    child.once('exit', (code) => reject(new Error(`hello world exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/hello`, stop: () => child.kill('SIGTERM') };
}

export interface LoadSpec { url: string; method: 'GET' | 'POST'; body?: string; headers?: Record<string, string> }
export interface LoadResult { rps: number; p50: number; p99: number; total: number; non2xx: number; errors: number; timeouts: number }

/** autocannon in a child process (bench/rpc_load.ts). */
export function load(spec: LoadSpec, seconds: number): Promise<LoadResult> {
  const arg = JSON.stringify({ ...spec, connections: CONNECTIONS, duration: seconds });
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/rpc_load.ts'), arg], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

// CPU time of the server's process tree, from /proc: Node processes vs PostgreSQL processes.
const TICK_MS = 10; // CLK_TCK = 100 on Linux
function cpuOfTree(rootPid: number): { node: number; pg: number } {
  const procs = new Map<number, { ppid: number; comm: string; ms: number }>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), comm, ms: (Number(f[11]) + Number(f[12])) * TICK_MS });
    } catch {
      /* exited meanwhile */
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, n = 0; p > 1 && n < 10; n++) {
      if (p === rootPid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const out = { node: 0, pg: 0 };
  for (const [pid, p] of procs) if (inTree(pid)) (p.comm === 'postgres' ? (out.pg += p.ms) : (out.node += p.ms));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requests

function xmlValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? `<value><int>${v}</int></value>` : `<value><double>${v}</double></value>`;
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === 'string') return `<value><string>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(xmlValue).join('')}</data></array></value>`;
  return `<value><struct>${Object.entries(v as object).map(([k, x]) => `<member><name>${k}</name>${xmlValue(x)}</member>`).join('')}</struct></value>`;
}
function xmlCall(method: string, params: unknown[]): string {
  return `<?xml version='1.0'?>\n<methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param>${xmlValue(p)}</param>`).join('')}</params></methodCall>\n`;
}
const JSON_CT = { 'Content-Type': 'application/json' };
const XML_CT = { 'Content-Type': 'text/xml' };

/** One Odoo call, as the three protocols spell it. */
interface Call {
  name: string;
  service: 'common' | 'object';
  method: string;
  model?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** JSON-2 body (named arguments); absent: no JSON-2 twin (common.version). */
  json2?: Record<string, unknown>;
  /** Checks a result (decoded JSON or the XML text). */
  check: (result: unknown) => boolean;
}

function requests(base: string, call: Call, apiKey: string): Array<{ protocol: string; spec: LoadSpec; check: (text: string) => boolean }> {
  const out: Array<{ protocol: string; spec: LoadSpec; check: (text: string) => boolean }> = [];
  const rpcArgs = call.service === 'common' ? [] : [DB, 2, PASSWORD, call.model, call.method, call.args ?? [], call.kwargs ?? {}];
  const rpcMethod = call.service === 'common' ? call.method : 'execute_kw';
  out.push({
    protocol: '/jsonrpc',
    spec: { url: `${base}/jsonrpc`, method: 'POST', headers: JSON_CT, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: call.service, method: rpcMethod, args: rpcArgs } }) },
    check: (t) => call.check(JSON.parse(t).result),
  });
  if (call.json2) {
    out.push({
      protocol: '/json/2',
      spec: { url: `${base}/json/2/${call.model}/${call.method}`, method: 'POST', headers: { ...JSON_CT, Authorization: `bearer ${apiKey}` }, body: JSON.stringify(call.json2) },
      check: (t) => call.check(JSON.parse(t)),
    });
  }
  out.push({
    protocol: '/xmlrpc/2',
    spec: { url: `${base}/xmlrpc/2/${call.service}`, method: 'POST', headers: XML_CT, body: xmlCall(rpcMethod, rpcArgs) },
    check: (t) => t.includes('<methodResponse>') && !t.includes('<fault>'),
  });
  return out;
}

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: JSON_CT, body: JSON.stringify(body) });
  const json = await res.json();
  if (json.error) throw new Error(`${url}: ${JSON.stringify(json.error).slice(0, 500)}`);
  return json.result;
}

// ---------------------------------------------------------------------------------------------
// Data

interface Seed { partners: number; contacts: number; listId: number }

/** Set-based seeding through a direct connection: partners, contacts, a list with one in five. */
async function seed(db: pg.Client): Promise<Seed> {
  const t0 = performance.now();
  const { rows: countries } = await db.query<{ id: number }>(`SELECT id FROM res_country WHERE code IN ('BE', 'FR', 'US', 'DE') ORDER BY code`);
  const c = countries.map((r) => r.id);
  const now = `(now() AT TIME ZONE 'UTC')`;
  await db.query(`
    INSERT INTO res_partner (name, complete_name, email, country_id, active, type, is_company, lang, create_uid, write_uid, create_date, write_date)
    SELECT n, n, 'partner' || i || '@example.com', CASE WHEN i % 3 = 0 THEN ($1::int[])[1 + i % 4] END, true, 'contact', false, 'en_US', 2, 2, ${now}, ${now}
      FROM generate_series(1, $2::int) AS i, LATERAL (SELECT 'Bench Partner ' || lpad(i::text, 7, '0') AS n) AS x`, [c, PARTNERS]);
  console.log(`  ${PARTNERS} res.partner in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  await db.query(`
    INSERT INTO mailing_contact (name, email, email_normalized, mobile, phone_sanitized, country_id, message_bounce, create_uid, write_uid, create_date, write_date)
    SELECT 'Contact ' || lpad(i::text, 7, '0'), 'contact' || i || '@example.com', 'contact' || i || '@example.com',
           '+32470' || lpad(i::text, 7, '0'), '+32470' || lpad(i::text, 7, '0'), $1, 0, 2, 2, ${now}, ${now}
      FROM generate_series(1, $2::int) AS i`, [c[0], CONTACTS]);
  const { rows: [list] } = await db.query<{ id: number }>(
    `INSERT INTO mailing_list (name, active, is_public, create_uid, write_uid, create_date, write_date) VALUES ($1, true, true, 2, 2, ${now}, ${now}) RETURNING id`, [LIST_NAME]);
  await db.query(`
    INSERT INTO mailing_subscription (contact_id, list_id, opt_out, create_uid, write_uid, create_date, write_date)
    SELECT id, $1, false, 2, 2, ${now}, ${now} FROM mailing_contact WHERE id % 5 = 0`, [list!.id]);
  console.log(`  ${CONTACTS} mailing.contact, ${Math.floor(CONTACTS / 5)} on "${LIST_NAME}" in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  const t2 = performance.now();
  for (const t of ['res_partner', 'mailing_contact', 'mailing_list', 'mailing_subscription']) await db.query(`VACUUM ANALYZE ${t}`);
  await db.query('CHECKPOINT');
  console.log(`  VACUUM ANALYZE + CHECKPOINT in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
  return { partners: PARTNERS, contacts: CONTACTS, listId: list!.id };
}

// ---------------------------------------------------------------------------------------------
// Sections

export interface Row {
  section: string;
  protocol: string;
  call: string;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  '% hello': string;
  'node cores': string;
  'pg cores': string;
  errors: number;
  /** Left out by BENCH_ONLY. */
  skipped?: boolean;
}

/** What a section gets: the running server, its data and the measuring tools. */
export interface Bench {
  server: ServerProcess;
  dataDir: string;
  pgPort: number;
  db: pg.Client;
  apiKey: string;
  listId: number;
  password: string;
  dbName: string;
  connections: number;
  duration: number;
  /** The hello-world figure of this run (req/s). */
  helloRps(): number;
  /** Warm-up, then a measured run of one request; returns its table row. */
  measure(section: string, protocol: string, call: string, spec: LoadSpec, check?: (text: string) => boolean): Promise<Row>;
  /** Another `npm start` on its own data folder, for sections that need their own server (stop it yourself). */
  startServer: typeof startServer;
}

/** A part of the bench: runs its cases and returns its rows of the table. */
export type Section = (bench: Bench) => Promise<Row[]>;

const readSection: Section = async (bench) => {
  const calls: Call[] = [
    { name: 'common.version', service: 'common', method: 'version', check: (r) => typeof (r as { server_version?: unknown }).server_version === 'string' },
    {
      name: 'res.country search_count [[id, =, 1]]', service: 'object', model: 'res.country', method: 'search_count',
      args: [[['id', '=', 1]]], json2: { domain: [['id', '=', 1]] }, check: (r) => r === 1,
    },
    {
      name: 'res.partner search_read 80 rows × 3 fields', service: 'object', model: 'res.partner', method: 'search_read',
      args: [[]], kwargs: { fields: ['name', 'email', 'country_id'], limit: 80 }, json2: { domain: [], fields: ['name', 'email', 'country_id'], limit: 80 },
      check: (r) => Array.isArray(r) && r.length === 80,
    },
    {
      name: 'mailing.contact search_read list_ids, 80 rows', service: 'object', model: 'mailing.contact', method: 'search_read',
      args: [[['list_ids', 'in', [bench.listId]]]], kwargs: { fields: ['name', 'mobile', 'email'], limit: 80 },
      json2: { domain: [['list_ids', 'in', [bench.listId]]], fields: ['name', 'mobile', 'email'], limit: 80 },
      check: (r) => Array.isArray(r) && r.length === 80,
    },
  ];
  const rows: Row[] = [];
  for (const call of calls) {
    for (const r of requests(bench.server.base, call, bench.apiKey)) {
      rows.push(await bench.measure('read', r.protocol, call.name, r.spec, r.check));
    }
  }
  return rows;
};

const SECTIONS: Section[] = [
  readSection,
];

/**
 * The write case, on its own server started after the read server stopped (bench/rpc_write.ts):
 * create 10,000 mailing.contact with number and list in calls of 1,000 over /jsonrpc and /xmlrpc/2.
 */
async function writeSection(): Promise<void> {
  console.log('\nWrites (bench/rpc_write.ts, its own server):');
  const rows = await runWriteBench({ log: (line) => console.log(`  ${line}`) });
  console.table(rows);
  const rate = (protocol: string) => rows.find((r) => r.case.startsWith('create') && r.case.includes(protocol))?.value ?? 0;
  const decode = rows.find((r) => r.case === 'decode ratio XML/JSON')?.value;
  const encode = rows.find((r) => r.case === 'encode ratio XML/JSON')?.value;
  console.log('\nMust show (writes):');
  console.log(`  ${rate('/jsonrpc') >= 20_000 ? 'PASS' : 'FAIL'}  create over /jsonrpc ≥ 20,000 records/s (${rate('/jsonrpc')})`);
  console.log(`  ${rate('/xmlrpc/2') >= 16_000 ? 'PASS' : 'FAIL'}  create over /xmlrpc/2 ≥ 16,000 records/s (${rate('/xmlrpc/2')})`);
  console.log(`  ${rate('/xmlrpc/2') * 1.25 >= rate('/jsonrpc') ? 'PASS' : 'FAIL'}  a create call over XML-RPC costs ≤ 1.25× its JSON-RPC twin`);
  console.log(`  ${decode !== undefined && decode <= 1.25 ? 'PASS' : 'FAIL'}  XML-RPC decoder alone ≤ 1.25× JSON.parse (${decode}×); encoder ${encode}× JSON.stringify`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = performance.now();
  const dataDir = KEEP_DATA ? path.resolve(KEEP_DATA) : await fsp.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-rpc-'));
  const profileDir = PROFILE ? await fsp.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-bench-rpc-prof-')) : undefined;
  const pgPort = await freePort();
  let db: pg.Client | undefined;
  let hello: { url: string; stop(): void } | undefined;
  let server: ServerProcess | undefined;
  try {
    console.log(`bench/rpc: Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`  ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per case; DATA_DIR ${dataDir}${KEEP_DATA ? ' (kept)' : ''}; WEB_WORKERS ${WORKERS ?? '(server default)'}${PROFILE ? '; PROFILE on' : ''}`);

    // 1. schema (a first `npm start`), data, PostgreSQL settings for this run
    const setup = await startServer({ dataDir, pgPort });
    const password = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
    db = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', password, database: DB });
    await db.connect();
    const seedFile = path.join(dataDir, 'bench-seed.json');
    let data: Seed | undefined = fs.existsSync(seedFile) ? JSON.parse(fs.readFileSync(seedFile, 'utf8')) : undefined;
    if (data && (data.partners !== PARTNERS || data.contacts !== CONTACTS)) {
      throw new Error(`${dataDir} holds ${data.partners} partners / ${data.contacts} contacts, not ${PARTNERS} / ${CONTACTS}: delete it or change BENCH_PARTNERS / BENCH_CONTACTS`);
    }
    if (data) console.log(`  reusing the seeded data in ${dataDir}`);
    else {
      console.log('  seeding…');
      data = await seed(db);
      fs.writeFileSync(seedFile, JSON.stringify(data));
    }
    // pg_stat_statements for the profile run only (needs a restart, done just below)
    if (PROFILE) await db.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    else await db.query('ALTER SYSTEM RESET shared_preload_libraries');
    const settings = (await db.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers') ORDER BY name`)).rows;
    await db.end();
    db = undefined;
    await setup.stop();

    // 2. the measured server
    server = await startServer({ dataDir, pgPort, nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
    db = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', password, database: DB });
    await db.connect();
    console.log(`  PostgreSQL ${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}; seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s so far`);
    const desc = await post(`${server.base}/jsonrpc`, { jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [DB, 2, PASSWORD, 'res.users.apikeys.description', 'create', [{ name: 'bench' }]] } });
    const made = await post(`${server.base}/jsonrpc`, { jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [DB, 2, PASSWORD, 'res.users.apikeys.description', 'make_key', [[desc]]] } });
    const apiKey = made?.context?.default_key as string;
    if (!apiKey) throw new Error('could not make an API key');
    if (PROFILE) {
      await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await db.query('SELECT pg_stat_statements_reset()');
    }

    hello = await startHello();
    const helloRuns: number[] = [];
    const helloRow = async (when: string): Promise<Row> => {
      await load({ url: hello!.url, method: 'GET' }, WARMUP || 1);
      const r = await load({ url: hello!.url, method: 'GET' }, DURATION);
      helloRuns.push(r.rps);
      return { section: 'yardstick', protocol: 'GET /hello', call: `Express hello world (${when})`, 'req/s': Math.round(r.rps), 'p50 ms': r.p50, 'p99 ms': r.p99, '% hello': '', 'node cores': '', 'pg cores': '', errors: r.errors + r.timeouts + r.non2xx };
    };
    const rows: Row[] = [await helloRow('before')];
    const bench: Bench = {
      server, dataDir, pgPort, db, apiKey, listId: data.listId, password: PASSWORD, dbName: DB, connections: CONNECTIONS, duration: DURATION,
      helloRps: () => helloRuns.reduce((a, b) => a + b, 0) / helloRuns.length,
      startServer,
      measure: async (section, protocol, call, spec, check) => {
        const label = `${protocol} ${call}`;
        const empty: Row = { section, protocol, call, 'req/s': 0, 'p50 ms': 0, 'p99 ms': 0, '% hello': '', 'node cores': '', 'pg cores': '', errors: 0, skipped: true };
        if (ONLY.length && !ONLY.some((o) => label.includes(o))) return empty;
        const probe = await fetch(spec.url, { method: spec.method, headers: spec.headers, body: spec.body });
        const text = await probe.text();
        if (probe.status !== 200 || (check && !check(text))) throw new Error(`${label}: unexpected answer ${probe.status} ${text.slice(0, 400)}`);
        if (WARMUP > 0) await load(spec, WARMUP);
        const c0 = cpuOfTree(server!.pid);
        const w0 = performance.now();
        const r = await load(spec, DURATION);
        const wall = performance.now() - w0;
        const c1 = cpuOfTree(server!.pid);
        // a slow call completes a handful of requests: autocannon's per-second mean rounds them away
        const rps = r.rps >= 20 ? r.rps : r.total / DURATION;
        const row: Row = {
          section, protocol, call, 'req/s': rps >= 20 ? Math.round(rps) : Math.round(rps * 10) / 10, 'p50 ms': r.p50, 'p99 ms': r.p99,
          '% hello': `${Math.round((rps / bench.helloRps()) * 100)}%`,
          'node cores': ((c1.node - c0.node) / wall).toFixed(2), 'pg cores': ((c1.pg - c0.pg) / wall).toFixed(2),
          errors: r.errors + r.timeouts + r.non2xx,
        };
        console.log(`  ${label}: ${row['req/s']} req/s, p50 ${row['p50 ms']} ms, p99 ${row['p99 ms']} ms, ${row['% hello']} of hello world so far; cores node ${row['node cores']} pg ${row['pg cores']}${row.errors ? `; ${row.errors} errors/non-2xx` : ''}`);
        return row;
      },
    };
    for (const section of SECTIONS) rows.push(...(await section(bench)));
    rows.push(await helloRow('after'));
    const hw = bench.helloRps();
    // the lines above compared with the first yardstick only; the table and verdicts use the mean of both
    for (const r of rows) if (r.section !== 'yardstick' && !r.skipped) r['% hello'] = `${Math.round((r['req/s'] / hw) * 100)}%`;
    console.log(`\nbench/rpc results (hello world = mean of the two yardstick runs, ${Math.round(hw)} req/s):`);
    console.table(rows.filter((r) => !r.skipped).map(({ skipped: _, ...r }) => r));

    // the issue's must-show figures
    const find = (protocol: string, call: string) => rows.find((r) => r.protocol === protocol && r.call.startsWith(call) && !r.skipped);
    const verdicts: Array<[string, boolean | undefined]> = [];
    const sr = find('/jsonrpc', 'res.partner search_read');
    if (sr) {
      verdicts.push([`search_read 80 partners /jsonrpc ≥ 1,000 req/s (${sr['req/s']})`, sr['req/s'] >= 1000]);
      verdicts.push([`search_read 80 partners /jsonrpc ≥ 35% of hello world (${sr['% hello']})`, sr['req/s'] >= 0.35 * hw]);
      verdicts.push([`search_read 80 partners /jsonrpc p99 < 30 ms (${sr['p99 ms']} ms)`, sr['p99 ms'] < 30]);
    }
    const sc = find('/jsonrpc', 'res.country search_count');
    if (sc) verdicts.push([`search_count /jsonrpc ≥ 50% of hello world (${sc['% hello']})`, sc['req/s'] >= 0.5 * hw]);
    // the write section's verdicts (bench/rpc_write.ts) are added here
    console.log('\nMust show:');
    for (const [what, ok] of verdicts) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${what}`);

    if (PROFILE) {
      const { rows: stmts } = await db.query<{ query: string; calls: string; total: number; mean: number; rows: string }>(`
        SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, total_exec_time + total_plan_time AS total,
               (total_exec_time + total_plan_time) / calls AS mean, rows
          FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1) ORDER BY total DESC LIMIT 20`, [DB]);
      const [{ sum, n }] = (await db.query<{ sum: number; n: string }>(`SELECT sum(total_exec_time + total_plan_time) AS sum, sum(calls) AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)`, [DB])).rows as [{ sum: number; n: string }];
      console.log(`\npg_stat_statements (whole measured run incl. warm-ups): ${n} statements, ${Math.round(sum)} ms planning + execution; top 20 by total time:`);
      for (const s of stmts) {
        console.log(`  ${String(Math.round(s.total)).padStart(7)} ms ${((s.total / sum) * 100).toFixed(1).padStart(5)}%  ${String(s.calls).padStart(8)} calls  ${s.mean.toFixed(3)} ms/call  ${String(s.rows).padStart(8)} rows  ${s.query.slice(0, 200)}`);
      }
      await db.query('SELECT pg_stat_statements_reset()');
    }
    await db.end();
    db = undefined;
    hello.stop();
    hello = undefined;
    const code = await server.stop();
    server = undefined;
    if (code !== 0) console.log(`  server exited with code ${code}`);
    if (profileDir) printCpuProfiles(profileDir);
    if (!SKIP_WRITE) await writeSection();
    console.log(`\nbench/rpc done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await db?.end().catch(() => undefined);
    hello?.stop();
    await server?.stop().catch(() => undefined);
    if (!KEEP_DATA) await fsp.rm(dataDir, { recursive: true, force: true });
    // the .cpuprofile files (profileDir) stay, for Chrome DevTools; their paths are printed
  }
}

// run when started as a script; a section module may import the helpers above
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
    killAll();
  });
}

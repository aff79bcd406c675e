// Fuzzing the external API against a real server process: `npm run bench:fuzz`.
//
// This process opens a throwaway embedded PostgreSQL (schema and base data loaded), then starts
// the server as a child process (`server/main.ts` on DATABASE_URL, its own port) and sends it
// FUZZ_CASES (default 10,000) generated calls spread over the four protocols (XML-RPC
// /xmlrpc/2/object, JSON-RPC /jsonrpc, JSON-2 /json/2/<model>/<method>, /web/dataset/call_kw),
// one at a time. For each it checks the answer (test/rpc/fuzz_cases.ts: Odoo-shaped, no
// JavaScript or SQL text) and, for a failed call, that a checksum of the key tables did not move.
// The server's log is read for unexpected (non-Odoo) errors. One case in FUZZ_LOW_RIGHT_EVERY is
// sent as a portal user, one as an internal user without marketing rights; around each of those
// a checksum of the tables they have no right to change must not move. Prints the counts by
// error class.
//
// Environment: FUZZ_CASES (default 10000), FUZZ_SEED (default: random, printed),
// FUZZ_LOW_RIGHT_EVERY (default 5: cases 1 and 2 of every 5 run as the two low-right users).

import '../models/index.ts';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { freePort } from './server_process.ts';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { openRuntime } from '../server/runtime.ts';
import { syncAdminPassword } from '../server/app.ts';
import { xmlidToResId } from '../models/base/ir_model_access.ts';
import { generateApiKey } from '../models/base/res_users_apikeys.ts';
import { CHECKSUM_TABLES, LOW_RIGHT_PROTECTED_TABLES, checksumSql, emptyReport, formatReport, fuzzCaseArb, runCase, type Credentials, type FuzzTarget } from '../test/rpc/fuzz_cases.ts';

const CASES = Number(process.env.FUZZ_CASES || 10_000);
const SEED = Number(process.env.FUZZ_SEED || Math.floor(Math.random() * 2 ** 31));
const LOW_RIGHT_EVERY = Number(process.env.FUZZ_LOW_RIGHT_EVERY || 5);
const PASSWORD = 'fuzz-admin-password';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-fuzz-'));
  const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: '0', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ADMIN_PASSWORD: PASSWORD, DB_NAME: 'fuzz' });
  const logger = createLogger('warn');
  const runtime = await openRuntime(config, logger, { poolSize: 4 });
  let child: ReturnType<typeof spawn> | undefined;
  try {
    await syncAdminPassword(runtime.registry, PASSWORD);
    // no scheduled job may change the tables while a failed call is being checked
    await runtime.registry.pool.query('UPDATE ir_cron SET active = false');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let unexpected = 0;
    const serverErrors: string[] = [];
    child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: runtime.server.connectionString('fuzz'), DB_NAME: 'fuzz', PORT: String(port), HOST: '127.0.0.1', ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (/unexpected error|unhandled/.test(line)) {
          unexpected++;
          if (serverErrors.length < 10) serverErrors.push(line.slice(0, 600));
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    // wait for the server to answer
    const t0 = Date.now();
    for (;;) {
      try {
        if ((await fetch(`${base}/web/health?db_server_status=1`)).status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - t0 > 120_000) throw new Error('the server did not start within 2 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const post = async (p: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(base + p, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const auth = await post('/web/session/authenticate', { jsonrpc: '2.0', method: 'call', id: 1, params: { db: 'fuzz', login: 'admin', password: PASSWORD } });
    const cookie = (auth.headers.get('set-cookie') ?? '').split(';')[0]!;
    const rpc = async (model: string, method: string, args: unknown[]) => {
      const r = await (await post('/web/dataset/call_kw', { jsonrpc: '2.0', method: 'call', id: 1, params: { model, method, args, kwargs: {} } }, { Cookie: cookie })).json() as { result?: any; error?: any };
      if (r.error) throw new Error(JSON.stringify(r.error));
      return r.result;
    };
    const descId = await rpc('res.users.apikeys.description', 'create', [{ name: 'fuzz' }]);
    const apiKey = (await rpc('res.users.apikeys.description', 'make_key', [[descId]])).context.default_key as string;
    const tables = (await runtime.registry.pool.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'`, [CHECKSUM_TABLES])).rows.map((r) => r.relname);
    const checksum = checksumSql(tables);
    const protectedSum = checksumSql(tables.filter((x) => LOW_RIGHT_PROTECTED_TABLES.includes(x)));
    const target: FuzzTarget = {
      async send(req) {
        const res = await fetch(base + req.path, { method: 'POST', headers: req.headers, body: req.body });
        return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
      },
      checksum: async () => (await runtime.registry.pool.query<{ sum: string }>(checksum)).rows[0]!.sum,
      // the log arrives asynchronously: give it a moment after each answer
      unexpectedErrors: () => unexpected,
      protectedChecksum: async () => (await runtime.registry.pool.query<{ sum: string }>(protectedSum)).rows[0]!.sum,
    };
    const creds = { db: 'fuzz', uid: 2, password: PASSWORD, apiKey, cookie };
    // a portal user and an internal user without marketing rights, each with a password, a key and a session
    const lowRight: [string, Credentials][] = [];
    const portalGroup = await runtime.registry.sudo((env) => xmlidToResId(env, 'base.group_portal', 'res.groups'));
    for (const [who, vals] of [['portal', { group_ids: [[6, 0, [portalGroup]]] }], ['internal', {}]] as const) {
      const password = `${who}-fuzz-password`;
      const uid = await rpc('res.users', 'create', [{ name: who, login: `fuzz_${who}`, password, ...vals }]) as number;
      const key = await runtime.registry.transaction({ uid }, (env) => generateApiKey(env, null, 'fuzz', new Date(Date.now() + 12 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')));
      const login = await post('/web/session/authenticate', { jsonrpc: '2.0', method: 'call', id: 1, params: { db: 'fuzz', login: `fuzz_${who}`, password } });
      lowRight.push([who, { db: 'fuzz', uid, password, apiKey: key, cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]! }]);
    }
    console.log(`fuzz: ${CASES} cases, seed ${SEED}, server process pid ${child.pid} on ${base} (separate process, real HTTP)`);
    const report = emptyReport();
    const started = Date.now();
    let before: string | undefined;
    for (const [i, c] of fc.sample(fuzzCaseArb, { numRuns: CASES, seed: SEED }).entries()) {
      const slot = i % LOW_RIGHT_EVERY;
      const [who, as] = slot < lowRight.length ? lowRight[slot]! : [undefined, creds];
      const { after } = await runCase(target, as, c, report, before, who);
      before = after;
      if (report.cases % 1000 === 0) process.stderr.write(`  ${report.cases} cases, ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
    await new Promise((r) => setTimeout(r, 500));
    report.unexpectedErrors = unexpected;
    console.log(formatReport(report));
    console.log(`${Math.round((Date.now() - started) / 1000)} s, ${Math.round((Date.now() - started) / report.cases)} ms per case`);
    const seen = new Set<string>();
    for (const f of report.findings) {
      const key = `${f.kind} ${f.detail.slice(0, 100)}`;
      if (seen.has(key) || seen.size >= 20) continue;
      seen.add(key);
      console.log(`- ${f.kind}: ${f.detail.slice(0, 400)}\n    ${f.case.slice(0, 300)}`);
    }
    for (const line of serverErrors) console.log(`server: ${line}`);
    process.exitCode = report.notOdooShaped + report.jsOrSqlText + report.changesFromFailedCalls + report.forbiddenChanges + unexpected > 0 ? 1 : 0;
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await runtime.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();

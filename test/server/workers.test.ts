// WEB_WORKERS=2: `npm start` serves from two worker processes sharing one embedded PostgreSQL; a
// killed worker is replaced; SIGTERM stops the workers, then PostgreSQL, and leaves no process.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { onJsonLines, waitForLogLine } from '../helpers/log_lines.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface LogLine { pid: number; msg: string; worker?: number; workerPid?: number; port?: number; path?: string }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One call on a fresh connection (round-robin hands each new connection to the next worker). */
function call(port: number, body: unknown, pathname = '/jsonrpc', cookie?: string): Promise<{ status: number; json: any; text: string; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: body === undefined ? 'GET' : 'POST', agent: false, headers: { 'Content-Type': 'application/json', Connection: 'close', ...(cookie ? { Cookie: cookie } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, json, text, setCookie: res.headers['set-cookie'] });
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : payload);
  });
}

const version = { jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'common', method: 'version', args: [] } };
const countCountries = (password: string) => ({
  jsonrpc: '2.0', method: 'call', id: 2,
  params: { service: 'object', method: 'execute_kw', args: ['workers', 2, password, 'res.country', 'search_count', [[['code', '=', 'BE']]]] },
});

describe('WEB_WORKERS: the HTTP server on several processes (server/workers.ts)', function () {
  this.timeout(240_000);
  let dataDir: string;
  let child: ChildProcess;
  let lines: LogLine[] = [];
  let port: number;

  const waitFor = (what: (l: LogLine) => boolean, ms = 120_000): Promise<LogLine> => waitForLogLine(() => lines, what, child, ms);

  before(async function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms_marketing-workers-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', EMBEDDED_PG_PORT: '0', DB_NAME: 'workers', ADMIN_PASSWORD: 'workers-admin', LOG_LEVEL: 'debug', WEB_WORKERS: '2' };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, ['server/start.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onJsonLines<LogLine>(child.stdout!, (l) => lines.push(l));
    child.stderr!.on('data', () => undefined);
    port = (await waitFor((l) => l.msg.includes('external API listening on'))).port!;
    // each worker's own line may reach the pipe after the primary's
    await waitFor(() => lines.filter((l) => l.msg === 'web worker listening').length === 2);
  });

  after(async function () {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      for (const l of lines) if (alive(l.pid)) process.kill(l.pid, 'SIGKILL');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves calls from two worker processes', async function () {
    const workers = new Set(lines.filter((l) => l.msg === 'web worker listening').map((l) => l.pid));
    expect(workers.size).to.equal(2);
    expect(workers.has(child.pid!)).to.equal(false);
    for (let i = 0; i < 10; i++) {
      const r = await call(port, countCountries('workers-admin'));
      expect(r.json.result).to.equal(1);
    }
    // the access log (debug) names the process that answered each request
    const served = new Set(lines.filter((l) => l.msg === 'request' && l.path === '/jsonrpc').map((l) => l.pid));
    expect([...served].sort()).to.deep.equal([...workers].sort());
  });

  it('answers /metrics with the figures of every worker', async function () {
    const r = await call(port, undefined, '/metrics');
    expect(r.status).to.equal(200);
    const served = lines.filter((l) => l.msg === 'request' && l.path === '/jsonrpc').length;
    const counted = [...r.text.matchAll(/^http_requests_total\{[^}]*route="\/jsonrpc"[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
    expect(counted).to.equal(served);
  });

  let cookie: string;
  const sessionInfo = { jsonrpc: '2.0', method: 'call', id: 3, params: {} };

  it('keeps a web session on every worker', async function () {
    const login = await call(port, { jsonrpc: '2.0', method: 'call', id: 1, params: { db: 'workers', login: 'admin', password: 'workers-admin' } }, '/web/session/authenticate');
    expect(login.json.result.uid).to.equal(2);
    cookie = login.setCookie![0]!.split(';')[0]!;
    for (let i = 0; i < 6; i++) expect((await call(port, sessionInfo, '/web/session/get_session_info', cookie)).json.result?.uid).to.equal(2);
    const served = new Set(lines.filter((l) => l.msg === 'request' && l.path === '/web/session/get_session_info').map((l) => l.pid));
    expect(served.size).to.equal(2);
  });

  it('replaces a worker killed with SIGKILL and keeps serving', async function () {
    const before = lines.filter((l) => l.msg === 'web worker listening').map((l) => l.pid);
    process.kill(before[0]!, 'SIGKILL');
    const died = await waitFor((l) => l.msg === 'web worker died: starting another');
    expect([died.pid, died.workerPid]).to.deep.equal([child.pid, before[0]]);
    // the other worker serves meanwhile
    for (let i = 0; i < 10; i++) {
      const r = await call(port, version);
      expect(r.json.result.server_serie).to.equal('19.0');
    }
    await waitFor((l) => l.msg === 'web worker listening' && !before.includes(l.pid));
    const r = await call(port, countCountries('workers-admin'));
    expect(r.json.result).to.equal(1);
    // the new worker knows the sessions opened before it started; a logout ends them everywhere
    for (let i = 0; i < 4; i++) expect((await call(port, sessionInfo, '/web/session/get_session_info', cookie)).json.result?.uid).to.equal(2);
    await call(port, { jsonrpc: '2.0', method: 'call', id: 4, params: {} }, '/web/session/destroy', cookie);
    for (let i = 0; i < 4; i++) expect((await call(port, sessionInfo, '/web/session/get_session_info', cookie)).json.error?.code).to.equal(100);
  });

  it('stops every process on SIGTERM', async function () {
    const postgres = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const workers = lines.filter((l) => l.msg === 'web worker listening').map((l) => l.pid);
    expect(alive(postgres)).to.equal(true);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).to.equal(0);
    for (const pid of [...workers, postgres]) expect(alive(pid), `process ${pid}`).to.equal(false);
    expect(lines.some((l) => l.msg === 'stopped' && l.pid === child.pid)).to.equal(true);
  });
});

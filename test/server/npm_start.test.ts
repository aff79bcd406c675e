// The README's commands as a newcomer types them: `npm start`, then `npm run cli -- ...` in another
// terminal while the server runs (same DATA_DIR); stopping it with SIGTERM or Ctrl-C; `kill -9` then a restart.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { PRODUCT_VERSION } from '../../models/orm/upgrade.ts';
import { onJsonLines, waitForLogLine } from '../helpers/log_lines.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface LogLine { pid: number; msg: string; port?: number }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** `npm <args>` to completion; its exit code, stdout and stderr. */
function npm(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start, the CLI beside it, stopping and restarting (as the README has a newcomer do it)', function () {
  this.timeout(240_000);
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess;
  let lines: LogLine[] = [];
  const groups: number[] = [];
  let port: number;
  let postgresPid: number;

  const waitFor = (what: (l: LogLine) => boolean, ms = 180_000): Promise<LogLine> => waitForLogLine(() => lines, what, child, ms);

  /** `npm start` as a terminal's foreground job (its own process group); resolves once it listens. */
  const npmStart = async (): Promise<void> => {
    lines = [];
    child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    groups.push(child.pid!);
    onJsonLines<LogLine>(child.stdout!, (l) => lines.push(l));
    child.stderr!.on('data', () => undefined);
    port = (await waitFor((l) => l.msg.includes('external API listening on'))).port!;
    postgresPid = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  };

  const serverPid = (): number => lines.find((l) => l.msg.includes('external API listening on'))!.pid;

  const waitGone = async (pids: number[]): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };

  const jsonrpc = async (args: unknown[]): Promise<any> => {
    const res = await fetch(`http://127.0.0.1:${port}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args } }),
    });
    return res.json();
  };

  const customers = async (): Promise<string[][]> => {
    const answer = await jsonrpc(['newcomer', 2, 'newcomer-admin', 'mailing.contact', 'search_read', [[['list_ids.name', '=', 'Customers']]], { fields: ['name', 'phone_sanitized'], order: 'name' }]);
    return answer.result.map((c: { name: string; phone_sanitized: string }) => [c.name, c.phone_sanitized]);
  };

  before(async function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms_marketing-npm start (1)-'));
    env = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', EMBEDDED_PG_PORT: '0', DB_NAME: 'newcomer', ADMIN_PASSWORD: 'newcomer-admin', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    await npmStart();
  });

  after(async function () {
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (postgresPid && alive(postgresPid)) process.kill(postgresPid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('`npm run cli -- import contacts` imports into the running server\'s database, which keeps running', async function () {
    const csv = path.join(dataDir, 'contacts.csv');
    fs.writeFileSync(csv, 'name,mobile\nAlice,+32470123456\nBob,+33612345678\n');
    const run = await npm(['run', 'cli', '--', 'import', 'contacts', csv, '--list', 'Customers', '--no-progress'], env);
    expect(run.stderr + run.stdout).to.not.include('in use by a server');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/imported \(new\)\s+2/);

    expect(await customers()).to.deep.equal([
      ['Alice', '+32470123456'],
      ['Bob', '+33612345678'],
    ]);
    expect(alive(postgresPid), 'the server\'s PostgreSQL outlives the command').to.equal(true);
  });

  it('`npm run cli -- apikey create` beside the running server prints a key the server accepts', async function () {
    const run = await npm(['run', '--silent', 'cli', '--', 'apikey', 'create', '--login', 'admin'], env);
    expect(run.code, run.stderr).to.equal(0);
    const key = run.stdout.trim().split('\n').pop()!;
    expect(key).to.match(/^[0-9a-f]{40}$/);
    const res = await fetch(`http://127.0.0.1:${port}/json/2/res.users/search_read`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: JSON.stringify({ domain: [['login', '=', 'admin']], fields: ['login'] }),
    });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal([{ id: 2, login: 'admin' }]);
  });

  it('SIGTERM to `npm start` stops the server and its PostgreSQL, leaving no process', async function () {
    const server = serverPid();
    expect(alive(server) && alive(postgresPid)).to.equal(true);
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await waitGone([server, postgresPid]);
    expect(alive(server), 'server process').to.equal(false);
    expect(alive(postgresPid), 'postgres').to.equal(false);
    expect(lines.some((l) => l.msg === 'stopped' && l.pid === server)).to.equal(true);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'postmaster.pid removed by a clean stop').to.equal(false);
  });

  it('Ctrl-C (SIGINT to the whole foreground job) stops cleanly: npm relaying it is not a second Ctrl-C', async function () {
    await npmStart();
    // the CLI runs the server's code: it recorded the same addon versions, nothing to upgrade
    expect(lines.map((l) => l.msg).filter((m) => /^(upgrading database|database schema up to date)/.test(m))).to.deep.equal([`database schema up to date (release ${PRODUCT_VERSION})`]);
    const server = serverPid();
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      process.kill(-child.pid!, 'SIGINT');
    });
    await waitGone([server, postgresPid]);
    expect(lines.filter((l) => l.msg === 'shutting down').length).to.equal(1);
    expect(lines.some((l) => l.msg === 'second signal: exiting now'), 'no hurried exit').to.equal(false);
    expect(lines.some((l) => l.msg === 'stopped' && l.pid === server)).to.equal(true);
    expect(code, 'npm exits with the server\'s clean exit').to.equal(0);
    expect(alive(server) || alive(postgresPid), 'a process left').to.equal(false);
  });

  it('after `kill -9` of the server, the next `npm start` stops the PostgreSQL it left and serves the same data', async function () {
    await npmStart();
    const server = serverPid();
    const orphan = postgresPid;
    const npmExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(server, 'SIGKILL');
    await npmExited;
    expect(alive(orphan), 'postgres outlives the killed server').to.equal(true);

    await npmStart();
    expect(lines.some((l) => l.msg === 'stopping orphaned PostgreSQL left running by a previous run')).to.equal(true);
    expect(alive(orphan)).to.equal(false);
    expect(await customers()).to.deep.equal([
      ['Alice', '+32470123456'],
      ['Bob', '+33612345678'],
    ]);
    child.kill('SIGTERM');
    await waitGone([serverPid(), postgresPid]);
  });
});

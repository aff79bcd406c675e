// Credentials and access rights are answered from each server instance's memory; a change made
// through one instance (or by SQL) reaches every other one within a second: two real server
// processes on one database, driven over JSON-RPC and JSON-2 like any client.

import { expect } from 'chai';
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freshDatabase, type FreshDatabase } from '../helpers/db.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import { syncAdminPassword } from '../../server/app.ts';
import { installAccessChecker, xmlidToResId } from '../../models/base/ir_model_access.ts';
import { generateApiKeyRecord } from '../../models/base/res_users_apikeys.ts';
import { hashPassword } from '../../models/base/auth.ts';
import { LISTENER_APPLICATION_NAME } from '../../models/orm/notify.ts';
import { sql } from '../../models/orm/sql.ts';

const ADMIN_PW = 'cache-admin-pw';

interface Instance {
  child: ChildProcess;
  port: number;
}

async function startInstance(connectionString: string): Promise<Instance> {
  const script = fileURLToPath(new URL('./fixtures/server_child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, connectionString], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error('server exited before listening')));
  });
  return { child, port };
}

async function stopInstance(i: Instance | undefined): Promise<void> {
  if (!i || i.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => i.child.on('exit', () => resolve()));
  i.child.kill('SIGTERM');
  await exited;
}

type Answer = { result?: unknown; error?: { data: { name: string; message: string } } };

async function executeKw(i: Instance, db: string, uid: number, password: string, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${i.port}/jsonrpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [db, uid, password, model, method, args, kwargs] } }),
  });
  return (await res.json()) as Answer;
}

async function json2Status(i: Instance, db: string, key: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${i.port}/json/2/res.partner/search_count`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `bearer ${key}`, 'X-Odoo-Database': db },
    body: JSON.stringify({ domain: [] }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Poll `probe` until it is true; how long it took (ms), or Infinity past `limitMs`. */
async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > limitMs) return Infinity;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const errorName = (a: Answer) => a.error?.data.name;

describe('base: credentials and access rights cached per server instance', function () {
  this.timeout(120_000);
  let db: FreshDatabase;
  let a: Instance | undefined;
  let b: Instance | undefined;
  let admin: pg.Client;
  let mmGroup: number;

  before(async () => {
    db = await freshDatabase();
    const registry = createRegistry(db.connectionString, 2);
    installAccessChecker(registry);
    await syncAdminPassword(registry, ADMIN_PW);
    mmGroup = (await registry.sudo((env) => xmlidToResId(env, 'mass_mailing.group_mass_mailing_user', 'res.groups'))) as number;
    await registry.close();
    [a, b] = await Promise.all([startInstance(db.connectionString), startInstance(db.connectionString)]);
    admin = new pg.Client({ connectionString: db.connectionString });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await Promise.all([stopInstance(a), stopInstance(b)]);
    await db?.drop();
  });

  /** A new user of the Email Marketing group, with a password. */
  async function newUser(login: string, password: string): Promise<number> {
    const created = await executeKw(a!, db.name, 2, ADMIN_PW, 'res.users', 'create', [{ name: login, login, password, group_ids: [[6, 0, [mmGroup]]] }]);
    expect(created.error).to.equal(undefined);
    return created.result as number;
  }

  it('a password changed through one instance stops working on the other within a second', async () => {
    const uid = await newUser('pw-user', 'first-pw');
    for (let k = 0; k < 2; k++) expect((await executeKw(b!, db.name, uid, 'first-pw', 'res.partner', 'search_count', [[]])).error).to.equal(undefined);
    const changed = await executeKw(a!, db.name, 2, ADMIN_PW, 'res.users', 'write', [[uid], { password: 'second-pw' }]);
    expect(changed.result).to.equal(true);
    const took = await within(1000, async () => errorName(await executeKw(b!, db.name, uid, 'first-pw', 'res.partner', 'search_count', [[]])) === 'odoo.exceptions.AccessDenied');
    expect(took).to.be.below(Infinity);
    expect((await executeKw(b!, db.name, uid, 'second-pw', 'res.partner', 'search_count', [[]])).error).to.equal(undefined);
  });

  it('a revoked API key stops working on the other instance within a second, as password and as bearer', async () => {
    const uid = await newUser('key-user', 'key-user-pw');
    const client = createRegistry(db.connectionString, 1);
    const { id, key } = await client.sudo((env) => generateApiKeyRecord(env.withUser(uid).sudo(), 'rpc', 'to revoke', null));
    await client.close();
    for (let k = 0; k < 2; k++) {
      expect((await executeKw(b!, db.name, uid, key, 'res.partner', 'search_count', [[]])).error).to.equal(undefined);
      expect(await json2Status(b!, db.name, key)).to.equal(200);
    }
    const removed = await executeKw(a!, db.name, uid, 'key-user-pw', 'res.users.apikeys', 'remove', [[id]]);
    expect(removed.error).to.equal(undefined);
    const took = await within(1000, async () => errorName(await executeKw(b!, db.name, uid, key, 'res.partner', 'search_count', [[]])) === 'odoo.exceptions.AccessDenied');
    expect(took).to.be.below(Infinity);
    expect(await within(1000, async () => (await json2Status(b!, db.name, key)) === 401)).to.be.below(Infinity);
  });

  it('a user removed from the group granting a model loses it on the other instance within a second', async () => {
    const uid = await newUser('group-user', 'group-user-pw');
    for (let k = 0; k < 2; k++) expect((await executeKw(b!, db.name, uid, 'group-user-pw', 'mailing.list', 'search_count', [[]])).error).to.equal(undefined);
    const changed = await executeKw(a!, db.name, 2, ADMIN_PW, 'res.users', 'write', [[uid], { group_ids: [[3, mmGroup]] }]);
    expect(changed.error).to.equal(undefined);
    const took = await within(1000, async () => errorName(await executeKw(b!, db.name, uid, 'group-user-pw', 'mailing.list', 'search_count', [[]])) === 'odoo.exceptions.AccessError');
    expect(took).to.be.below(Infinity);
    // ...and gets it back the same way.
    await executeKw(a!, db.name, 2, ADMIN_PW, 'res.users', 'write', [[uid], { group_ids: [[4, mmGroup]] }]);
    expect(await within(1000, async () => (await executeKw(b!, db.name, uid, 'group-user-pw', 'mailing.list', 'search_count', [[]])).error === undefined)).to.be.below(Infinity);
  });

  it('an instance whose LISTEN connection dropped is not fooled by a change it could not hear of', async () => {
    const uid = await newUser('drop-user', 'drop-pw');
    for (let k = 0; k < 2; k++) expect((await executeKw(b!, db.name, uid, 'drop-pw', 'mailing.list', 'search_count', [[]])).error).to.equal(undefined);
    // Cut B's listener, then change the password by SQL while it cannot hear.
    const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`${LISTENER_APPLICATION_NAME} ${b!.child.pid}`]);
    expect(rowCount).to.equal(1);
    const registry = createRegistry(db.connectionString, 1);
    const hash = await registry.sudo((env) => hashPassword(env, 'other-pw'));
    await registry.close();
    const { text, values } = sql`UPDATE res_users SET password = ${hash} WHERE id = ${uid}`.toQuery();
    await admin.query(text, values as unknown[]);
    const took = await within(2000, async () => errorName(await executeKw(b!, db.name, uid, 'drop-pw', 'mailing.list', 'search_count', [[]])) === 'odoo.exceptions.AccessDenied');
    expect(took).to.be.below(Infinity);
    // Once it listens again, B answers from memory as before, and still hears of changes.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await executeKw(b!, db.name, uid, 'other-pw', 'mailing.list', 'search_count', [[]])).error).to.equal(undefined);
    await executeKw(a!, db.name, 2, ADMIN_PW, 'res.users', 'write', [[uid], { group_ids: [[3, mmGroup]] }]);
    expect(await within(1000, async () => errorName(await executeKw(b!, db.name, uid, 'other-pw', 'mailing.list', 'search_count', [[]])) === 'odoo.exceptions.AccessError')).to.be.below(Infinity);
  });
});

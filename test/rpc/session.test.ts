// Web sessions live in PostgreSQL: they expire after 7 days without use, only a hash of their id
// is stored, and a session opened on one server instance is known to every other instance.

import { expect } from 'chai';
import { SessionStore } from '../../rpc/session.ts';
import { createApp } from '../../server/app.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { ADMIN_PASSWORD, rpcTestApp, webJson, type RpcTestApp } from '../helpers/rpc.ts';

describe('rpc: web sessions in the database', () => {
  let t: RpcTestApp;
  let other: Registry;
  before(async () => {
    t = await rpcTestApp();
    other = createRegistry(t.db.connectionString, 2);
  });
  after(async () => {
    await other.close();
    await t.close();
  });

  it('expire after 7 days without use, are touched on use, and are stored as a hash', async () => {
    let now = 0;
    const store = new SessionStore(t.registry.pool, { now: () => now });
    const s = await store.create({ db: 'db', uid: 2, login: 'admin', context: { lang: 'en_US' } });
    expect(s.sid).to.match(/^[A-Za-z0-9_-]{56}$/);
    const { rows } = await t.registry.pool.query('SELECT sid_hash FROM web_session');
    expect(rows.map((r: any) => r.sid_hash)).not.to.include(s.sid);
    now = 6 * 86400_000;
    expect((await store.get(s.sid))?.uid).to.equal(2);
    now += 6 * 86400_000; // 12 days after creation, 6 after last use
    expect(await store.get(s.sid)).to.deep.include({ uid: 2, login: 'admin', db: 'db', context: { lang: 'en_US' } });
    now += 7 * 86400_000 + 1;
    expect(await store.get(s.sid)).to.equal(undefined);
    expect(await store.get(undefined)).to.equal(undefined);
    await store.sweep();
    expect((await t.registry.pool.query('SELECT count(*)::int AS n FROM web_session')).rows[0].n).to.equal(0);
  });

  it('write their last use at most once a minute, without shortening their life', async () => {
    let now = 1_000_000;
    const store = new SessionStore(t.registry.pool, { now: () => now });
    const s = await store.create({ db: 'db', uid: 2, login: 'admin', context: {} });
    const lastUsed = async () => Number((await t.registry.pool.query('SELECT last_used FROM web_session WHERE uid = 2 AND login = $1', ['admin'])).rows[0].last_used);
    now += 30_000;
    expect((await store.get(s.sid))?.uid).to.equal(2);
    expect(await lastUsed()).to.equal(1_000_000); // a use within the minute writes nothing
    now += 31_000;
    expect((await store.get(s.sid))?.uid).to.equal(2);
    expect(await lastUsed()).to.equal(now);
    now += 7 * 86400_000 - 1; // still alive 7 days after that last written use
    expect((await store.get(s.sid))?.uid).to.equal(2);
    await store.delete(s.sid);
  });

  it('a session opened on one instance is valid on another, and so is its logout', async () => {
    const second = createApp(other, { dbName: t.dbName, adminPassword: ADMIN_PASSWORD, maxBodySize: 8 << 20 }, testLogger());
    const auth = await webJson(t.app, '/web/session/authenticate', { db: t.dbName, login: 'admin', password: ADMIN_PASSWORD });
    const cookie = String((auth.headers['set-cookie'] as string[])[0]).split(';')[0]!;
    const info = await webJson(second, '/web/session/get_session_info', {}, cookie);
    expect(info.body.result.uid).to.equal(2);
    const read = await webJson(second, '/web/dataset/call_kw', { model: 'res.users', method: 'read', args: [[2], ['login']], kwargs: {} }, cookie);
    expect(read.body.result).to.deep.equal([{ id: 2, login: 'admin' }]);
    await webJson(second, '/web/session/destroy', {}, cookie);
    const after = await webJson(t.app, '/web/session/get_session_info', {}, cookie);
    expect(after.body.error.code).to.equal(100);
  });
});

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { sql } from '../../models/orm/sql.ts';
import { authenticate, checkBearer, checkUidPassword, verifyPbkdf2Sha512 } from '../../models/base/auth.ts';
import { generateApiKey } from '../../models/base/res_users_apikeys.ts';
import { installAccessChecker, xmlidToResId } from '../../models/base/ir_model_access.ts';

async function expectError(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<void> {
  try {
    await p;
  } catch (e: any) {
    expect(e.odooName, e.message).to.equal(name);
    if (typeof message === 'string') expect(e.message).to.equal(message);
    else if (message) expect(e.message).to.match(message);
    return;
  }
  expect.fail(`expected ${name}`);
}

describe('base: API keys', () => {
  let t: TestRegistry;
  let user: number;
  let portal: number;

  /** The wizard flow a client runs over RPC; returns make_key's action. */
  async function makeKey(uid: number, vals: Record<string, unknown>): Promise<any> {
    const wizard = await t.call('res.users.apikeys.description', 'create', [vals], {}, uid);
    return t.call('res.users.apikeys.description', 'make_key', [[wizard]], {}, uid);
  }

  before(async () => {
    t = await testRegistry();
    installAccessChecker(t.registry);
    user = await t.call('res.users', 'create', [{ name: 'Key User', login: 'key-user' }]);
    const portalGroup = await t.env((env) => xmlidToResId(env, 'base.group_portal'));
    portal = await t.call('res.users', 'create', [{ name: 'Portal', login: 'portal-user', group_ids: [[6, 0, [portalGroup]]] }]);
  });
  after(async () => t.close());

  it('the description wizard makes a key shown once; it works as bearer and as RPC password', async () => {
    const action = await makeKey(2, { name: 'My integration', duration: '0' });
    expect(Object.keys(action)).to.deep.equal(['type', 'res_model', 'name', 'views', 'target', 'context']);
    expect(action).to.deep.include({ type: 'ir.actions.act_window', res_model: 'res.users.apikeys.show', name: 'API Key Ready', views: [[false, 'form']], target: 'new' });
    const key: string = action.context.default_key;
    expect(key).to.match(/^[0-9a-f]{40}$/);
    // The wizard is gone; the key row keeps only the index and a hash.
    expect(await t.call('res.users.apikeys.description', 'search', [[]])).to.deep.equal([]);
    const row = await t.env(async (env) => (await env.cr.query(sql`SELECT * FROM res_users_apikeys WHERE index = ${key.slice(0, 8)}`))[0]);
    expect(row.key).to.match(/^\$pbkdf2-sha512\$6000\$/);
    expect(await verifyPbkdf2Sha512(key, row.key)).to.equal(true);
    expect(row).to.include({ name: 'My integration', user_id: 2, scope: null, expiration_date: null });

    expect(await t.env((env) => checkBearer(env, key))).to.equal(2);
    expect(await t.env((env) => checkBearer(env, key))).to.equal(2); // cached
    expect(await t.env((env) => authenticate(env, 'admin', key, { interactive: false }))).to.equal(2);
    await t.env((env) => checkUidPassword(env, 2, key));
    // Interactive logins (web session) take the password only.
    expect(await t.env((env) => authenticate(env, 'admin', key, { interactive: true }))).to.equal(false);
    expect(await t.env((env) => authenticate(env, 'admin', key))).to.equal(false);
    // Another user's uid with this key: refused.
    await expectError(t.env((env) => checkUidPassword(env, user, key)), 'odoo.exceptions.AccessDenied');
    expect(await t.env((env) => checkBearer(env, key.slice(0, 8) + '0'.repeat(32)))).to.equal(false);

    // What clients can read: no secret, no index.
    const [rec] = await t.call('res.users.apikeys', 'search_read', [[['id', '=', row.id]]]);
    expect(Object.keys(rec).sort()).to.deep.equal(['create_date', 'display_name', 'expiration_date', 'id', 'name', 'scope', 'user_id']);
    expect(rec.user_id).to.deep.equal([2, 'Administrator']);
    const [me] = await t.call('res.users', 'read', [[2], ['api_key_ids']]);
    expect(me.api_key_ids).to.include(row.id);
  });

  it('a removed or unlinked key, or an expired one, is refused', async () => {
    const k1: string = (await makeKey(2, { name: 'k1', duration: '0' })).context.default_key;
    const id1 = (await t.call('res.users.apikeys', 'search', [[['name', '=', 'k1']]]))[0];
    expect(await t.env((env) => checkBearer(env, k1))).to.equal(2);
    await t.env((env) => checkUidPassword(env, 2, k1));
    expect(await t.call('res.users.apikeys', 'remove', [[id1]])).to.deep.equal({ type: 'ir.actions.act_window_close' });
    expect(await t.env((env) => checkBearer(env, k1))).to.equal(false);
    await expectError(t.env((env) => checkUidPassword(env, 2, k1)), 'odoo.exceptions.AccessDenied');

    // ACLs give no unlink right on keys, even to admin: revoking goes through remove().
    const k2: string = (await makeKey(2, { name: 'k2', duration: '0' })).context.default_key;
    const id2 = (await t.call('res.users.apikeys', 'search', [[['name', '=', 'k2']]]))[0];
    await expectError(t.call('res.users.apikeys', 'unlink', [[id2]]), 'odoo.exceptions.AccessError', /You are not allowed to delete 'Users API Keys' \(res\.users\.apikeys\) records/);
    await t.env((env) => env.model('res.users.apikeys').browse([id2]).unlink());
    expect(await t.env((env) => checkBearer(env, k2))).to.equal(false);

    // Expired (expiration in the past), including after a cached success.
    const k3: string = (await makeKey(2, { name: 'k3', duration: '7' })).context.default_key;
    expect(await t.env((env) => checkBearer(env, k3))).to.equal(2);
    await t.env((env) => checkUidPassword(env, 2, k3));
    await t.env((env) => env.cr.execute(sql`UPDATE res_users_apikeys SET expiration_date = now() at time zone 'utc' - interval '1 minute' WHERE name = 'k3'`));
    expect(await t.env((env) => checkBearer(env, k3))).to.equal(false);
    await expectError(t.env((env) => checkUidPassword(env, 2, k3)), 'odoo.exceptions.AccessDenied');
    expect(await t.env((env) => authenticate(env, 'admin', k3, { interactive: false }))).to.equal(false);
  });

  it('scopes: a NULL scope matches any scope, a scoped key only its own', async () => {
    const rpc = await t.env((env) => generateApiKey(env.withUser(user).sudo(), 'rpc', 'rpc key', null));
    const other = await t.env((env) => generateApiKey(env.withUser(user).sudo(), 'other', 'other key', null));
    expect(await t.env((env) => checkBearer(env, rpc))).to.equal(user);
    expect(await t.env((env) => checkBearer(env, other))).to.equal(false);
    await expectError(t.env((env) => checkUidPassword(env, user, other)), 'odoo.exceptions.AccessDenied');
    // An archived user's keys stop working.
    await t.call('res.users', 'write', [[user], { active: false }]);
    expect(await t.env((env) => checkBearer(env, rpc))).to.equal(false);
    await t.call('res.users', 'write', [[user], { active: true }]);
    expect(await t.env((env) => checkBearer(env, rpc))).to.equal(user);
  });

  it('non-admin users: keys must expire within their groups\' limit; only internal users make keys', async () => {
    await expectError(makeKey(user, { name: 'forever', duration: '0' }), 'odoo.exceptions.ValidationError', 'The API key must have an expiration date');
    const in10days = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    await expectError(makeKey(user, { name: 'long', duration: '-1', expiration_date: in10days }), 'odoo.exceptions.ValidationError', 'You cannot exceed 1.0 days.');
    const action = await makeKey(user, { name: 'short' });
    const key: string = action.context.default_key;
    expect(await t.env((env) => checkBearer(env, key))).to.equal(user);
    const [row] = await t.call('res.users.apikeys', 'search_read', [[['name', '=', 'short']], ['expiration_date', 'user_id']], {}, user);
    expect(row.user_id[0]).to.equal(user);
    expect(row.expiration_date).to.match(/^\d{4}-\d{2}-\d{2} 00:00:00$/);
    // Users see their own keys only; admin sees every key.
    const own = await t.call('res.users.apikeys', 'search_read', [[], ['user_id']], {}, user);
    expect(own.every((k: any) => k.user_id[0] === user)).to.equal(true);
    const adminKey = (await t.call('res.users.apikeys', 'search', [[['user_id', '=', 2]]]))[0];
    expect(adminKey).to.be.a('number');
    await expectError(t.call('res.users.apikeys', 'read', [[adminKey], ['name']], {}, user), 'odoo.exceptions.AccessError', /top-secret records/);
    // A user can remove their own key, not someone else's.
    await expectError(t.call('res.users.apikeys', 'remove', [[adminKey]], {}, user), 'odoo.exceptions.AccessError', "You can not remove API keys unless they're yours or you are a system user");
    const ownId = (await t.call('res.users.apikeys', 'search', [[['name', '=', 'short']]], {}, user))[0];
    await t.call('res.users.apikeys', 'remove', [[ownId]], {}, user);
    expect(await t.env((env) => checkBearer(env, key))).to.equal(false);
    // Portal users may open the wizard but not make a key.
    const in12h = new Date(Date.now() + 12 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    await expectError(makeKey(portal, { name: 'portal', duration: '-1', expiration_date: in12h }), 'odoo.exceptions.AccessError', 'Only internal users can create API keys');
  });
});

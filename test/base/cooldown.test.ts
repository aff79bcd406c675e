import { expect } from 'chai';
import request from 'supertest';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { authenticate, authenticateOrRaise, checkUidPassword, LOGIN_COOLDOWN_MESSAGE, resetLoginCooldown } from '../../models/base/auth.ts';
import { setParam } from '../../models/base/ir_config_parameter.ts';
import { ADMIN_PASSWORD, createUser, rpcTestApp, type RpcTestApp } from '../helpers/rpc.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('base: login cooldown', () => {
  let t: TestRegistry;
  let uid: number;
  before(async () => {
    t = await testRegistry();
    uid = await t.call('res.users', 'create', [{ name: 'Cool', login: 'cool', password: 'right-pw' }]);
  });
  afterEach(() => resetLoginCooldown(t.registry));
  after(async () => t.close());

  const ATTACKER = '198.51.100.7';
  const OFFICE = '203.0.113.20';
  const login = (password: string, source = ATTACKER, who = 'cool') => t.env((env) => authenticate(env, who, password, { interactive: false, source }));

  it('after 5 failures from one address, that address is refused for 60 s even with the right password', async () => {
    for (let i = 0; i < 4; i++) expect(await login('wrong')).to.equal(false);
    expect(await login('right-pw')).to.equal(uid); // a success resets the count
    for (let i = 0; i < 5; i++) expect(await login('wrong')).to.equal(false);
    expect(await login('right-pw')).to.equal(false);
    try {
      await t.env((env) => authenticateOrRaise(env, 'cool', 'right-pw', { source: ATTACKER }));
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessDenied');
      expect(e.message).to.equal(LOGIN_COOLDOWN_MESSAGE);
      expect(e.message).to.equal('Too many login failures, please wait a bit before trying again.');
    }
    // object.execute checks from that address are on cooldown too, and so is every other login.
    try {
      await t.env((env) => checkUidPassword(env, uid, 'right-pw', ATTACKER));
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal(LOGIN_COOLDOWN_MESSAGE);
    }
    expect(await login('admin', ATTACKER, 'admin')).to.equal(false);
  });

  it('the cooldown is keyed by address: another address still logs in to the same login', async () => {
    for (let i = 0; i < 8; i++) expect(await login('wrong', ATTACKER)).to.equal(false);
    expect(await login('right-pw', ATTACKER)).to.equal(false);
    expect(await login('right-pw', OFFICE)).to.equal(uid);
    await t.env((env) => checkUidPassword(env, uid, 'right-pw', OFFICE));
    // failures spread over logins from one address add up; they do not touch other addresses
    resetLoginCooldown(t.registry);
    for (const who of ['a', 'b', 'c', 'd', 'e']) expect(await login('x', ATTACKER, who)).to.equal(false);
    expect(await login('right-pw', ATTACKER)).to.equal(false);
    expect(await login('right-pw', OFFICE)).to.equal(uid);
    // no request (start-up, command line): never rate-limited
    expect(await t.env((env) => authenticate(env, 'cool', 'right-pw', { interactive: false }))).to.equal(uid);
  });

  it('the cooldown ends after base.login_cooldown_duration; 0 failures allowed disables it', async () => {
    await t.env((env) => setParam(env, 'base.login_cooldown_duration', '1'));
    await t.env((env) => setParam(env, 'base.login_cooldown_after', '2'));
    expect(await login('wrong')).to.equal(false);
    expect(await login('wrong')).to.equal(false);
    expect(await login('right-pw')).to.equal(false);
    await sleep(1100);
    expect(await login('right-pw')).to.equal(uid);

    await t.env((env) => setParam(env, 'base.login_cooldown_after', '0'));
    for (let i = 0; i < 6; i++) expect(await login('wrong')).to.equal(false);
    expect(await login('right-pw')).to.equal(uid);
  });
});

describe('base: login cooldown over HTTP', () => {
  for (const proxyMode of [false, true]) {
    describe(proxyMode ? 'PROXY_MODE on' : 'PROXY_MODE off', () => {
      let t: RpcTestApp;
      before(async () => {
        t = await rpcTestApp({ proxyMode });
        await createUser(t, 'victim', 'victim-pw');
      });
      afterEach(() => resetLoginCooldown(t.registry));
      after(async () => t.close());

      // A request as if relayed by a reverse proxy for client `client`.
      const authenticateFrom = async (client: string, login: string, password: string) => {
        const res = await request(t.app).post('/web/session/authenticate').set('Content-Type', 'application/json')
          .set('X-Forwarded-Host', 'sms.example.com').set('X-Forwarded-For', `10.9.9.9, ${client}`)
          .send(JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { db: t.dbName, login, password }, id: 1 }));
        return JSON.parse(res.text);
      };
      const xmlrpcLoginFrom = async (client: string, login: string, password: string) => {
        const body = `<?xml version="1.0"?><methodCall><methodName>authenticate</methodName><params><param><value><string>${t.dbName}</string></value></param><param><value><string>${login}</string></value></param><param><value><string>${password}</string></value></param><param><value><struct></struct></value></param></params></methodCall>`;
        const res = await request(t.app).post('/xmlrpc/2/common').set('Content-Type', 'text/xml')
          .set('X-Forwarded-Host', 'sms.example.com').set('X-Forwarded-For', client).send(body);
        return res.text;
      };

      it('/web/session/authenticate answers the cooldown message; the forwarded address counts only in proxy mode', async () => {
        for (let i = 0; i < 5; i++) {
          const bad = await authenticateFrom('198.51.100.7', 'victim', 'guess');
          expect(bad.error.data.name).to.equal('odoo.exceptions.AccessDenied');
          expect(bad.error.data.message).to.equal('Access Denied');
        }
        const locked = await authenticateFrom('198.51.100.7', 'victim', 'victim-pw');
        expect(locked.error.data.name).to.equal('odoo.exceptions.AccessDenied');
        expect(locked.error.data.message).to.equal(LOGIN_COOLDOWN_MESSAGE);
        // XML-RPC common.authenticate from that address: False, as in Odoo
        expect(await xmlrpcLoginFrom('198.51.100.7', 'admin', ADMIN_PASSWORD)).to.include('<boolean>0</boolean>');
        // Another client: behind a trusted proxy it is another address; without proxy mode every
        // client is the proxy's (socket) address, so it is locked out too.
        const other = await authenticateFrom('203.0.113.20', 'victim', 'victim-pw');
        if (proxyMode) expect(other.result.uid).to.be.a('number');
        else expect(other.error.data.message).to.equal(LOGIN_COOLDOWN_MESSAGE);
      });
    });
  }
});

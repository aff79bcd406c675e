import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { authenticate, authenticateOrRaise, checkUidPassword, LOGIN_COOLDOWN_MESSAGE, resetLoginCooldown } from '../../models/base/auth.ts';
import { setParam } from '../../models/base/ir_config_parameter.ts';

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

  const login = (password: string) => t.env((env) => authenticate(env, 'cool', password, { interactive: false }));

  it('after 5 failures, attempts are refused for 60 s even with the right password', async () => {
    for (let i = 0; i < 4; i++) expect(await login('wrong')).to.equal(false);
    expect(await login('right-pw')).to.equal(uid); // a success resets the count
    for (let i = 0; i < 5; i++) expect(await login('wrong')).to.equal(false);
    expect(await login('right-pw')).to.equal(false);
    try {
      await t.env((env) => authenticateOrRaise(env, 'cool', 'right-pw'));
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessDenied');
      expect(e.message).to.equal(LOGIN_COOLDOWN_MESSAGE);
      expect(e.message).to.equal('Too many login failures, please wait a bit before trying again.');
    }
    // object.execute checks of that user are on cooldown too; other logins are not.
    try {
      await t.env((env) => checkUidPassword(env, uid, 'right-pw'));
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal(LOGIN_COOLDOWN_MESSAGE);
    }
    expect(await t.env((env) => authenticate(env, 'admin', 'wrong'))).to.equal(false);
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

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { sql } from '../../models/orm/sql.ts';
import {
  ab64Decode, ab64Encode, authenticate, checkUidPassword, hashPassword, isDefaultAdminPassword, pbkdf2Sha512Hash,
  PASSWORD_MIN_ROUNDS, verifyPassword, verifyPbkdf2Sha512,
} from '../../models/base/auth.ts';
import { ensureAdminPassword, loadSecurityData } from '../../models/base/security_data.ts';
import { installAccessChecker } from '../../models/base/ir_model_access.ts';

// Hashes in passlib's format, as found in Odoo databases (published passlib test vectors of
// pbkdf2_sha512: same algorithm, fewer rounds).
const PASSLIB_VECTORS: [string, string][] = [
  ['hashsmith', '$pbkdf2-sha512$1000$c2FsdHk$46H1UX84CF/CtUdeJF51PxwS9GOLR2Gb0SCwA8og0Qvf0pRq7yqrNkP6oUwFADk3UU90M7IUXgwXJz2oFBfQug'],
  ['password', '$pbkdf2-sha512$1000$MDEyMzQ1Njc4OWFiY2RlZg$38DzhdBT7fPaUGBlsh42VTuuKSFAIYGZJ7l6feCDLIl.K3hdPFgxxu7xuUi4gIuH6cEIoODn18xH9Ig2ryNgUw'],
];
// Computed with Python's hashlib.pbkdf2_hmac('sha512', b'admin', bytes(range(16)), 600000, 64).
const ODOO_ADMIN_HASH = '$pbkdf2-sha512$600000$AAECAwQFBgcICQoLDA0ODw$wo5nr68L9hr/tAa6cCxILDTkJnebiD5OLdaEMIMoJV3g0cb6aLXhfhEbJ2apsxUuzgBmaR.PNHIlwsYDONlQtw';
const HASH_RE = /^\$pbkdf2-sha512\$600000\$[A-Za-z0-9./]{22}\$[A-Za-z0-9./]{86}$/;

async function storedPassword(t: TestRegistry, uid: number): Promise<string | null> {
  return t.env(async (env) => (await env.cr.query<{ password: string | null }>(sql`SELECT password FROM res_users WHERE id = ${uid}`))[0].password);
}

describe('base: passwords', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
    installAccessChecker(t.registry);
  });
  after(async () => t.close());

  it('reads and writes passlib hashes (adapted base64, pbkdf2-sha512)', async () => {
    for (const [password, hash] of PASSLIB_VECTORS) {
      expect(await verifyPbkdf2Sha512(password, hash)).to.equal(true);
      expect(await verifyPbkdf2Sha512(password + 'x', hash)).to.equal(false);
    }
    expect(await verifyPbkdf2Sha512('admin', ODOO_ADMIN_HASH)).to.equal(true);
    expect(ab64Decode('c2FsdHk').toString()).to.equal('salty');
    expect(ab64Encode(Buffer.from([0xfb, 0xff]))).to.equal('./8'); // '+/8=' in standard base64
    // Our hashes are what passlib would write with the same salt.
    const salt = Buffer.from('0123456789abcdef');
    expect(await pbkdf2Sha512Hash('password', 1000, salt)).to.equal(PASSLIB_VECTORS[1][1]);
    const fresh = await t.env((env) => hashPassword(env, 'secret'));
    expect(fresh).to.match(HASH_RE);
    expect(PASSWORD_MIN_ROUNDS).to.equal(600000);
    expect(await verifyPbkdf2Sha512('secret', fresh)).to.equal(true);
    // Malformed hashes never verify, nor throw.
    for (const bad of ['', '$pbkdf2-sha512$', '$pbkdf2-sha512$x$y$z', '$pbkdf2-sha512$1000$c2FsdHk$short']) {
      expect(await verifyPbkdf2Sha512('x', bad)).to.equal(false);
    }
    // Clear text (set by SQL) verifies and asks for an upgrade; other schemes do not verify.
    expect(await verifyPassword('plain', 'plain')).to.deep.equal({ valid: true, needsUpdate: true });
    expect(await verifyPassword('plain', '$2b$12$abcdefghijklmnopqrstuv')).to.deep.equal({ valid: false, needsUpdate: false });
  });

  it('a hash copied from an Odoo database logs in', async () => {
    const uid = await t.call('res.users', 'create', [{ name: 'Copied', login: 'copied' }]);
    await t.env((env) => env.cr.execute(sql`UPDATE res_users SET password = ${ODOO_ADMIN_HASH} WHERE id = ${uid}`));
    expect(await t.env((env) => authenticate(env, 'copied', 'admin'))).to.equal(uid);
    expect(await t.env((env) => authenticate(env, 'copied', 'Admin'))).to.equal(false);
  });

  it('writing password stores the hash; reading it never shows it', async () => {
    const uid = await t.call('res.users', 'create', [{ name: 'Pat', login: 'pat', password: 'first-pw' }]);
    const stored = await storedPassword(t, uid);
    expect(stored).to.match(HASH_RE);
    expect(await verifyPbkdf2Sha512('first-pw', stored!)).to.equal(true);

    const [rec] = await t.call('res.users', 'read', [[uid], ['password', 'new_password', 'login']]);
    expect(rec.password).to.equal('');
    expect(rec.new_password).to.equal('');
    const [all] = await t.call('res.users', 'read', [[uid]]);
    expect(JSON.stringify(all)).not.to.contain('pbkdf2');
    expect(await t.call('res.users', 'search_read', [[['id', '=', uid]], ['password']])).to.deep.equal([{ id: uid, password: '' }]);
    const fields = await t.call('res.users', 'fields_get', [['password']], { attributes: ['type', 'store', 'readonly'] });
    expect(fields.password).to.deep.equal({ type: 'char', store: false, readonly: false });

    await t.call('res.users', 'write', [[uid], { password: 'second-pw' }]);
    expect(await t.env((env) => authenticate(env, 'pat', 'second-pw'))).to.equal(uid);
    expect(await t.env((env) => authenticate(env, 'pat', 'first-pw'))).to.equal(false);
    // new_password (the admin's "Set Password") works the same way for other users.
    await t.call('res.users', 'write', [[uid], { new_password: 'third-pw' }]);
    expect(await t.env((env) => authenticate(env, 'pat', 'third-pw'))).to.equal(uid);
    // ...but not on one's own record.
    try {
      await t.call('res.users', 'write', [[2], { new_password: 'x' }]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.UserError');
      expect(e.message).to.contain('change password wizard');
    }
    // An empty password removes password logins.
    await t.call('res.users', 'write', [[uid], { password: false }]);
    expect(await storedPassword(t, uid)).to.equal(null);
    expect(await t.env((env) => authenticate(env, 'pat', ''))).to.equal(false);
  });

  it('clear-text passwords put by SQL are hashed on first use', async () => {
    const uid = await t.call('res.users', 'create', [{ name: 'Sql', login: 'sql-user' }]);
    await t.env((env) => env.cr.execute(sql`UPDATE res_users SET password = 'typed-in-sql' WHERE id = ${uid}`));
    expect(await t.env((env) => authenticate(env, 'sql-user', 'typed-in-sql'))).to.equal(uid);
    expect(await storedPassword(t, uid)).to.match(HASH_RE);
  });

  it('object.execute checks: password or nothing, cached, and a change is seen at once', async () => {
    const uid = await t.call('res.users', 'create', [{ name: 'Exe', login: 'exe', password: 'exe-pw' }]);
    await t.env((env) => checkUidPassword(env, uid, 'exe-pw'));
    await t.env((env) => checkUidPassword(env, uid, 'exe-pw')); // cached
    for (const bad of ['', 'wrong']) {
      try {
        await t.env((env) => checkUidPassword(env, uid, bad));
        expect.fail('should raise');
      } catch (e: any) {
        expect(e.odooName).to.equal('odoo.exceptions.AccessDenied');
        expect(e.message).to.equal('Access Denied');
      }
    }
    // Changed behind the cache's back (another server instance): the old password is refused.
    const other = await t.env((env) => hashPassword(env, 'exe-pw-2'));
    await t.env((env) => env.cr.execute(sql`UPDATE res_users SET password = ${other} WHERE id = ${uid}`));
    try {
      await t.env((env) => checkUidPassword(env, uid, 'exe-pw'));
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessDenied');
    }
    await t.env((env) => checkUidPassword(env, uid, 'exe-pw-2'));
    // An archived user cannot log in any more, even with a cached check.
    await t.call('res.users', 'write', [[uid], { active: false }]);
    try {
      await t.env((env) => checkUidPassword(env, uid, 'exe-pw-2'));
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessDenied');
    }
    expect(await t.env((env) => authenticate(env, 'exe', 'exe-pw-2'))).to.equal(false);
  });

  it('change_password needs the old password', async () => {
    const uid = await t.call('res.users', 'create', [{ name: 'Chg', login: 'chg', password: 'old-pw' }]);
    try {
      await t.call('res.users', 'change_password', ['nope', 'new-pw'], {}, uid);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessDenied');
    }
    try {
      await t.call('res.users', 'change_password', ['old-pw', '  '], {}, uid);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal('Setting empty passwords is not allowed for security reasons!');
    }
    expect(await t.call('res.users', 'change_password', ['old-pw', 'new-pw'], {}, uid)).to.equal(true);
    expect(await t.env((env) => authenticate(env, 'chg', 'new-pw'))).to.equal(uid);
  });

  it('admin password comes from ADMIN_PASSWORD on first load only', async () => {
    const saved = process.env.ADMIN_PASSWORD;
    try {
      const before = await storedPassword(t, 2);
      expect(before).to.match(HASH_RE); // set when the database was made
      // A restart with another ADMIN_PASSWORD keeps the current password.
      process.env.ADMIN_PASSWORD = 'restart-pw';
      await t.env((env) => loadSecurityData(env));
      expect(await storedPassword(t, 2)).to.equal(before);
      expect(await t.env((env) => ensureAdminPassword(env, 'restart-pw'))).to.equal(false);
      // No password yet (first start): ADMIN_PASSWORD is used.
      await t.env((env) => env.cr.execute(sql`UPDATE res_users SET password = NULL WHERE id = 2`));
      await t.env((env) => loadSecurityData(env));
      expect(await storedPassword(t, 2)).to.match(HASH_RE);
      expect(await t.env((env) => authenticate(env, 'admin', 'restart-pw'))).to.equal(2);
      expect(await t.env((env) => isDefaultAdminPassword(env))).to.equal(false);
      // Unset or empty ADMIN_PASSWORD: `admin`.
      process.env.ADMIN_PASSWORD = '';
      await t.env((env) => env.cr.execute(sql`UPDATE res_users SET password = NULL WHERE id = 2`));
      await t.env((env) => loadSecurityData(env));
      expect(await t.env((env) => authenticate(env, 'admin', 'admin'))).to.equal(2);
      expect(await t.env((env) => isDefaultAdminPassword(env))).to.equal(true);
    } finally {
      if (saved === undefined) delete process.env.ADMIN_PASSWORD;
      else process.env.ADMIN_PASSWORD = saved;
    }
  });
});

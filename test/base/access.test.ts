import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { installAccessChecker, xmlidToResId } from '../../models/base/ir_model_access.ts';
import { ACCESS, GROUPS } from '../../models/index.ts';

async function expectAccessError(p: Promise<unknown>, message?: string | RegExp): Promise<void> {
  try {
    await p;
  } catch (e: any) {
    expect(e.odooName, e.message).to.equal('odoo.exceptions.AccessError');
    if (typeof message === 'string') expect(e.message).to.equal(message);
    else if (message) expect(e.message).to.match(message);
    return;
  }
  expect.fail('expected an AccessError');
}

describe('base: groups and access rights', () => {
  let t: TestRegistry;
  let gid: Record<string, number>;
  let internal: number; // Role / User only
  let marketer: number; // Email Marketing / User
  let publicUser: number; // Role / Public
  let nobody: number; // no group at all

  before(async () => {
    t = await testRegistry();
    installAccessChecker(t.registry);
    gid = {};
    for (const g of GROUPS) gid[g.xmlid] = (await t.env((env) => xmlidToResId(env, g.xmlid, 'res.groups'))) as number;
    internal = await t.call('res.users', 'create', [{ name: 'Internal', login: 'internal' }]);
    marketer = await t.call('res.users', 'create', [{ name: 'Marketer', login: 'marketer', group_ids: [[6, 0, [gid['mass_mailing.group_mass_mailing_user']]]] }]);
    publicUser = await t.call('res.users', 'create', [{ name: 'Public', login: 'public-user', group_ids: [[6, 0, [gid['base.group_public']]]] }]);
    nobody = await t.call('res.users', 'create', [{ name: 'Nobody', login: 'nobody', group_ids: [] }]);
  });
  after(async () => t.close());

  it('ships Odoo 19 groups with their external ids, names and implications', async () => {
    for (const g of GROUPS) expect(gid[g.xmlid], g.xmlid).to.be.a('number');
    const rows = await t.call('res.groups', 'read', [[gid['base.group_user'], gid['base.group_system'], gid['mass_mailing.group_mass_mailing_user'], gid['base.group_public']], ['name', 'full_name', 'display_name']]);
    expect(rows.map((r: any) => r.display_name)).to.deep.equal(['Role / User', 'Role / Administrator', 'Email Marketing / User', 'Role / Public']);
    const [mm] = await t.call('res.groups', 'read', [[gid['mass_mailing.group_mass_mailing_user']], ['implied_ids', 'all_implied_ids', 'privilege_id']]);
    expect(mm.implied_ids).to.include(gid['base.group_user']);
    expect(mm.all_implied_ids).to.include.members([gid['mass_mailing.group_mass_mailing_user'], gid['base.group_user'], gid['base.group_no_one']]);
    expect(mm.privilege_id[1]).to.equal('Email Marketing');
    expect(await t.call('res.groups', 'search', [[['full_name', '=', 'Email Marketing / User']]])).to.deep.equal([gid['mass_mailing.group_mass_mailing_user']]);
    // Admin has every internal group (Administrator, Email Marketing user...), explicitly or implied.
    const [admin] = await t.call('res.users', 'read', [[2], ['all_group_ids', 'share', 'role']]);
    for (const x of ['base.group_system', 'base.group_user', 'base.group_erp_manager', 'base.group_partner_manager', 'base.group_allow_export', 'mass_mailing.group_mass_mailing_user']) {
      expect(admin.all_group_ids, x).to.include(gid[x]);
    }
    expect(admin.all_group_ids).not.to.include(gid['base.group_public']);
    expect(admin).to.deep.include({ share: false, role: 'group_system' });
    // New users are internal users by default; portal/public users are "share" users.
    const users = await t.call('res.users', 'read', [[internal, publicUser, nobody], ['group_ids', 'share', 'role']]);
    expect(users.map((u: any) => [u.group_ids, u.share, u.role])).to.deep.equal([
      [[gid['base.group_user']], false, 'group_user'],
      [[gid['base.group_public']], true, false],
      [[], true, false],
    ]);
    expect(await t.call('res.users', 'search', [[['all_group_ids', 'in', [gid['base.group_system']]]]])).to.deep.equal([2]);
    expect(await t.call('res.users', 'has_group', [[internal], 'base.group_user'], {}, internal)).to.equal(true);
    expect(await t.call('res.users', 'has_group', [[internal], 'base.group_system'], {}, internal)).to.equal(false);
    expect(await t.call('res.users', 'has_groups', [[2], 'base.group_user,!base.group_portal'])).to.equal(true);
    expect(await t.call('res.users', 'context_get', [], {}, internal)).to.deep.equal({ lang: 'en_US', tz: 'UTC', uid: internal });
  });

  it('an internal user reads contacts but may not change them, users, settings or mailings', async () => {
    expect(await t.call('res.partner', 'search_read', [[['id', '=', 3]], ['name']], {}, internal)).to.deep.equal([{ id: 3, name: 'Administrator' }]);
    expect((await t.call('res.country', 'search', [[['code', '=', 'BE']]], {}, internal)).length).to.equal(1);
    await expectAccessError(
      t.call('res.partner', 'create', [{ name: 'Nope' }], {}, internal),
      "You are not allowed to create 'Contact' (res.partner) records.\n\nThis operation is allowed for the following groups:\n\t- Contact/Creation\n\nContact your administrator to request access if necessary.",
    );
    await expectAccessError(
      t.call('res.users', 'write', [[marketer], { login: 'hacked' }], {}, internal),
      "You are not allowed to modify 'User' (res.users) records.\n\nThis operation is allowed for the following groups:\n\t- Access Rights\n\nContact your administrator to request access if necessary.",
    );
    await expectAccessError(t.call('res.users', 'write', [[internal], { login: 'me-too' }], {}, internal), /not allowed to modify 'User'/);
    await expectAccessError(t.call('ir.config_parameter', 'search_read', [[]], {}, internal), /^You are not allowed to access 'System Parameter' \(ir\.config_parameter\) records\.\n\nThis operation is allowed for the following groups:\n\t- Role \/ Administrator\n\n/);
    await expectAccessError(t.call('res.groups', 'write', [[gid['base.group_user']], { name: 'x' }], {}, internal), /not allowed to modify 'Access Groups'/);
    await expectAccessError(t.call('ir.model.access', 'search', [[]], {}, internal), /Access Rights/);
    for (const model of ['mailing.list', 'mailing.contact', 'mailing.mailing', 'phone.blacklist', 'sms.sms']) {
      if (!t.registry.has(model)) continue;
      await expectAccessError(t.call(model, 'search', [[]], {}, internal), new RegExp(`You are not allowed to access '.*' \\(${model.replace(/\./g, '\\.')}\\) records`));
    }
    // Odoo's own rights methods answer the same.
    expect(await t.call('res.partner', 'check_access_rights', ['create'], { raise_exception: false }, internal)).to.equal(false);
    expect(await t.call('res.partner', 'has_access', [[3], 'read'], {}, internal)).to.equal(true);
    expect(await t.call('res.partner', 'has_access', [[3], 'write'], {}, internal)).to.equal(false);
    // Safe fields of one's own user record are writable and readable.
    await t.call('res.users', 'write', [[internal], { tz: 'Europe/Brussels', lang: 'en_US' }], {}, internal);
    const [me] = await t.call('res.users', 'read', [[internal], ['tz', 'login', 'group_ids']], {}, internal);
    expect(me).to.deep.equal({ id: internal, tz: 'Europe/Brussels', login: 'internal', group_ids: [gid['base.group_user']] });
  });

  it('the Email Marketing user works on mailing models; SMS and the blacklist stay with administrators', async () => {
    for (const model of ['mailing.list', 'mailing.contact', 'mailing.subscription', 'mailing.mailing', 'mailing.trace', 'utm.campaign', 'sms.tracker', 'phone.blacklist.remove']) {
      if (!t.registry.has(model)) continue;
      for (const op of ['read', 'write', 'create', 'unlink']) {
        expect(await t.call(model, 'check_access_rights', [op], { raise_exception: false }, marketer), `${model} ${op}`).to.equal(true);
      }
    }
    if (t.registry.has('mailing.list')) {
      const list = await t.call('mailing.list', 'create', [{ name: 'Marketing list' }], {}, marketer);
      expect(list).to.be.a('number');
    }
    for (const model of ['sms.sms', 'phone.blacklist']) {
      if (!t.registry.has(model)) continue;
      expect(await t.call(model, 'check_access_rights', ['read'], { raise_exception: false }, marketer), model).to.equal(false);
      expect(await t.call(model, 'check_access_rights', ['read'], { raise_exception: false }), model).to.equal(true);
    }
    expect(await t.call('ir.model', 'check_access_rights', ['read'], { raise_exception: false }, marketer)).to.equal(true);
  });

  it('public users and users without groups are refused', async () => {
    for (const model of ['res.partner', 'res.users', 'res.country']) {
      // Odoo lets public users read these (website pages); nothing more.
      expect(await t.call(model, 'check_access_rights', ['read'], { raise_exception: false }, publicUser), model).to.equal(true);
    }
    await expectAccessError(t.call('res.partner', 'write', [[3], { name: 'x' }], {}, publicUser), /not allowed to modify 'Contact'/);
    await expectAccessError(t.call('res.groups', 'search', [[]], {}, publicUser), /not allowed to access 'Access Groups'/);
    await expectAccessError(t.call('ir.config_parameter', 'search', [[]], {}, publicUser), /not allowed to access 'System Parameter'/);
    if (t.registry.has('mailing.list')) await expectAccessError(t.call('mailing.list', 'search', [[]], {}, publicUser));
    await expectAccessError(
      t.call('res.partner', 'search', [[]], {}, nobody),
      "You are not allowed to access 'Contact' (res.partner) records.\n\nThis operation is allowed for the following groups:\n\t- Contact/Creation\n\t- Role / Portal\n\t- Role / Public\n\t- Role / User\n\nContact your administrator to request access if necessary.",
    );
    await expectAccessError(t.call('res.users.apikeys.description', 'create', [{ name: 'k' }], {}, nobody));
  });

  it('admin may do everything on every model; each model has shipped access rights', async () => {
    const missing: string[] = [];
    for (const model of t.registry.models.values()) {
      if (model.abstract) continue;
      if (!ACCESS.some((a) => a[2] === model.name)) missing.push(model.name);
      expect(await t.call(model.name, 'check_access_rights', ['read'], { raise_exception: false }), model.name).to.equal(true);
    }
    expect(missing, 'models without ACL rows in models/base/security_data.ts').to.deep.equal([]);
    const p = await t.call('res.partner', 'create', [{ name: 'By admin' }]);
    await t.call('res.partner', 'write', [[p], { name: 'By admin 2' }]);
    await t.call('res.users', 'write', [[internal], { name: 'Internal (renamed)' }]);
    expect(await t.call('ir.config_parameter', 'search_count', [[]])).to.be.greaterThan(0);
    await t.call('res.partner', 'unlink', [[p]]);
    expect(await t.call('ir.model.access', 'group_names_with_access', ['res.partner', 'create'])).to.deep.equal(['Contact/Creation']);
  });

  it('rights follow group changes at once, in the same transaction too', async () => {
    await expectAccessError(t.call('res.partner', 'create', [{ name: 'Later' }], {}, internal));
    await t.call('res.users', 'write', [[internal], { group_ids: [[4, gid['base.group_partner_manager']]] }]);
    expect(await t.call('res.partner', 'create', [{ name: 'Now' }], {}, internal)).to.be.a('number');
    // Within one transaction: the admin grants, then the user acts.
    await t.registry.transaction({ uid: 2 }, async (env) => {
      const partners = env.withUser(marketer).model('res.partner');
      expect(await partners.call('check_access_rights', 'create', false)).to.equal(false);
      await env.model('res.users').browse([marketer]).write({ group_ids: [[4, gid['base.group_partner_manager']]] });
      expect(await partners.call('check_access_rights', 'create', false)).to.equal(true);
    });
    // An ACL row switched off stops granting.
    const [row] = await t.call('ir.model.access', 'search', [[['model_id.model', '=', 'res.partner'], ['group_id', '=', gid['base.group_partner_manager']]]]);
    await t.call('ir.model.access', 'write', [[row], { active: false }]);
    await expectAccessError(t.call('res.partner', 'create', [{ name: 'Off' }], {}, internal), /No group currently allows this operation\.|This operation is allowed/);
    await t.call('ir.model.access', 'write', [[row], { active: true }]);
  });

  it('the superuser and admin cannot be deleted; nobody deactivates themselves; copies get new logins', async () => {
    const [copy] = await t.call('res.users', 'copy', [[marketer]]);
    const [row] = await t.call('res.users', 'read', [[copy], ['login', 'name', 'partner_id', 'group_ids']]);
    const [orig] = await t.call('res.users', 'read', [[marketer], ['partner_id', 'group_ids']]);
    expect(row).to.deep.include({ login: 'marketer (copy)', name: 'Marketer (copy)', group_ids: orig.group_ids });
    expect(row.partner_id[0]).not.to.equal(orig.partner_id[0]);
    try {
      await t.call('res.users', 'unlink', [[2]]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal('You cannot delete the admin user because it is utilized in various places (such as security configurations,...). Instead, archive it.');
    }
    try {
      await t.call('res.users', 'unlink', [[1]]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.contain('You can not remove the admin user as it is used internally');
    }
    try {
      await t.call('res.users', 'write', [[2], { active: false }]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal("You cannot deactivate the user you're currently logged in as.");
    }
  });
});

// Access rights on public methods beyond CRUD, for a portal user and an internal user without
// marketing rights: system parameters, outgoing SMS actions, and the chatter (mail.message)
// of documents the user cannot read.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { installAccessChecker, xmlidToResId } from '../../models/base/ir_model_access.ts';
import { getParam } from '../../models/base/ir_config_parameter.ts';
import { testLogger } from '../helpers/db.ts';
import { configureSmsEngine } from '../../models/sms/dispatch.ts';
import { fastSettings, setBalance } from '../helpers/sms.ts';

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

const PARAM_READ = "You are not allowed to access 'System Parameter' (ir.config_parameter) records.\n\nThis operation is allowed for the following groups:\n\t- Role / Administrator\n\nContact your administrator to request access if necessary.";
const SMS_READ = "You are not allowed to access 'Outgoing SMS' (sms.sms) records.\n\nThis operation is allowed for the following groups:\n\t- Role / Administrator\n\nContact your administrator to request access if necessary.";
const SMS_WRITE = "You are not allowed to modify 'Outgoing SMS' (sms.sms) records.\n\nThis operation is allowed for the following groups:\n\t- Role / Administrator\n\nContact your administrator to request access if necessary.";

describe('base: access rights of public methods (portal and internal users)', () => {
  let t: TestRegistry;
  let portal: number;
  let internal: number;
  let marketer: number;
  let users: [string, number][];

  before(async () => {
    t = await testRegistry();
    installAccessChecker(t.registry);
    configureSmsEngine(t.registry, { logger: testLogger() });
    const gid = async (x: string) => (await t.env((env) => xmlidToResId(env, x, 'res.groups'))) as number;
    portal = await t.call('res.users', 'create', [{ name: 'Portal', login: 'portal', group_ids: [[6, 0, [await gid('base.group_portal')]]] }]);
    internal = await t.call('res.users', 'create', [{ name: 'Internal', login: 'internal' }]);
    marketer = await t.call('res.users', 'create', [{ name: 'Marketer', login: 'marketer', group_ids: [[6, 0, [await gid('mass_mailing.group_mass_mailing_user')]]] }]);
    users = [['portal', portal], ['internal', internal]];
  });
  after(async () => t.close());

  describe('ir.config_parameter: settings administrators only', () => {
    before(async () => {
      await t.call('ir.config_parameter', 'set_param', ['web.base.url', 'https://sms.example.com']);
    });

    it('get_param / set_param / CRUD are refused with Odoo\'s AccessError; nothing changes', async () => {
      for (const [who, uid] of users) {
        await expectAccessError(t.call('ir.config_parameter', 'get_param', ['database.uuid'], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'get_param', ['web.base.url'], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'set_param', ['web.base.url', `https://evil.example/${who}`], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'set_param', ['base.login_cooldown_after', '0'], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'set_param', ['sms.simulator_failure_mode', 'server_error'], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'set_param', [`new.key.${who}`, 'x'], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'set_param', ['web.base.url', false], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'search_read', [[], ['key', 'value']], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'search_count', [[]], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'read_group', [[], ['key'], ['key']], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'create', [{ key: `k.${who}`, value: 'v' }], {}, uid), /^You are not allowed to create 'System Parameter'/);
        const [id] = await t.call('ir.config_parameter', 'search', [[['key', '=', 'web.base.url']]]);
        await expectAccessError(t.call('ir.config_parameter', 'read', [[id], ['value']], {}, uid), PARAM_READ);
        await expectAccessError(t.call('ir.config_parameter', 'write', [[id], { value: 'x' }], {}, uid), /^You are not allowed to modify 'System Parameter'/);
        await expectAccessError(t.call('ir.config_parameter', 'unlink', [[id]], {}, uid), /^You are not allowed to delete 'System Parameter'/);
      }
      expect(await t.call('ir.config_parameter', 'get_param', ['web.base.url'])).to.equal('https://sms.example.com');
      expect(await t.call('ir.config_parameter', 'search', [[['key', 'like', 'new.key.']]])).to.deep.equal([]);
      expect(await t.call('ir.config_parameter', 'get_param', ['base.login_cooldown_after', 'unset'])).to.not.equal('0');
    });

    it('administrators read and write them; internal code still reads them', async () => {
      expect(await t.call('ir.config_parameter', 'set_param', ['test.key', 'one'])).to.equal(false);
      expect(await t.call('ir.config_parameter', 'set_param', ['test.key', 'two'])).to.equal('one');
      expect(await t.call('ir.config_parameter', 'get_param', ['test.key'])).to.equal('two');
      expect(await t.call('ir.config_parameter', 'get_param', ['missing.key', 'dflt'])).to.equal('dflt');
      expect(await t.call('ir.config_parameter', 'set_param', ['test.key', false])).to.equal('two');
      expect(await t.call('ir.config_parameter', 'get_param', ['test.key'])).to.equal(false);
      // as a portal user's request would need it (e.g. reading the base URL while rendering)
      expect(await t.registry.transaction({ uid: portal }, (env) => getParam(env, 'web.base.url'))).to.equal('https://sms.example.com');
    });
  });

  describe('sms.sms: only administrators make SMS go out', () => {
    let queued: number[];
    let failed: number;
    before(async () => {
      await fastSettings(t.registry, { sms_simulator_delivery_delay: 600_000 });
      await setBalance(t.registry, 1000);
      queued = await t.call('sms.sms', 'create', [[{ number: '+32470000011', body: 'Secret' }, { number: '+32470000012', body: 'Secret' }]]);
      failed = (await t.call('sms.sms', 'create', [[{ number: '+32470000013', body: 'Failed' }]]))[0];
      await t.call('sms.sms', 'action_set_error', [[failed], 'sms_server']);
    });
    const states = async () => (await t.call('sms.sms', 'read', [[...queued, failed], ['state']])).map((r: any) => r.state);

    it('send, resend_failed, action_set_* and estimate_cost are refused; no SMS changes', async () => {
      for (const [, uid] of users) {
        await expectAccessError(t.call('sms.sms', 'send', [queued], {}, uid), SMS_READ);
        await expectAccessError(t.call('sms.sms', 'send', [queued], { unlink_failed: true, unlink_sent: false, raise_exception: true }, uid), SMS_READ);
        await expectAccessError(t.call('sms.sms', 'resend_failed', [[failed]], {}, uid), SMS_READ);
        await expectAccessError(t.call('sms.sms', 'action_set_outgoing', [[failed]], {}, uid), SMS_WRITE);
        await expectAccessError(t.call('sms.sms', 'action_set_canceled', [queued], {}, uid), SMS_WRITE);
        await expectAccessError(t.call('sms.sms', 'action_set_error', [queued, 'sms_server'], {}, uid), SMS_WRITE);
        await expectAccessError(t.call('sms.sms', 'estimate_cost', [queued], {}, uid), SMS_READ);
        await expectAccessError(t.call('sms.sms', 'search_read', [[]], {}, uid), SMS_READ);
        await expectAccessError(t.call('sms.sms', 'create', [{ number: '+32470000014', body: 'x' }], {}, uid), /^You are not allowed to create 'Outgoing SMS'/);
        await expectAccessError(t.call('sms.sms', '_send', [queued], {}, uid), "Private methods (such as 'sms.sms._send') cannot be called remotely.");
        await expectAccessError(t.call('sms.sms', '_process_queue', [], {}, uid), "Private methods (such as 'sms.sms._process_queue') cannot be called remotely.");
      }
      expect(await states()).to.deep.equal(['outgoing', 'outgoing', 'error']);
      // calls on no record do nothing, for anyone (Odoo's filtered() on an empty recordset)
      expect(await t.call('sms.sms', 'send', [[]], {}, portal)).to.equal(null);
    });

    it('an administrator sends them', async () => {
      expect(await t.call('sms.sms', 'send', [queued])).to.equal(null);
      const rows = await t.call('sms.sms', 'read', [queued, ['state']]);
      expect(rows.map((r: any) => r.state)).to.deep.equal(['pending', 'pending']);
    });
  });

  describe('mail.message: the chatter follows access to its document', () => {
    let blacklist: number;
    let contact: number;
    let blMessages: number[];
    let contactNote: number;
    let contactComment: number;
    const MSG_ERROR = (ids: number[], op: string, uid: number) =>
      `The requested operation cannot be completed due to security restrictions. Please contact your system administrator.\n\n(Document type: Message, Operation: ${op})\n\nRecords: [${ids.join(', ')}], User: ${uid}`;

    before(async () => {
      blacklist = await t.call('phone.blacklist', 'create', [{ number: '+32470999999' }]);
      await t.call('phone.blacklist', 'message_post', [[blacklist]], { body: 'Blacklisted after a complaint' });
      blMessages = await t.call('mail.message', 'search', [[['model', '=', 'phone.blacklist'], ['res_id', '=', blacklist]]]);
      contact = await t.call('mailing.contact', 'create', [{ name: 'Contact', mobile: '+32470111111' }]);
      contactNote = await t.call('mailing.contact', 'message_post', [[contact]], { body: 'internal note', message_type: 'comment', subtype_xmlid: 'mail.mt_note' });
      contactComment = await t.call('mailing.contact', 'message_post', [[contact]], { body: 'public comment', message_type: 'comment', subtype_xmlid: 'mail.mt_comment' });
    });

    it('portal and internal users do not see the blacklist\'s chatter', async () => {
      expect(blMessages.length).to.be.greaterThan(1);
      for (const [, uid] of users) {
        expect(await t.call('mail.message', 'search', [[['model', '=', 'phone.blacklist']]], {}, uid)).to.deep.equal([]);
        const visible = await t.call('mail.message', 'search_read', [[], ['model', 'res_id', 'body']], {}, uid);
        // internal users read contacts, hence their chatter; portal users never see internal notes
        expect(visible.filter((m: any) => uid === portal || m.model !== 'res.partner')).to.deep.equal([]);
        expect(await t.call('mail.message', 'search_count', [[['res_id', '=', blacklist]]], {}, uid)).to.equal(0);
        const groups = await t.call('mail.message', 'read_group', [[], ['model'], ['model']], {}, uid);
        expect(groups.map((g: any) => g.model)).not.to.include('phone.blacklist');
        expect(await t.call('mail.message', 'name_search', ['', [['model', '=', 'phone.blacklist']]], {}, uid)).to.deep.equal([]);
        await expectAccessError(t.call('mail.message', 'read', [blMessages, ['body']], {}, uid), MSG_ERROR(blMessages.slice(0, 6), 'read', uid));
        await expectAccessError(t.call('mail.message', 'read', [[blMessages[0]]], {}, uid), MSG_ERROR([blMessages[0]], 'read', uid));
        await expectAccessError(t.call('mail.message', 'write', [[blMessages[0]], { body: 'defaced' }], {}, uid), MSG_ERROR([blMessages[0]], 'write', uid));
        await expectAccessError(t.call('mail.message', 'unlink', [[blMessages[0]]], {}, uid), MSG_ERROR([blMessages[0]], 'unlink', uid));
        await expectAccessError(t.call('mail.message', 'create', [{ model: 'phone.blacklist', res_id: blacklist, body: 'forged' }], {}, uid), /Document type: Message, Operation: create/);
      }
      const bodies = (await t.call('mail.message', 'read', [blMessages, ['body']])).map((r: any) => r.body);
      expect(bodies.join(' ')).to.include('Blacklisted after a complaint');
      expect(bodies.join(' ')).not.to.include('defaced');
      expect(await t.call('mail.message', 'search_count', [[['model', '=', 'phone.blacklist']]])).to.equal(blMessages.length);
    });

    it('a user who may read the document reads its chatter; its own private messages stay readable', async () => {
      const seen = await t.call('mail.message', 'search', [[['model', '=', 'mailing.contact'], ['res_id', '=', contact]]], {}, marketer);
      expect(seen).to.include.members([contactNote, contactComment]);
      expect(await t.call('mail.message', 'search', [[['model', '=', 'phone.blacklist']]], {}, marketer)).to.deep.equal([]);
      const [row] = await t.call('mailing.contact', 'read', [[contact], ['message_ids']], {}, marketer);
      expect(row.message_ids).to.include.members([contactNote, contactComment]);
      const groups = await t.call('mail.message', 'read_group', [[], ['model'], ['model']], {}, marketer);
      expect(groups.map((g: any) => g.model)).to.deep.equal(['mailing.contact', 'res.partner']);
      // portal users read contacts' public comments, not their internal notes (creation logs)
      const [{ partner_id: [partner] }] = await t.call('res.users', 'read', [[internal], ['partner_id']]);
      const comment = await t.call('res.partner', 'message_post', [[partner]], { body: 'hi all', message_type: 'comment', subtype_xmlid: 'mail.mt_comment' });
      const ofPartner = [['model', '=', 'res.partner'], ['res_id', '=', partner]];
      const partnerChatter = await t.call('mail.message', 'search', [ofPartner]);
      expect(partnerChatter.length).to.be.greaterThan(1);
      expect(await t.call('mail.message', 'search', [ofPartner], {}, portal)).to.deep.equal([comment]);
      expect(await t.call('mail.message', 'search', [ofPartner], {}, internal)).to.deep.equal(partnerChatter);
      await expectAccessError(t.call('mail.message', 'read', [partnerChatter.filter((id: number) => id !== comment), ['body']], {}, portal), /Operation: read/);
      // a private message (no document) of the portal user: readable by its author only
      const own = await t.call('mail.message', 'create', [{ body: 'hello', message_type: 'comment' }], {}, portal);
      expect((await t.call('mail.message', 'read', [[own], ['body']], {}, portal))[0].body).to.include('hello');
      await expectAccessError(t.call('mail.message', 'read', [[own], ['body']], {}, internal), MSG_ERROR([own], 'read', internal));
      // nor can it be moved into a document's chatter by its author
      await expectAccessError(t.call('mail.message', 'write', [[own], { model: 'phone.blacklist', res_id: blacklist }], {}, portal), "Only administrators can modify 'model' and 'res_id' fields.");
    });
  });
});

// Every public method of every served model, called over call_kw as a portal user and as an
// internal user without marketing rights, against Odoo 19's rules written down once below:
// the ACL rows of the two users per model (the addons' ir.model.access.csv) and, per method,
// which right it needs. A public method the table does not classify fails the test.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { modelId } from '../helpers/mass_mailing_sms.ts';
import { checkModelAccess, installAccessChecker, xmlidToResId } from '../../models/base/ir_model_access.ts';
import { generateApiKey } from '../../models/base/res_users_apikeys.ts';
import { callKw } from '../../models/orm/call_kw.ts';
import { sql } from '../../models/orm/sql.ts';

type Mode = 'read' | 'write' | 'create' | 'unlink';
/**
 * What a method needs: `any` (every user), a right on its own model, a right on another model
 * (`['write', 'phone.blacklist']`), `internal` (internal users only), `system` (settings administrators),
 * `none` (neither user, on the record the table calls it with).
 */
type Need = 'any' | 'internal' | 'system' | 'none' | Mode | [Mode, string];
/** Arguments after the ids of record methods; a function of the seeded records where needed. */
type Args = unknown[] | ((seeded: Seeded) => unknown[]);
interface Rule { need: Need; args?: Args }
const r = (need: Need, args?: Args): Rule => ({ need, args });
interface Seeded { list: number; code: string }

/** ir.model.access of Odoo 19 for [portal user, internal user], letters r w c d (d = unlink). */
const ACL: Record<string, [string, string]> = {
  'ir.model': ['', ''],
  'ir.model.data': ['', ''],
  'ir.config_parameter': ['', ''],
  'res.country': ['r', 'r'],
  'res.partner.category': ['', 'r'],
  'res.partner': ['r', 'r'],
  'res.company': ['r', 'r'],
  'res.groups.privilege': ['', 'r'],
  'res.groups': ['', 'r'],
  'res.users': ['r', 'r'],
  'res.users.apikeys': ['r', 'r'],
  'res.users.apikeys.description': ['rc', 'rc'],
  'ir.model.access': ['', ''],
  'ir.cron': ['', ''],
  'ir.cron.trigger': ['', ''],
  'res.config.settings': ['', ''],
  'ir.ui.view': ['', 'r'],
  'ir.actions.act_window': ['', 'r'],
  'ir.ui.menu': ['', 'r'],
  'ir.model.fields': ['', ''],
  'ir.actions.server': ['', ''],
  'mail.message.subtype': ['r', 'r'],
  'mail.message': ['rwcd', 'rwcd'],
  'mail.tracking.value': ['', ''],
  'utm.stage': ['', 'r'],
  'utm.tag': ['', 'r'],
  'utm.campaign': ['', 'rwc'],
  'utm.medium': ['', 'rwc'],
  'utm.source': ['', 'rwc'],
  'link.tracker': ['', 'r'],
  'link.tracker.code': ['', 'r'],
  'link.tracker.click': ['', 'r'],
  'phone.blacklist': ['', ''],
  'phone.blacklist.remove': ['', ''],
  'mailing.subscription.optout': ['', ''],
  'mailing.list': ['', ''],
  'mailing.contact': ['', ''],
  'mailing.subscription': ['', ''],
  'mailing.filter': ['', ''],
  'mailing.mailing': ['', ''],
  'mailing.trace': ['', ''],
  'mailing.mailing.schedule.date': ['', ''],
  'sms.sms': ['', ''],
  'sms.tracker': ['', ''],
  'sms.template': ['', 'r'],
  'sms.template.preview': ['', 'rwc'],
  'sms.template.reset': ['', 'rwcd'],
  'sms.composer': ['', 'rwc'],
  'sms.credit.price': ['', 'r'],
  'sms.credit.account': ['', ''],
  'mailing.sms.test': ['', ''],
  'sms.twilio.number': ['', ''],
  'sms.twilio.account.manage': ['', ''],
  'sms.inbound': ['', ''],
  'base.automation': ['', ''],
};

/** The ORM methods every model has (models/orm/methods.ts). */
const ORM: Record<string, Rule> = {
  search: r('read', [[]]),
  search_count: r('read', [[]]),
  search_read: r('read', [[], ['id']]),
  read: r('read', [['id']]),
  name_search: r('read', ['']),
  read_group: r('read', [[], ['id:count'], []]),
  formatted_read_group: r('read', [[]]),
  web_read_group: r('read', [[], []]),
  web_search_read: r('read', [[], { id: {} }]),
  web_read: r('read', [{ id: {} }]),
  get_metadata: r('read', []),
  copy_data: r('read', []),
  create: r('create', [{ name: 'Access table' }]),
  name_create: r('create', ['Access table']),
  copy: r('create', []),
  load: r('create', [[], [[]]]),
  write: r('write', [{}]),
  web_save: r('write', [{}, { id: {} }]),
  action_archive: r('write', []),
  action_unarchive: r('write', []),
  toggle_active: r('write', []),
  unlink: r('unlink', []),
  // what every user may ask: the model's shape, defaults, and its own rights
  get_views: r('any', [[[false, 'list']]]),
  get_view: r('any', []),
  fields_get: r('any', [['id']]),
  default_get: r('any', [['id']]),
  has_access: r('any', ['read']),
  check_access_rights: r('any', ['read', false]),
  check_access_rule: r('any', ['read']),
};

/** Methods a model adds (arguments after the ids of record methods). */
const METHODS: Record<string, Record<string, Rule>> = {
  'ir.model.data': { check_object_reference: r('any', ['base', 'group_system']) },
  'ir.config_parameter': { get_param: r('system', ['database.uuid']), set_param: r('system', ['web.base.url', 'https://evil.example']) },
  'res.partner': { phone_action_blacklist_remove: r(['write', 'phone.blacklist']), message_post: r('write') },
  'res.users': {
    context_get: r('any'),
    // another user's groups: internal users only (Odoo: "with your current user")
    has_group: r('internal', ['base.group_system']),
    has_groups: r('internal', ['base.group_system']),
    change_password: r('any', ['wrong', 'new-password-123']),
  },
  'res.users.apikeys': { remove: r('any') },
  // a message is deleted with write access on its document; a private message has none
  'mail.message': { unlink: r('none') },
  'utm.medium': { unlink: r('unlink') },
  'res.users.apikeys.description': { make_key: r('internal'), check_access_make_key: r('internal') },
  'ir.model.access': { group_names_with_access: r('any', ['res.partner', 'read']), check: r('any', ['res.partner', 'read', false]) },
  'ir.cron': { method_direct_trigger: r('write') },
  'res.config.settings': {
    action_open_sms_twilio_account_manage: r('any'),
    // the current settings are system parameters
    get_values: r('read'),
    default_get: r('read', [['sms_batch_size']]),
    set_values: r('write'),
    execute: r('write'),
  },
  'ir.ui.view': { default_view: r('any', ['res.partner', 'list']) },
  // the web client's menus are read from ir.ui.menu (none for a user without read access)
  'ir.ui.menu': { load_menus: r('read', [false]), load_web_menus: r('read', [false]) },
  'ir.actions.server': { run: r(['write', 'mailing.contact']) },
  'utm.campaign': { action_create_mass_sms: r('any'), action_redirect_to_mailing_sms: r('any') },
  'link.tracker': {
    create: r('create', [{ url: 'https://example.com/created' }]),
    // the name is the title: refused for its missing URL before any check, as in Odoo
    name_create: r('any', ['https://example.com/named']),
    search_or_create: r('create', [[{ url: 'https://example.com/access' }]]),
    get_url_from_code: r('any', ['abc']),
    recent_links: r('read', ['newest', 5]),
    action_visit_page: r('read'),
    action_view_statistics: r('any'),
  },
  'link.tracker.click': { add_click: r('create', (s) => [s.code]) },
  'phone.blacklist': {
    create: r('create', [{ number: '+32470999997' }]),
    name_create: r('create', ['+32470999996']),
    add: r('create', ['+32470999998']),
    remove: r('write', ['+32470999999']),
    action_add: r('create'),
    phone_action_blacklist_remove: r('read'),
    message_post: r('write'),
  },
  'phone.blacklist.remove': { action_unblacklist_apply: r('write') },
  'mailing.list': { action_send_mailing_sms: r('any') },
  'mailing.contact': { add_to_list: r('create', (s) => ['Someone <someone@example.com>', s.list]), phone_action_blacklist_remove: r(['write', 'phone.blacklist']), message_post: r('write') },
  'mailing.subscription': { open_mailing_contact: r('read') },
  'mailing.mailing': {
    ...Object.fromEntries([
      'action_retry_failed', 'action_retry_failed_sms', 'action_test', 'action_send_mail', 'action_send_sms', 'convert_links',
      'get_sms_link_replacements_placeholders', 'action_put_in_queue', 'action_launch', 'action_schedule', 'action_cancel',
      'action_duplicate', 'action_send_winner_mailing', 'action_select_as_winner', 'message_post',
    ].map((m) => [m, r('write')])),
    ...Object.fromEntries([
      'action_view_link_trackers', 'action_view_traces_scheduled', 'action_view_traces_canceled', 'action_view_traces_failed',
      'action_view_traces_process', 'action_view_traces_sent', 'action_view_clicked', 'action_view_opened', 'action_view_replied',
      'action_view_bounced', 'action_view_delivered', 'action_compare_versions',
    ].map((m) => [m, r('read')])),
    sms_body_info: r('any', ['Hello']),
    // reloads nothing: the form reloads itself
    action_reload: r('any'),
    create: r('create', [{ subject: 'Access table', mailing_type: 'sms', body_plaintext: 'Hi' }]),
  },
  'mailing.trace': {
    ...Object.fromEntries(['set_sent', 'set_opened', 'set_clicked', 'set_replied', 'set_bounced', 'set_failed', 'set_canceled'].map((m) => [m, r('write')])),
    action_view_contact: r('read'),
  },
  'mailing.mailing.schedule.date': { action_schedule_date: r('write') },
  'sms.sms': {
    send: r('read'),
    resend_failed: r('read'),
    estimate_cost: r('read'),
    action_set_canceled: r('write'),
    action_set_error: r('write', ['sms_server']),
    action_set_outgoing: r('write'),
  },
  'sms.template': {
    action_create_sidebar_action: r('system'),
    action_unlink_sidebar_action: r('system'),
    // template editors reset templates through the reset wizard
    reset_template: r(['write', 'sms.template.reset']),
  },
  'sms.template.reset': { reset_template: r('write') },
  'sms.composer': { action_send_sms: r('write'), action_send_sms_mass_now: r('write') },
  'sms.credit.account': { add_credits: r('write', [10]) },
  'mailing.sms.test': { action_send_sms: r('write') },
  'sms.twilio.number': { action_unlink: r('unlink') },
  'sms.twilio.account.manage': { action_reload_numbers: r('write'), action_send_test: r('write'), action_save: r('any') },
  'base.automation': { action_rotate_webhook_uuid: r('write') },
};

/** Where we are stricter than Odoo, on purpose. */
const DEVIATIONS = new Set([
  // menus hidden from a user (groups) are also unreadable to it; Odoo only filters them from search
  ...['read', 'web_read', 'copy_data', 'get_metadata'].map((m) => `ir.ui.menu.${m} as internal`),
  // a private message created over RPC has no author: its creator reads it but cannot edit it
  ...['write', 'web_save'].flatMap((m) => [`mail.message.${m} as portal`, `mail.message.${m} as internal`]),
]);

const LETTER: Record<Mode, string> = { read: 'r', write: 'w', create: 'c', unlink: 'd' };

class Rollback extends Error {}

/** Allowed (true) or refused with an AccessError (false); the call is always rolled back. */
async function allowed(t: TestRegistry, uid: number, model: string, method: string, args: unknown[]): Promise<{ ok: boolean | null; why: string }> {
  try {
    await t.registry.transaction({ uid }, async (env) => {
      const value: any = await callKw(env, model, method, args, {});
      // load() answers errors as messages, access errors included (Odoo's import)
      const refusal = method === 'load' && value?.messages?.find((m: any) => /^You are not allowed to/.test(m.message));
      if (refusal) throw Object.assign(new Error(refusal.message), { odooName: 'odoo.exceptions.AccessError' });
      // an import refused for its data created nothing: it says nothing about rights
      if (method === 'load' && value?.ids === false) throw Object.assign(new Error('inert'), { inert: true });
      throw new Rollback(JSON.stringify(value)?.slice(0, 120));
    });
  } catch (e: any) {
    if (e instanceof Rollback) return { ok: true, why: `answered ${e.message}` };
    if (e.inert) return { ok: null, why: '' };
    if (!e.odooName) throw e;
    // anything but an AccessError happened past the access checks (a business error, say)
    return { ok: e.odooName !== 'odoo.exceptions.AccessError', why: `${e.odooName}: ${String(e.message).split('\n')[0].slice(0, 120)}` };
  }
  return { ok: true, why: '' };
}

async function seed(t: TestRegistry, users: number[]): Promise<Seeded> {
  const contactModel = await modelId(t, 'mailing.contact');
  const contact = await t.call('mailing.contact', 'create', [{ name: 'Contact', mobile: '+32470111111' }]);
  const list = await t.call('mailing.list', 'create', [{ name: 'List', contact_ids: [[6, 0, [contact]]] }]);
  const campaign = await t.call('utm.campaign', 'create', [{ name: 'Campaign' }]);
  const mailing = await t.call('mailing.mailing', 'create', [{
    subject: 'M', mailing_type: 'sms', mailing_model_id: await modelId(t, 'mailing.list'), contact_list_ids: [[6, 0, [list]]],
    body_plaintext: 'Hi https://example.com/a', campaign_id: campaign,
  }]);
  const seeded: Seeded = { list, code: '' };
  const sms = await t.call('sms.sms', 'create', [{ number: '+32470000011', body: 'Secret', mailing_id: mailing }]);
  const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
  await t.env(async (env) => {
    const trace = await env.model('mailing.trace').create({ trace_type: 'sms', mass_mailing_id: mailing, model: 'mailing.contact', res_id: contact, sms_number: '+32470111111', sms_id_int: sms });
    await env.model('sms.tracker').create({ sms_uuid: 'abc', mailing_trace_id: trace.ids[0] });
    const link = await env.model('link.tracker').create({ url: 'https://example.com/a', mass_mailing_id: mailing });
    await env.model('link.tracker.click').create({ link_id: link.ids[0], mass_mailing_id: mailing });
    const [{ code }] = await env.cr.query<{ code: string }>(sql`SELECT code FROM link_tracker_code WHERE link_id = ${link.ids[0]}`);
    seeded.code = code;
    const [message] = (await env.model('mail.message').search([], { limit: 1 })).ids;
    await env.model('mail.tracking.value').create({ mail_message_id: message, field_name: 'name', field_type: 'char', old_value_char: 'a', new_value_char: 'b' });
    await env.model('sms.inbound').create({ message_sid: 'SM1', number: '+32470111111', body: 'STOP' });
  });
  await t.call('res.partner.category', 'create', [{ name: 'VIP' }]);
  await t.call('utm.tag', 'create', [{ name: 'Tag' }]);
  await t.call('phone.blacklist', 'create', [{ number: '+32470999999' }]);
  await t.call('phone.blacklist.remove', 'create', [{ phone: '+32470999999' }]);
  const template = await t.call('sms.template', 'create', [{ name: 'T', model_id: contactModel, body: 'Hello {{ object.name }}' }]);
  await t.call('sms.template.reset', 'create', [{ template_ids: [[6, 0, [template]]] }]);
  await t.call('sms.template.preview', 'create', [{ sms_template_id: template }]);
  await t.call('sms.composer', 'create', [{ composition_mode: 'numbers', numbers: '+32470200001', body: 'Flash sale' }]);
  await t.call('mailing.sms.test', 'create', [{ mailing_id: mailing, numbers: '+32470555002' }]);
  await t.call('mailing.mailing.schedule.date', 'create', [{ mass_mailing_id: mailing, schedule_date: '2099-01-01 10:00:00' }]);
  await t.call('sms.twilio.number', 'create', [{ number: '+3225550000', country_id: be }]);
  await t.call('sms.twilio.account.manage', 'create', [{}]);
  await t.call('ir.actions.server', 'create', [{ name: 'Update', model_id: contactModel, state: 'object_write' }]);
  await t.call('base.automation', 'create', [{ name: 'Hook', model_id: contactModel, trigger: 'on_webhook' }]);
  await t.call('res.config.settings', 'create', [{}]);
  await t.call('mailing.filter', 'create', [{ name: 'F', mailing_model_id: contactModel, mailing_domain: '[]' }]);
  await t.call('res.users.apikeys.description', 'create', [{ name: 'key' }]);
  await t.call('utm.medium', 'create', [{ name: 'Medium' }]);
  // what each user owns: a key, a private message; and a user nobody but administrators manage
  const expiry = new Date(Date.now() + 12 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  await t.call('res.users', 'create', [{ name: 'Target', login: 'target' }]);
  for (const uid of users) {
    await t.registry.transaction({ uid }, (env) => generateApiKey(env, null, 'own key', expiry));
    await t.call('mail.message', 'create', [{ body: 'own message', message_type: 'comment' }], {}, uid);
  }
  return seeded;
}

describe('base: the access table (every public method, portal and internal users)', () => {
  let t: TestRegistry;
  let users: { portal: number; internal: number };
  let seeded: Seeded;

  before(async () => {
    t = await testRegistry();
    installAccessChecker(t.registry);
    const gid = async (x: string) => (await t.env((env) => xmlidToResId(env, x, 'res.groups'))) as number;
    users = {
      portal: await t.call('res.users', 'create', [{ name: 'Portal', login: 'portal', group_ids: [[6, 0, [await gid('base.group_portal')]]] }]),
      internal: await t.call('res.users', 'create', [{ name: 'Internal', login: 'internal' }]),
    };
    seeded = await seed(t, [users.portal, users.internal]);
  });
  after(async () => t.close());

  const served = () => [...t.registry.models.values()].filter((m) => !m.abstract);
  const publicMethods = (m: ReturnType<typeof served>[number]) =>
    [...m.methods.entries()].filter(([name, spec]) => !name.startsWith('_') && name !== 'init' && !spec.private).map(([name]) => name);

  it('classifies every public method of every served model, and every served model\'s rights', () => {
    const unclassified: string[] = [];
    for (const m of served()) {
      if (!(m.name in ACL)) unclassified.push(`${m.name} (no ACL row in the table)`);
      for (const name of publicMethods(m)) if (!METHODS[m.name]?.[name] && !ORM[name]) unclassified.push(`${m.name}.${name}`);
    }
    expect(unclassified, 'public methods nobody classified: add them to the table with the right Odoo 19 requires').to.deep.equal([]);
    // no stale rows either
    const stale = Object.entries(METHODS).flatMap(([model, methods]) => Object.keys(methods).filter((name) => !t.registry.has(model) || !t.registry.get(model).methods.has(name)).map((n) => `${model}.${n}`));
    expect(stale).to.deep.equal([]);
  });

  it('the ACL rows of both users are Odoo\'s', async () => {
    const actual: Record<string, [string, string]> = {};
    for (const m of served()) {
      const row: string[] = [];
      for (const uid of [users.portal, users.internal]) {
        let s = '';
        for (const mode of ['read', 'write', 'create', 'unlink'] as Mode[]) {
          if (await t.registry.transaction({ uid }, (env) => checkModelAccess(env, m.name, mode, false))) s += LETTER[mode];
        }
        row.push(s);
      }
      actual[m.name] = row as [string, string];
    }
    expect(actual).to.deep.equal(ACL);
  });

  it('every method answers each user as the table says (and every call is rolled back)', async function () {
    this.timeout(300_000);
    const mismatches: string[] = [];
    let calls = 0;
    let inert = 0;
    for (const m of served()) {
      // the newest record the user may read, else the newest record (one it may not read)
      const newest = async (uid: number) => {
        const [mine] = await t.registry.transaction({ uid }, async (env) => (await env.model(m.name).withContext({ active_test: false }).search([], { limit: 1, order: 'id desc' })).ids).catch(() => []);
        if (mine !== undefined) return mine;
        return (await t.env(async (env) => (await env.model(m.name).withContext({ active_test: false }).search([], { limit: 1, order: 'id desc' })).ids))[0];
      };
      const record = { portal: await newest(users.portal), internal: await newest(users.internal) };
      const recName = m.recNameField ? m.fields.get(m.recNameField) : undefined;
      for (const name of publicMethods(m)) {
        const rule = METHODS[m.name]?.[name] ?? ORM[name];
        if (!rule) continue;
        const spec = m.methods.get(name)!;
        const extra = typeof rule.args === 'function' ? rule.args(seeded) : rule.args ?? [];
        for (const [who, uid] of Object.entries(users) as [keyof typeof users, number][]) {
          const args = [...(spec.api === 'record' ? [record[who] === undefined ? [] : [record[who]]] : []), ...extra];
          const userIndex = who === 'portal' ? 0 : 1;
          const [need, on] = Array.isArray(rule.need) ? rule.need : [rule.need, m.name];
          // archiving a model without an active field is an error for anyone, past no check
          const noActive = (['action_archive', 'action_unarchive', 'toggle_active'].includes(name) && !m.activeField)
            // nor does name_create create anything without a name field
            || (name === 'name_create' && recName?.type !== 'char');
          const expected = noActive || need === 'any' ? true
            : need === 'system' || need === 'none' ? false
              : need === 'internal' ? who === 'internal'
                : ACL[on][userIndex].includes(LETTER[need as Mode]);
          const got = await allowed(t, uid, m.name, name, args);
          calls++;
          if (got.ok === null) inert++;
          else if (!noActive && !DEVIATIONS.has(`${m.name}.${name} as ${who}`) && got.ok !== expected) mismatches.push(`${m.name}.${name} as ${who}: ${got.ok ? 'allowed' : 'refused'}, Odoo ${expected ? 'allows' : 'refuses'} (${got.why})`);
        }
      }
    }
    expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
    expect(calls).to.be.greaterThan(3000);
    expect(inert).to.be.lessThan(calls / 20);
  });
});

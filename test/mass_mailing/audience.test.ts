import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

const COUNTERS = ['contact_count', 'contact_count_email', 'contact_count_sms', 'contact_count_opt_out', 'contact_count_blacklisted',
  'contact_pct_opt_out', 'contact_pct_blacklisted', 'contact_pct_bounce'];

async function expectError(p: Promise<unknown>, name: string, message: string): Promise<void> {
  try {
    await p;
  } catch (e: any) {
    expect(e.odooName, e.message).to.equal(name);
    expect(e.message).to.equal(message);
    return;
  }
  expect.fail(`expected ${name}`);
}

describe('mass_mailing: lists, contacts, subscriptions', () => {
  let t: TestRegistry;
  let be: number;
  const listIds = async (contact: number) => (await t.call('mailing.contact', 'read', [[contact], ['list_ids']]))[0].list_ids.sort();
  const contactIds = async (list: number) => (await t.call('mailing.list', 'read', [[list], ['contact_ids']]))[0].contact_ids.sort();
  const subscription = async (list: number, contact: number) =>
    (await t.call('mailing.subscription', 'search_read', [[['list_id', '=', list], ['contact_id', '=', contact]], ['opt_out', 'opt_out_datetime', 'opt_out_reason_id']]))[0];
  const counters = async (list: number) => {
    const [row] = await t.call('mailing.list', 'read', [[list], COUNTERS]);
    delete row.id;
    return row;
  };

  before(async () => {
    t = await testRegistry();
    [be] = await t.call('res.country', 'search', [[['code', '=', 'BE']]]);
  });
  after(async () => t.close());

  it('ships the opt-out reasons and the Newsletter list of Odoo 19', async () => {
    const reasons = await t.call('mailing.subscription.optout', 'search_read', [[], ['name', 'sequence', 'is_feedback']]);
    expect(reasons.map((r: any) => [r.name, r.sequence, r.is_feedback])).to.deep.equal([
      ['I never subscribed to this list', 1, false],
      ['I changed my mind', 2, false],
      ['I receive too many emails from this list', 3, false],
      ['The content of these emails is not relevant to me', 4, false],
      ['Other', 99, true],
    ]);
    const [newsletter] = await t.call('mailing.list', 'search_read', [[['name', '=', 'Newsletter']], ['display_name', 'contact_count', 'is_public']]);
    expect(newsletter).to.include({ display_name: 'Newsletter (1)', contact_count: 1, is_public: true });
    const [sub] = await t.call('mailing.subscription', 'search_read', [[['list_id', '=', newsletter.id]], ['contact_id', 'display_name']]);
    expect(sub.display_name).to.equal('Administrator');
  });

  it('membership through x2many commands on both sides keeps opt-outs', async () => {
    const [l1, l2, l3] = await t.call('mailing.list', 'create', [[{ name: 'L1' }, { name: 'L2' }, { name: 'L3' }]]);
    const c1 = await t.call('mailing.contact', 'create', [{ name: 'One', list_ids: [[6, 0, [l1, l2]]] }]);
    const c2 = await t.call('mailing.contact', 'create', [{ name: 'Two', list_ids: [[4, l1]] }]);
    expect(await listIds(c1)).to.deep.equal([l1, l2].sort());
    expect(await contactIds(l1)).to.deep.equal([c1, c2].sort());
    // the m2m rows are mailing.subscription records
    const sub = await subscription(l1, c1);
    expect(sub.opt_out).to.equal(false);
    await t.call('mailing.subscription', 'write', [[sub.id], { opt_out: true }]);
    // SET keeps the kept subscription (and its opt-out), drops l2, adds l3
    await t.call('mailing.contact', 'write', [[c1], { list_ids: [[6, 0, [l1, l3]]] }]);
    expect(await listIds(c1)).to.deep.equal([l1, l3].sort());
    const kept = await subscription(l1, c1);
    expect(kept.id).to.equal(sub.id);
    expect(kept.opt_out).to.equal(true);
    // the same from the list side, with a bare id list
    await t.call('mailing.list', 'write', [[l1], { contact_ids: [c1] }]);
    expect(await contactIds(l1)).to.deep.equal([c1]);
    expect((await subscription(l1, c1)).opt_out).to.equal(true);
    await t.call('mailing.list', 'write', [[l1], { contact_ids: [[4, c2], [3, c1]] }]);
    expect(await contactIds(l1)).to.deep.equal([c2]);
    await t.call('mailing.list', 'write', [[l1], { contact_ids: [[0, 0, { name: 'Three' }]] }]);
    expect(await contactIds(l1)).to.have.length(2);
    await t.call('mailing.list', 'write', [[l1], { contact_ids: [[5]] }]);
    expect(await contactIds(l1)).to.deep.equal([]);
    // subscriptions through the one2many and the model itself
    await t.call('mailing.contact', 'write', [[c2], { subscription_ids: [[0, 0, { list_id: l2, opt_out: true }]] }]);
    expect(await listIds(c2)).to.deep.equal([l2]);
    const s2 = await subscription(l2, c2);
    expect(s2.opt_out).to.equal(true);
    await t.call('mailing.subscription', 'unlink', [[s2.id]]);
    expect(await listIds(c2)).to.deep.equal([]);
    await t.call('mailing.subscription', 'create', [{ contact_id: c2, list_id: l3 }]);
    expect(await contactIds(l3)).to.deep.equal([c1, c2].sort());
    // deleting a contact removes its subscriptions
    await t.call('mailing.contact', 'unlink', [[c2]]);
    expect(await contactIds(l3)).to.deep.equal([c1]);
  });

  it('a contact subscribes once per list; create needs list_ids or subscription_ids', async () => {
    const l = await t.call('mailing.list', 'create', [{ name: 'Unique' }]);
    const c = await t.call('mailing.contact', 'create', [{ name: 'Once', list_ids: [[4, l]] }]);
    await expectError(t.call('mailing.subscription', 'create', [{ contact_id: c, list_id: l }]), 'odoo.exceptions.ValidationError',
      'The operation cannot be completed: A mailing contact cannot subscribe to the same mailing list multiple times.');
    await expectError(t.call('mailing.contact', 'create', [{ name: 'Both', list_ids: [[4, l]], subscription_ids: [[0, 0, { list_id: l }]] }]), 'odoo.exceptions.UserError',
      'You should give either list_ids, either subscription_ids to create new contacts.');
    // lists of the calling screen (default_list_ids) become subscriptions, merged with given ones
    const l2 = await t.call('mailing.list', 'create', [{ name: 'Screen' }]);
    const c2 = await t.call('mailing.contact', 'create', [{ name: 'From screen', subscription_ids: [[0, 0, { list_id: l }]] }], { context: { default_list_ids: [l, l2] } });
    expect(await listIds(c2)).to.deep.equal([l, l2].sort());
    const defaults = await t.call('mailing.contact', 'default_get', [['subscription_ids']], { context: { default_list_ids: [l2] } });
    expect(defaults.subscription_ids).to.deep.equal([[0, 0, { list_id: l2 }]]);
  });

  it('opt-out per list with timestamp and reason; contact opt_out follows the list of the context', async () => {
    const [l1, l2] = await t.call('mailing.list', 'create', [[{ name: 'Opt 1' }, { name: 'Opt 2' }]]);
    const [a, b] = await t.call('mailing.contact', 'create', [[{ name: 'A', list_ids: [[6, 0, [l1, l2]]] }, { name: 'B', list_ids: [[6, 0, [l1]]] }]]);
    const sub = await subscription(l1, a);
    expect(sub.opt_out_datetime).to.equal(false);
    await t.call('mailing.subscription', 'write', [[sub.id], { opt_out: true }]);
    const opted = await subscription(l1, a);
    expect(opted.opt_out_datetime).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await t.call('mailing.subscription', 'write', [[sub.id], { opt_out: false }]);
    expect((await subscription(l1, a)).opt_out_datetime).to.equal(false);
    // a reason or a date means opted out
    const [reason] = await t.call('mailing.subscription.optout', 'search', [[['name', '=', 'Other']]]);
    await t.call('mailing.subscription', 'write', [[sub.id], { opt_out_reason_id: reason }]);
    expect(await subscription(l1, a)).to.deep.include({ opt_out: true, opt_out_reason_id: [reason, 'Other'] });
    const subB = await subscription(l1, b);
    await t.call('mailing.subscription', 'write', [[subB.id], { opt_out: true, opt_out_datetime: '2024-01-02 03:04:05' }]);
    expect((await subscription(l1, b)).opt_out_datetime).to.equal('2024-01-02 03:04:05');
    await t.call('mailing.subscription', 'write', [[subB.id], { opt_out: false }]);
    // contact.opt_out is about the single list of default_list_ids
    const read = (lists: number[] | undefined) => t.call('mailing.contact', 'read', [[a, b], ['opt_out']], { context: lists ? { default_list_ids: lists } : {} });
    expect((await read([l1])).map((r: any) => r.opt_out)).to.deep.equal([true, false]);
    expect((await read([l2])).map((r: any) => r.opt_out)).to.deep.equal([false, false]);
    expect((await read(undefined)).map((r: any) => r.opt_out)).to.deep.equal([false, false]);
    const search = (op: string, v: boolean, lists?: number[]) =>
      t.call('mailing.contact', 'search', [[['id', 'in', [a, b]], ['opt_out', op, v]]], { order: 'id', context: lists ? { default_list_ids: lists } : {} });
    expect(await search('=', true, [l1])).to.deep.equal([a]);
    expect(await search('=', false, [l1])).to.deep.equal([b]);
    expect(await search('!=', true, [l1])).to.deep.equal([b]);
    expect(await search('=', true)).to.deep.equal([]);
    expect(await search('=', false)).to.deep.equal([a, b].sort((x, y) => x - y));
  });

  it('counters agree with the data: opt-outs, blacklist, SMS and email reachability', async () => {
    await t.call('ir.config_parameter', 'set_param', ['phone_validation.default_country', 'BE']);
    const list = await t.call('mailing.list', 'create', [{ name: 'Counted' }]);
    expect(await counters(list)).to.deep.equal({
      contact_count: 0, contact_count_email: 0, contact_count_sms: 0, contact_count_opt_out: 0, contact_count_blacklisted: 0,
      contact_pct_opt_out: 0, contact_pct_blacklisted: 0, contact_pct_bounce: 0,
    });
    const [ok, blocked, optout, nomobile] = await t.call('mailing.contact', 'create', [[
      { name: 'Ok', mobile: '0480 00 00 01', email: 'OK@Example.com', list_ids: [[4, list]] },
      { name: 'Blocked', mobile: '+32 480 00 00 02', list_ids: [[4, list]] },
      { name: 'Optout', mobile: '0480000003', email: 'o@example.com', list_ids: [[4, list]] },
      { name: 'No mobile', email: 'n@example.com', message_bounce: 2, list_ids: [[4, list]] },
    ]]);
    const [okRow] = await t.call('mailing.contact', 'read', [[ok], ['phone_sanitized', 'email_normalized']]);
    expect(okRow).to.deep.include({ phone_sanitized: '+32480000001', email_normalized: 'ok@example.com' });
    expect(await counters(list)).to.deep.include({ contact_count: 4, contact_count_sms: 3, contact_count_email: 3, contact_pct_bounce: 25 });
    // opt-out
    const sub = await subscription(list, optout);
    await t.call('mailing.subscription', 'write', [[sub.id], { opt_out: true }]);
    expect(await counters(list)).to.deep.equal({
      contact_count: 4, contact_count_email: 2, contact_count_sms: 2, contact_count_opt_out: 1, contact_count_blacklisted: 0,
      contact_pct_opt_out: 25, contact_pct_blacklisted: 0, contact_pct_bounce: 25,
    });
    // blacklisting (by a non-sanitised number)
    await t.call('phone.blacklist', 'add', [[], '0480 00 00 02']);
    expect(await counters(list)).to.deep.equal({
      contact_count: 4, contact_count_email: 2, contact_count_sms: 1, contact_count_opt_out: 1, contact_count_blacklisted: 1,
      contact_pct_opt_out: 25, contact_pct_blacklisted: 25, contact_pct_bounce: 25,
    });
    const [blockedRow] = await t.call('mailing.contact', 'read', [[blocked], ['phone_sanitized_blacklisted', 'phone_blacklisted', 'is_blacklisted']]);
    expect(blockedRow).to.deep.include({ phone_sanitized_blacklisted: true, phone_blacklisted: false, is_blacklisted: false });
    expect(await t.call('mailing.contact', 'search', [[['id', 'in', [ok, blocked, optout, nomobile]], ['phone_sanitized_blacklisted', '=', true]]])).to.deep.equal([blocked]);
    // leaving the list
    await t.call('mailing.list', 'write', [[list], { contact_ids: [[3, nomobile]] }]);
    expect(await counters(list)).to.deep.include({ contact_count: 3, contact_count_email: 1, contact_pct_bounce: 0 });
    const [named] = await t.call('mailing.list', 'read', [[list], ['display_name']]);
    expect(named.display_name).to.equal('Counted (3)');
    // several lists in one read: one aggregate query for the batch
    const other = await t.call('mailing.list', 'create', [{ name: 'Other', contact_ids: [[6, 0, [ok]]] }]);
    const both = await t.call('mailing.list', 'read', [[list, other], ['contact_count', 'contact_count_sms']]);
    expect(both.map((r: any) => [r.contact_count, r.contact_count_sms])).to.deep.equal([[3, 1], [1, 1]]);
  });

  it('contacts: names, mobile sanitisation, invalid numbers flagged', async () => {
    const [a, b, c] = await t.call('mailing.contact', 'create', [[
      { first_name: 'Ada', last_name: 'Lovelace', mobile: '0456 12 34 56', country_id: be, list_ids: [] },
      { name: 'Kept', mobile: '0456 12' },
      { name: 'French', mobile: '+33 6 12 34 56 78' },
    ]]);
    const rows = await t.call('mailing.contact', 'read', [[a, b, c], ['name', 'mobile', 'phone_sanitized']]);
    expect(rows.map((r: any) => [r.name, r.mobile, r.phone_sanitized])).to.deep.equal([
      ['Ada Lovelace', '0456 12 34 56', '+32456123456'],
      ['Kept', '0456 12', false],
      ['French', '+33 6 12 34 56 78', '+33612345678'],
    ]);
    await t.call('mailing.contact', 'write', [[a], { last_name: 'King' }]);
    expect((await t.call('mailing.contact', 'read', [[a], ['name']]))[0].name).to.equal('Ada King');
    // name changes are tracked in the contact's chatter
    const [tracked] = await t.call('mail.message', 'search_read', [[['model', '=', 'mailing.contact'], ['res_id', '=', a]], ['tracking_value_ids']], { limit: 1 });
    const [tv] = await t.call('mail.tracking.value', 'read', [tracked.tracking_value_ids, ['field_name', 'old_value_char', 'new_value_char']]);
    expect(tv).to.deep.include({ field_name: 'name', old_value_char: 'Ada Lovelace', new_value_char: 'Ada King' });
    // default order: name ASC, id DESC
    const ordered = await t.call('mailing.contact', 'search', [[['id', 'in', [a, b, c]]]]);
    expect(ordered).to.deep.equal([a, c, b]);
    // name_create / add_to_list parse "Name <email>"
    const [nc, ncName] = await t.call('mailing.contact', 'name_create', ['Raoul <Raoul@Grosbedon.fr>']);
    expect(ncName).to.equal('Raoul');
    expect((await t.call('mailing.contact', 'read', [[nc], ['email', 'email_normalized']]))[0]).to.deep.include({ email: 'raoul@grosbedon.fr' });
    const l = await t.call('mailing.list', 'create', [{ name: 'Added' }]);
    const [added] = await t.call('mailing.contact', 'add_to_list', ['Zoe zoe@example.com', l]);
    expect(await listIds(added)).to.deep.equal([l]);
    // tags are partner categories
    const tag = await t.call('res.partner.category', 'create', [{ name: 'VIP' }]);
    await t.call('mailing.contact', 'write', [[c], { tag_ids: [[4, tag]] }]);
    expect(await t.call('mailing.contact', 'search', [[['tag_ids', 'in', [tag]]]])).to.deep.equal([c]);
  });

  it('copying a list copies its subscriptions', async () => {
    const l = await t.call('mailing.list', 'create', [{ name: 'Source' }]);
    const [x, y] = await t.call('mailing.contact', 'create', [[{ name: 'X', list_ids: [[4, l]] }, { name: 'Y', list_ids: [[4, l]] }]]);
    await t.call('mailing.subscription', 'write', [[(await subscription(l, y)).id], { opt_out: true }]);
    const copy = await t.call('mailing.list', 'copy', [[l]]);
    const [row] = await t.call('mailing.list', 'read', [copy, ['name', 'contact_ids', 'contact_count_opt_out']]);
    expect(row.name).to.equal('Source (copy)');
    expect(row.contact_ids.sort()).to.deep.equal([x, y].sort());
    expect(row.contact_count_opt_out).to.equal(1);
  });
});

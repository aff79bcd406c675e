import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

const PARAM = 'phone_validation.default_country';

async function expectError(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<any> {
  try {
    await p;
  } catch (e: any) {
    expect(e.odooName, e.message).to.equal(name);
    if (typeof message === 'string') expect(e.message).to.equal(message);
    else if (message) expect(e.message).to.match(message);
    return e;
  }
  expect.fail(`expected ${name}`);
}

describe('phone_validation: phone.blacklist', () => {
  let t: TestRegistry;
  let savedEnv: string | undefined;
  const numberOf = async (id: number) => (await t.call('phone.blacklist', 'read', [[id], ['number', 'active']], { context: { active_test: false } }))[0];
  // messages of a blacklist entry, newest first, with their tracking values
  const history = async (id: number) => {
    const msgs = await t.call('mail.message', 'search_read', [[['model', '=', 'phone.blacklist'], ['res_id', '=', id]], ['body', 'message_type', 'author_id', 'tracking_value_ids', 'date', 'subtype_id']]);
    for (const m of msgs) {
      m.tracking = m.tracking_value_ids.length
        ? await t.call('mail.tracking.value', 'read', [m.tracking_value_ids, ['field_name', 'field_desc', 'old_value_integer', 'new_value_integer', 'old_value_char', 'new_value_char']])
        : [];
    }
    return msgs;
  };

  before(async () => {
    savedEnv = process.env.DEFAULT_COUNTRY;
    delete process.env.DEFAULT_COUNTRY;
    t = await testRegistry();
    await t.call('ir.config_parameter', 'set_param', [PARAM, 'BE']);
  });
  after(async () => {
    if (savedEnv !== undefined) process.env.DEFAULT_COUNTRY = savedEnv;
    await t.close();
  });

  it('fields match Odoo 19', async () => {
    const fields = await t.call('phone.blacklist', 'fields_get', [], { attributes: ['type', 'string', 'required', 'store'] });
    expect(fields.number).to.deep.equal({ type: 'char', string: 'Phone Number', required: true, store: true });
    expect(fields.active).to.deep.equal({ type: 'boolean', string: 'Active', required: false, store: true });
    expect(fields.message_ids).to.include({ type: 'one2many', store: true });
  });

  it('create sanitises with the default country and refuses invalid numbers', async () => {
    const id = await t.call('phone.blacklist', 'create', [{ number: '0456 12 34 56' }]);
    expect((await numberOf(id)).number).to.equal('+32456123456');
    await expectError(t.call('phone.blacklist', 'create', [{ number: 'abc' }]), 'odoo.exceptions.UserError',
      /^Unable to parse abc: .+ Please correct the number and try again\.$/);
    await expectError(t.call('phone.blacklist', 'create', [{ number: '0456 12' }]), 'odoo.exceptions.UserError',
      / Please correct the number and try again\.$/);
  });

  it('create de-duplicates and returns existing + created records in request order', async () => {
    const [a] = await t.call('phone.blacklist', 'create', [[{ number: '+32 470 11 11 11' }]]);
    const ids = await t.call('phone.blacklist', 'create', [[{ number: '0470 22 22 22' }, { number: '0470111111' }, { number: '+32470222222' }]]);
    expect(ids).to.have.length(2);
    expect(ids[1]).to.equal(a);
    expect((await numberOf(ids[0])).number).to.equal('+32470222222');
    expect(await t.call('phone.blacklist', 'search_count', [[['number', 'in', ['+32470111111', '+32470222222']]]])).to.equal(2);
    // creating an active number again returns it, without a second row
    expect(await t.call('phone.blacklist', 'create', [{ number: '0470/11.11.11' }])).to.equal(a);
  });

  it('searching `number` sanitises the searched value', async () => {
    const id = await t.call('phone.blacklist', 'create', [{ number: '+32 471 33 33 33' }]);
    expect(await t.call('phone.blacklist', 'search', [[['number', '=', '0471 33 33 33']]])).to.deep.equal([id]);
    expect(await t.call('phone.blacklist', 'search', [[['number', 'in', ['0471/33.33.33', 'garbage']]]])).to.deep.equal([id]);
    expect(await t.call('phone.blacklist', 'search_count', [[['number', '=', '0471 33 33 33']]])).to.equal(1);
    expect(await t.call('phone.blacklist', 'search_read', [[['number', '=', '0471333333']], ['number']])).to.deep.equal([{ id, number: '+32471333333' }]);
  });

  it('write sanitises; duplicates hit the unique constraint', async () => {
    const [a, b] = await t.call('phone.blacklist', 'create', [[{ number: '+32472000001' }, { number: '+32472000002' }]]);
    await t.call('phone.blacklist', 'write', [[a], { number: '0472 00 00 03' }]);
    expect((await numberOf(a)).number).to.equal('+32472000003');
    await expectError(t.call('phone.blacklist', 'write', [[a], { number: 'nope' }]), 'odoo.exceptions.UserError', / Please correct the number and try again\.$/);
    await expectError(t.call('phone.blacklist', 'write', [[a], { number: '0472000002' }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: Number already exists');
    void b;
  });

  it('re-adding an archived number reactivates it (unless active=False is asked)', async () => {
    const id = await t.call('phone.blacklist', 'create', [{ number: '+32473000001' }]);
    await t.call('phone.blacklist', 'action_archive', [[id]]);
    expect((await numberOf(id)).active).to.equal(false);
    expect(await t.call('phone.blacklist', 'create', [{ number: '0473 00 00 01', active: false }])).to.equal(id);
    expect((await numberOf(id)).active).to.equal(false);
    expect(await t.call('phone.blacklist', 'create', [{ number: '0473 00 00 01' }])).to.equal(id);
    expect((await numberOf(id)).active).to.equal(true);
    const [reactivation, archive] = await history(id);
    expect(reactivation.tracking).to.have.length(1);
    expect(reactivation.tracking[0]).to.include({ field_name: 'active', old_value_integer: 0, new_value_integer: 1 });
    expect(archive.tracking[0]).to.include({ field_name: 'active', old_value_integer: 1, new_value_integer: 0 });
    expect(await t.call('phone.blacklist', 'action_unarchive', [[id]])).to.equal(true);
  });

  it('add / remove with a message: who, when and why are in the history', async () => {
    const ids = await t.call('phone.blacklist', 'add', [[], '0474 55 66 77'], { message: 'Asked by phone <STOP>' });
    expect(ids).to.have.length(1);
    const id = ids[0];
    expect(await numberOf(id)).to.include({ number: '+32474556677', active: true });
    let msgs = await history(id);
    // newest first: the note with the reason, then the creation log
    expect(msgs.map((m: any) => m.body)).to.deep.equal(['<p>Asked by phone &lt;STOP&gt;</p>', '<p>Phone Blacklist created</p>']);
    expect(msgs[0].author_id[0]).to.equal(3);
    expect(msgs[0].date).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // adding an active number again changes nothing and logs nothing
    expect(await t.call('phone.blacklist', 'add', [[], '+32474556677'], { message: 'again' })).to.deep.equal([id]);
    expect(await history(id)).to.have.length(2);

    expect(await t.call('phone.blacklist', 'remove', [[], '+32 474 55 66 77', 'Customer changed mind'])).to.deep.equal([id]);
    expect((await numberOf(id)).active).to.equal(false);
    msgs = await history(id);
    expect(msgs).to.have.length(3);
    expect(msgs[0].body).to.equal('<p>Customer changed mind</p>');
    expect(msgs[0].message_type).to.equal('notification');
    expect(msgs[0].tracking).to.have.length(1);
    expect(msgs[0].tracking[0]).to.include({ field_name: 'active', field_desc: 'Active', old_value_integer: 1, new_value_integer: 0 });
    // message_ids of the record lists the same messages
    const [rec] = await t.call('phone.blacklist', 'read', [[id], ['message_ids', 'has_message']], { context: { active_test: false } });
    expect(rec.message_ids).to.deep.equal(msgs.map((m: any) => m.id));
    expect(rec.has_message).to.equal(true);
    await expectError(t.call('phone.blacklist', 'add', [[], '12']), 'odoo.exceptions.UserError', / Please correct the number and try again\.$/);
  });

  it('remove of an unknown number records it archived', async () => {
    const [id] = await t.call('phone.blacklist', 'remove', [[], '0475 12 12 12'], { message: 'never blacklisted' });
    expect(await numberOf(id)).to.include({ number: '+32475121212', active: false });
    const msgs = await history(id);
    expect(msgs.map((m: any) => m.body)).to.deep.equal(['<p>never blacklisted</p>', '<p>Phone Blacklist created</p>']);
  });

  it('unblacklist through the wizard, with the reason in the history', async () => {
    const [id] = await t.call('phone.blacklist', 'add', [[], '+32476000001']);
    const action = await t.call('phone.blacklist', 'phone_action_blacklist_remove', [[id]]);
    expect(action).to.deep.equal({
      name: 'Are you sure you want to unblacklist this Phone Number?', type: 'ir.actions.act_window', view_mode: 'form', res_model: 'phone.blacklist.remove', target: 'new',
    });
    const wizard = await t.call('phone.blacklist.remove', 'create', [{ reason: 'Opted in again & happy' }], { context: { default_phone: '+32476000001' } });
    const res = await t.call('phone.blacklist.remove', 'action_unblacklist_apply', [[wizard]]);
    expect(res).to.deep.equal([id]);
    expect((await numberOf(id)).active).to.equal(false);
    const [last] = await history(id);
    expect(last.body).to.equal('<p>Unblock Reason: Opted in again &amp; happy</p>');
    expect(last.tracking[0]).to.include({ field_name: 'active', old_value_integer: 1, new_value_integer: 0 });
    expect(last.subtype_id[1]).to.equal('Note');
    // without reason: archived, tracking message without body
    const [id2] = await t.call('phone.blacklist', 'add', [[], '+32476000002']);
    const w2 = await t.call('phone.blacklist.remove', 'create', [{ phone: '0476 00 00 02' }]);
    await t.call('phone.blacklist.remove', 'action_unblacklist_apply', [[w2]]);
    const [last2] = await history(id2);
    expect(last2.body).to.equal('');
    expect(last2.tracking[0]).to.include({ field_name: 'active', new_value_integer: 0 });
    // tracking of the number itself
    await t.call('phone.blacklist', 'write', [[id2], { number: '+32476000003' }]);
    const [numberChange] = await history(id2);
    expect(numberChange.tracking[0]).to.include({ field_name: 'number', old_value_char: '+32476000002', new_value_char: '+32476000003' });
  });

  it('action_add blacklists the number of the record', async () => {
    const [id] = await t.call('phone.blacklist', 'remove', [[], '+32477000001']);
    expect((await numberOf(id)).active).to.equal(false);
    await t.call('phone.blacklist', 'action_add', [[id]]);
    expect((await numberOf(id)).active).to.equal(true);
  });
});

describe('phone_validation: phone.blacklist add / remove are record methods (Odoo 19)', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
    await t.call('ir.config_parameter', 'set_param', [PARAM, 'BE']);
  });
  after(async () => t.close());

  it('take the ids first over RPC (usually []), then number and message, by position or by name', async () => {
    const [id] = await t.call('phone.blacklist', 'add', [[], '0471 00 00 01', 'by position']);
    expect((await t.call('phone.blacklist', 'read', [[id], ['number', 'active']]))[0]).to.include({ number: '+32471000001', active: true });
    expect(await t.call('phone.blacklist', 'remove', [[], '+32471000001'], { message: 'by name' })).to.deep.equal([id]);
    expect((await t.call('phone.blacklist', 'read', [[id], ['active']], { context: { active_test: false } }))[0].active).to.equal(false);
    // the ids given are not what is blacklisted: the number is
    const [other] = await t.call('phone.blacklist', 'add', [[id], '0471 00 00 02']);
    expect(other).to.not.equal(id);
    expect((await t.call('phone.blacklist', 'read', [[id], ['active']], { context: { active_test: false } }))[0].active).to.equal(false);
  });

  it('called like a model method, nothing is blacklisted', async () => {
    await expectError(t.call('phone.blacklist', 'add', ['+32471000003']), 'builtins.TypeError', 'Invalid ids: "+32471000003"');
    await expectError(t.call('phone.blacklist', 'add', [[]]), 'builtins.TypeError', "phone.blacklist.add() missing 1 required positional argument: 'number'");
    expect(await t.call('phone.blacklist', 'search_count', [[['number', '=', '+32471000003']]], { context: { active_test: false } })).to.equal(0);
  });
});

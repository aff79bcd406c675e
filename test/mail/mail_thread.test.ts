import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('mail: chatter (mail.thread, mail.message, tracking)', () => {
  let t: TestRegistry;
  const messages = (model: string, id: number, fields = ['body', 'message_type', 'tracking_value_ids', 'is_internal', 'subtype_id', 'author_id', 'record_name']) =>
    t.call('mail.message', 'search_read', [[['model', '=', model], ['res_id', '=', id]], fields]);

  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('creation is logged; message_post returns the id of a readable message', async () => {
    const id = await t.call('phone.blacklist', 'create', [{ number: '+32456000001' }]);
    const [created] = await messages('phone.blacklist', id);
    expect(created).to.deep.include({ body: '<p>Phone Blacklist created</p>', message_type: 'notification', is_internal: true, record_name: '+32456000001' });
    expect(created.author_id).to.deep.equal([3, 'Administrator']);
    const msgId = await t.call('phone.blacklist', 'message_post', [[id]], { body: 'Hello <b>world</b>' });
    expect(msgId).to.be.a('number');
    const html = await t.call('phone.blacklist', 'message_post', [[id]], { body: '<p>Already <b>html</b></p>', body_is_html: true, message_type: 'comment', subtype_xmlid: 'mail.mt_comment' });
    const msgs = await messages('phone.blacklist', id);
    expect(msgs.map((m: any) => m.id)).to.deep.equal([html, msgId, created.id]);
    expect(msgs[1].body).to.equal('<p>Hello &lt;b&gt;world&lt;/b&gt;</p>');
    expect(msgs[1].subtype_id[1]).to.equal('Note');
    expect(msgs[0]).to.deep.include({ body: '<p>Already <b>html</b></p>', message_type: 'comment' });
    expect(msgs[0].subtype_id[1]).to.equal('Discussions');
    const [rec] = await t.call('phone.blacklist', 'read', [[id], ['message_ids']]);
    expect(rec.message_ids).to.deep.equal([html, msgId, created.id]);
    try {
      await t.call('phone.blacklist', 'message_post', [[id]], { body: 'x', message_type: 'bogus' });
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('builtins.ValueError');
    }
  });

  it('tracking: one message per record and transaction, with typed old/new values', async () => {
    const [a, b] = await t.call('phone.blacklist', 'create', [[{ number: '+32456000011' }, { number: '+32456000012' }]]);
    // two writes in one transaction: one message per record
    await t.env(async (env) => {
      const recs = env.model('phone.blacklist').browse([a, b]);
      await recs.write({ active: false });
      await env.model('phone.blacklist').browse([a]).write({ number: '+32456000013' });
    });
    const [ma] = await messages('phone.blacklist', a);
    const tvs = await t.call('mail.tracking.value', 'read', [ma.tracking_value_ids, ['field_name', 'field_desc', 'field_type', 'field_info', 'old_value_char', 'new_value_char', 'old_value_integer', 'new_value_integer', 'mail_message_id']]);
    expect(tvs.map((v: any) => v.field_name).sort()).to.deep.equal(['active', 'number']);
    const num = tvs.find((v: any) => v.field_name === 'number');
    expect(num).to.deep.include({ field_desc: 'Phone Number', field_type: 'char', old_value_char: '+32456000011', new_value_char: '+32456000013' });
    expect(num.field_info).to.deep.equal({ name: 'number', desc: 'Phone Number', type: 'char' });
    expect(num.mail_message_id[0]).to.equal(ma.id);
    const act = tvs.find((v: any) => v.field_name === 'active');
    expect(act).to.deep.include({ old_value_integer: 1, new_value_integer: 0 });
    expect((await messages('phone.blacklist', b)).length).to.equal(2);
    // a write back to the initial value within the same transaction logs nothing
    await t.env(async (env) => {
      const rec = env.model('phone.blacklist').browse([b]);
      await rec.write({ active: true });
      await rec.write({ active: false });
    });
    expect((await messages('phone.blacklist', b)).length).to.equal(2);
    // created and written in the same transaction: only the creation log (Odoo's _track_discard)
    const c = await t.env(async (env) => {
      const rec = await env.model('phone.blacklist').create({ number: '+32456000014' });
      await rec.write({ active: false });
      return rec.ids[0];
    });
    expect((await messages('phone.blacklist', c)).map((m: any) => m.body)).to.deep.equal(['<p>Phone Blacklist created</p>']);
  });

  it('contexts tracking_disable / mail_create_nolog; unlink deletes the chatter', async () => {
    const quiet = await t.call('phone.blacklist', 'create', [{ number: '+32456000021' }], { context: { tracking_disable: true } });
    expect(await messages('phone.blacklist', quiet)).to.deep.equal([]);
    const nolog = await t.call('phone.blacklist', 'create', [{ number: '+32456000022' }], { context: { mail_create_nolog: true } });
    expect(await messages('phone.blacklist', nolog)).to.deep.equal([]);
    await t.call('phone.blacklist', 'write', [[quiet], { active: false }], { context: { mail_notrack: true } });
    expect(await messages('phone.blacklist', quiet)).to.deep.equal([]);
    const id = await t.call('phone.blacklist', 'create', [{ number: '+32456000023' }]);
    const [msg] = await messages('phone.blacklist', id);
    await t.call('phone.blacklist', 'unlink', [[id]]);
    expect(await t.call('mail.message', 'search', [[['id', '=', msg.id]]])).to.deep.equal([]);
  });

  it('message_ids and has_message are searchable, per model', async () => {
    const [a, b] = await t.call('phone.blacklist', 'create', [[{ number: '+32456000031' }, { number: '+32456000032' }]], { context: { mail_create_nolog: true } });
    await t.call('phone.blacklist', 'message_post', [[b]], { body: 'note' });
    // a message of another model with the same res_id as `a` must not count for `a`
    await t.env(async (env) => env.model('mail.message').create({ model: 'res.partner', res_id: a, body: '<p>note elsewhere</p>' }));
    const mine = [a, b];
    const search = (domain: unknown[]) => t.call('phone.blacklist', 'search', [[['id', 'in', mine], ...domain]], { order: 'id' });
    expect(await search([['message_ids', '!=', false]])).to.deep.equal([b]);
    expect(await search([['message_ids', '=', false]])).to.deep.equal([a]);
    expect(await search([['has_message', '=', true]])).to.deep.equal([b]);
    expect(await search([['has_message', '=', false]])).to.deep.equal([a]);
    expect(await search([['message_ids', 'any', [['body', 'ilike', 'note']]]])).to.deep.equal([b]);
    expect(await search([['message_ids', 'not any', [['body', 'ilike', 'note']]]])).to.deep.equal([a]);
    const [msg] = await messages('phone.blacklist', b);
    expect(await search([['message_ids', 'in', [msg.id]]])).to.deep.equal([b]);
    const fields = await t.call('phone.blacklist', 'fields_get', [['message_ids']], { attributes: ['type', 'relation', 'relation_field', 'store', 'searchable'] });
    expect(fields.message_ids).to.deep.equal({ type: 'one2many', relation: 'mail.message', relation_field: 'res_id', store: true, searchable: true });
  });
});

// Automation rules sending SMS templates, driven over XML-RPC as an integration would: rules on
// creation (with a list filter), on a date field (the cron), on a webhook; a failing rule rolls
// the change back; the send-SMS wizard in numbers and comment modes.

import { expect } from 'chai';
import request from 'supertest';
import { rpcTestApp, xmlrpc, executeKw, ADMIN_PASSWORD, type RpcTestApp } from '../helpers/rpc.ts';
import { testLogger } from '../helpers/db.ts';
import { configureSmsEngine } from '../../models/sms/dispatch.ts';
import { fastSettings, setBalance } from '../helpers/sms.ts';

describe('base_automation: rules sending SMS, over XML-RPC', () => {
  let t: RpcTestApp;
  let contactModelId: number;
  let listX: number;
  let listY: number;
  let template: number;

  /** execute_kw over XML-RPC as admin: the value, or throws with the fault string. */
  async function kw(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<any> {
    const res = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, 2, ADMIN_PASSWORD, model, method, args, kwargs]);
    if (res.fault) throw new Error(res.fault.faultString);
    return res.value;
  }

  async function smsOf(numbers: string[]): Promise<{ number: string; body: string; state: string; mail_message_id: number | null }[]> {
    const { rows } = await t.registry.pool.query(`SELECT number, body, state, mail_message_id FROM sms_sms WHERE number = ANY($1::varchar[]) ORDER BY id`, [numbers]);
    return rows;
  }

  before(async () => {
    t = await rpcTestApp();
    configureSmsEngine(t.registry, { logger: testLogger() });
    await fastSettings(t.registry, { sms_simulator_delivery_delay: 600_000 });
    await setBalance(t.registry, 1000);
    [{ id: contactModelId }] = await kw('ir.model', 'search_read', [[['model', '=', 'mailing.contact']]], { fields: ['id'] });
    listX = await kw('mailing.list', 'create', [{ name: 'Newsletter X' }]);
    listY = await kw('mailing.list', 'create', [{ name: 'Newsletter Y' }]);
    template = await kw('sms.template', 'create', [{ name: 'Welcome', model_id: contactModelId, body: 'Hello {{ object.name }}' }]);
  });
  after(async () => t.close());

  it('on create of a contact in list X: one SMS per new contact, rendered with its name; none for list Y', async () => {
    const rule = await kw('base.automation', 'create', [{
      name: 'Welcome SMS on new contact', model_id: contactModelId, trigger: 'on_create', filter_domain: `[('list_ids', 'in', [${listX}])]`,
      action_server_ids: [[0, 0, { name: 'Send welcome SMS', model_id: contactModelId, state: 'sms', sms_template_id: template, sms_method: 'sms' }]],
    }]);
    const [action] = await kw('ir.actions.server', 'search_read', [[['base_automation_id', '=', rule]]], { fields: ['usage', 'state', 'sms_method', 'warning'] });
    expect(action).to.include({ usage: 'base_automation', state: 'sms', sms_method: 'sms', warning: false });

    await kw('mailing.contact', 'create', [[
      { name: 'Alice', mobile: '+32470100001', list_ids: [[6, 0, [listX]]] },
      { name: 'Bob', mobile: '+32470100002', list_ids: [[6, 0, [listY]]] },
      { name: 'Carol', mobile: '+32470100003', list_ids: [[6, 0, [listX]]] },
    ]]);
    const sent = await smsOf(['+32470100001', '+32470100002', '+32470100003']);
    expect(sent.map((s) => [s.number, s.body, s.state])).to.deep.equal([
      ['+32470100001', 'Hello Alice', 'outgoing'],
      ['+32470100003', 'Hello Carol', 'outgoing'],
    ]);
    await kw('base.automation', 'write', [[rule], { active: false }]);
  });

  it('a rule whose action has a warning makes the create fail, and nothing is created', async () => {
    const [{ id: partnerModelId }] = await kw('ir.model', 'search_read', [[['model', '=', 'res.partner']]], { fields: ['id'] });
    const rule = await kw('base.automation', 'create', [{
      name: 'Broken rule', model_id: contactModelId, trigger: 'on_create',
      action_server_ids: [[0, 0, { name: 'Send welcome SMS', model_id: contactModelId, state: 'sms', sms_template_id: template }]],
    }]);
    const [action] = await kw('ir.actions.server', 'search', [[['base_automation_id', '=', rule]]]);
    await kw('ir.actions.server', 'write', [[action], { model_id: partnerModelId }]);
    const [{ warning }] = await kw('ir.actions.server', 'read', [[action], ['warning']]);
    expect(warning).to.equal('SMS template model of Send welcome SMS does not match action model.\n\nModel of action Send welcome SMS should match the one from automated rule Broken rule.');
    let error = '';
    try {
      await kw('mailing.contact', 'create', [{ name: 'Dora', mobile: '+32470100004' }]);
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).to.equal('Server action Send welcome SMS has one or more warnings, address them first.');
    // Odoo's exception class, as JSON-RPC clients see it (capture r2-base-automation-sms-part2).
    const body = await executeKw(t, 'mailing.contact', 'create', [{ name: 'Dora', mobile: '+32470100004' }]);
    expect(body.error.data.name).to.equal('odoo.addons.base.models.ir_actions.ServerActionWithWarningsError');
    expect(await kw('mailing.contact', 'search_count', [[['name', '=', 'Dora']]])).to.equal(0);
    await kw('base.automation', 'unlink', [[rule]]);
  });

  it('2 days after create_date: exactly one SMS when the cron runs, none on the next run', async () => {
    const [{ id: createDate }] = await kw('ir.model.fields', 'search_read', [[['model', '=', 'mailing.contact'], ['name', '=', 'create_date']]], { fields: ['id'] });
    const rule = await kw('base.automation', 'create', [{
      name: 'Reminder', model_id: contactModelId, trigger: 'on_time', trg_date_id: createDate, trg_date_range: 2, trg_date_range_type: 'day',
      filter_domain: `[('list_ids', 'in', [${listY}])]`,
      action_server_ids: [[0, 0, { name: 'Send reminder', model_id: contactModelId, state: 'sms', sms_template_id: template }]],
    }]);
    const old = await kw('mailing.contact', 'create', [{ name: 'Erin', mobile: '+32470100005', list_ids: [[6, 0, [listY]]] }]);
    await kw('mailing.contact', 'create', [{ name: 'Fred', mobile: '+32470100006', list_ids: [[6, 0, [listY]]] }]);
    // Erin joined three days ago (the date a real import would have kept).
    await t.registry.pool.query(`UPDATE mailing_contact SET create_date = create_date - interval '3 days' WHERE id = $1`, [old]);
    const [cron] = await kw('ir.model.data', 'search_read', [[['module', '=', 'base_automation'], ['name', '=', 'ir_cron_data_base_automation_check']]], { fields: ['res_id'] });
    const [{ active }] = await kw('ir.cron', 'read', [[cron.res_id], ['active']]);
    expect(active).to.equal(true);

    await kw('ir.cron', 'method_direct_trigger', [[cron.res_id]]);
    expect((await smsOf(['+32470100005', '+32470100006'])).map((s) => [s.number, s.body])).to.deep.equal([['+32470100005', 'Hello Erin']]);
    const [{ last_run }] = await kw('base.automation', 'read', [[rule], ['last_run']]);
    expect(last_run).to.be.a('string');

    await kw('ir.cron', 'method_direct_trigger', [[cron.res_id]]);
    expect(await smsOf(['+32470100005', '+32470100006'])).to.have.length(1);
    await kw('base.automation', 'write', [[rule], { active: false }]);
  });

  it('a webhook call with a record id runs the rule; an unknown uuid is a 404', async () => {
    const rule = await kw('base.automation', 'create', [{
      name: 'Hooked', model_id: contactModelId, trigger: 'on_webhook',
      action_server_ids: [[0, 0, { name: 'Send on hook', model_id: contactModelId, state: 'sms', sms_template_id: template }]],
    }]);
    const [{ webhook_uuid, url }] = await kw('base.automation', 'read', [[rule], ['webhook_uuid', 'url']]);
    expect(url).to.match(new RegExp(`/web/hook/${webhook_uuid}$`));
    const contact = await kw('mailing.contact', 'create', [{ name: 'Gina', mobile: '+32470100007' }]);
    expect(await smsOf(['+32470100007'])).to.have.length(0);

    const ok = await request(t.app).post(`/web/hook/${webhook_uuid}`).set('Content-Type', 'application/json').send(JSON.stringify({ _model: 'mailing.contact', _id: contact }));
    expect([ok.status, ok.body]).to.deep.equal([200, { status: 'ok' }]);
    expect((await smsOf(['+32470100007'])).map((s) => s.body)).to.deep.equal(['Hello Gina']);

    const missing = await request(t.app).post(`/web/hook/${webhook_uuid}`).set('Content-Type', 'application/json').send(JSON.stringify({ _model: 'mailing.contact', _id: 999999 }));
    expect([missing.status, missing.body]).to.deep.equal([500, { status: 'error' }]);
    const unknown = await request(t.app).post('/web/hook/00000000-0000-0000-0000-000000000000').send('{}');
    expect([unknown.status, unknown.body]).to.deep.equal([404, { status: 'error' }]);
  });

  it('the composer in numbers mode sends to three numbers and refuses an invalid one with Odoo\'s message', async () => {
    const composer = await kw('sms.composer', 'create', [{ composition_mode: 'numbers', numbers: '+32470200001, +32470200002,+32470200003', body: 'Flash sale' }]);
    expect(await kw('sms.composer', 'action_send_sms', [[composer]])).to.equal(false);
    const sent = await smsOf(['+32470200001', '+32470200002', '+32470200003']);
    expect(sent.map((s) => [s.number, s.body, s.state])).to.deep.equal([
      ['+32470200001', 'Flash sale', 'pending'], ['+32470200002', 'Flash sale', 'pending'], ['+32470200003', 'Flash sale', 'pending'],
    ]);

    const bad = await kw('sms.composer', 'create', [{ composition_mode: 'numbers', numbers: '+32470200004,not a number', body: 'Flash sale' }]);
    let error = '';
    try {
      await kw('sms.composer', 'action_send_sms', [[bad]]);
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).to.equal("Following numbers are not correctly encoded: ['not a number']");
    expect(await smsOf(['+32470200004'])).to.have.length(0);
  });

  it('the composer in comment mode posts the SMS on the chatter; a corrected number is written back', async () => {
    const contact = await kw('mailing.contact', 'create', [{ name: 'Hugo', mobile: '0470 30 00 01' }]);
    const composer = await kw('sms.composer', 'create', [{ composition_mode: 'comment', res_model: 'mailing.contact', res_id: contact, template_id: template }], { context: {} });
    const [wizard] = await kw('sms.composer', 'read', [[composer], ['body', 'comment_single_recipient', 'recipient_single_number_itf', 'recipient_single_valid']]);
    expect(wizard).to.include({ body: 'Hello Hugo', comment_single_recipient: true, recipient_single_number_itf: '0470 30 00 01', recipient_single_valid: false });
    let error = '';
    try {
      await kw('sms.composer', 'action_send_sms', [[composer]]);
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).to.equal('Invalid recipient number. Please update it.');

    await kw('sms.composer', 'write', [[composer], { recipient_single_number_itf: '+32470300001' }]);
    await kw('sms.composer', 'action_send_sms', [[composer]]);
    const [{ mobile }] = await kw('mailing.contact', 'read', [[contact], ['mobile']]);
    expect(mobile).to.equal('+32470300001');
    const messages = await kw('mail.message', 'search_read', [[['model', '=', 'mailing.contact'], ['res_id', '=', contact], ['message_type', '=', 'sms']]], { fields: ['body'] });
    expect(messages.map((m: any) => m.body)).to.deep.equal(['<p>Hello Hugo</p>']);
    const sent = await smsOf(['+32470300001']);
    expect(sent.map((s) => [s.body, s.mail_message_id])).to.deep.equal([['Hello Hugo', messages[0].id]]);
  });
});

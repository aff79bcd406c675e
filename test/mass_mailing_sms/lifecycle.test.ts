// Mailing lifecycle: queue, schedule, cancel, retry, duplicate, direct sending, test SMS.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { sql } from '../../models/orm/sql.ts';
import { modelId, partnerMailing, smsOf, tracesByRes } from '../helpers/mass_mailing_sms.ts';

const future = () => new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');

describe('mass_mailing_sms: mailing lifecycle', () => {
  let t: TestRegistry;
  let partners: number[];
  const read = async (id: number, fields: string[]) => (await t.call('mailing.mailing', 'read', [[id], fields]))[0];
  const processQueue = () => t.env((env) => env.model('mailing.mailing').call('_process_mass_mailing_queue'));

  before(async () => {
    t = await testRegistry();
    partners = await t.call('res.partner', 'create', [Array.from({ length: 3 }, (_, i) => ({ name: `Life ${i}`, phone: `+32 471 00 00 0${i}` }))]);
  });
  after(async () => t.close());

  it('launch → in_queue → (queue) sending with traces; nothing left → done', async () => {
    const id = await partnerMailing(t, partners, 'Queued');
    await t.call('mailing.mailing', 'action_launch', [[id]]);
    expect(await read(id, ['state', 'schedule_type', 'next_departure_is_past'])).to.include({ state: 'in_queue', schedule_type: 'now' });
    const triggers = await t.env((env) => env.cr.query(sql`SELECT t.id FROM ir_cron_trigger t JOIN ir_model_data d ON d.res_id = t.cron_id AND d.model = 'ir.cron' WHERE d.name = 'ir_cron_mass_mailing_queue'`));
    expect(triggers.length).to.be.greaterThan(0);
    await processQueue();
    const m = await read(id, ['state', 'expected', 'scheduled', 'calendar_date']);
    expect(m).to.include({ state: 'sending', expected: 3, scheduled: 3 });
    expect(m.calendar_date).to.be.a('string');
    // Next run: every recipient has a trace → done (KPI mail required on first completion).
    await processQueue();
    const done = await read(id, ['state', 'sent_date', 'kpi_mail_required']);
    expect(done.state).to.equal('done');
    expect(done.sent_date).to.be.a('string');
    expect(done.kpi_mail_required).to.equal(true);
  });

  it('a queued mailing whose recipients are all cancelled ends as soon as it is prepared', async () => {
    const [nobody] = await t.call('res.partner', 'create', [[{ name: 'No phone' }]]);
    const id = await partnerMailing(t, [nobody], 'Nobody');
    await t.call('mailing.mailing', 'action_put_in_queue', [[id]]);
    await processQueue();
    expect(await read(id, ['state', 'expected', 'canceled'])).to.include({ state: 'done', expected: 1, canceled: 1 });
  });

  it('schedule: a future date queues it for that date; none opens the date dialog', async () => {
    const id = await partnerMailing(t, partners, 'Later');
    const action = await t.call('mailing.mailing', 'action_schedule', [[id]]);
    expect(action).to.include({ type: 'ir.actions.act_window', res_model: 'mailing.mailing.schedule.date', target: 'new' });
    expect(action.context).to.include({ default_mass_mailing_id: id, dialog_size: 'medium' });
    const when = future();
    const wizard = await t.call('mailing.mailing.schedule.date', 'create', [{ mass_mailing_id: id, schedule_date: when }]);
    await t.call('mailing.mailing.schedule.date', 'action_schedule_date', [[wizard]]);
    expect(await read(id, ['state', 'schedule_type', 'schedule_date', 'calendar_date'])).to.include({ state: 'in_queue', schedule_type: 'scheduled', schedule_date: when, calendar_date: when });
    // Not due: the queue leaves it alone.
    await processQueue();
    expect((await read(id, ['state'])).state).to.equal('in_queue');
    // A future date already on the mailing: action_schedule queues directly.
    const id2 = await partnerMailing(t, partners, 'Later 2', { schedule_type: 'scheduled', schedule_date: when });
    expect(await t.call('mailing.mailing', 'action_schedule', [[id2]])).to.equal(null);
    expect((await read(id2, ['state'])).state).to.equal('in_queue');
    // Cancel: back to draft, sent "now" when launched again.
    await t.call('mailing.mailing', 'action_cancel', [[id]]);
    expect(await read(id, ['state', 'schedule_type', 'schedule_date'])).to.include({ state: 'draft', schedule_type: 'now', schedule_date: false });
  });

  it('schedule_date is dropped when the schedule type becomes "now"', async () => {
    const id = await partnerMailing(t, partners, 'Now', { schedule_type: 'scheduled', schedule_date: future() });
    await t.call('mailing.mailing', 'write', [[id], { schedule_type: 'now' }]);
    expect((await read(id, ['schedule_date'])).schedule_date).to.equal(false);
  });

  it('retry failed: failed SMS and their traces are removed and sent again', async () => {
    const id = await partnerMailing(t, partners, 'Retry');
    await t.call('mailing.mailing', 'action_send_sms', [[id]]);
    const [first] = await smsOf(t, id);
    await t.env((env) => env.cr.execute(sql`UPDATE sms_sms SET state = 'error', failure_type = 'sms_server' WHERE id = ${first.id}`));
    await t.call('mailing.mailing', 'action_retry_failed', [[id]]);
    expect((await read(id, ['state'])).state).to.equal('in_queue');
    expect((await tracesByRes(t, id)).size).to.equal(2);
    await processQueue();
    expect((await tracesByRes(t, id)).size).to.equal(3);
    expect(await smsOf(t, id)).to.have.length(3);
  });

  it('duplicate: same content and lists, new source name, draft', async () => {
    const [l] = await t.call('mailing.list', 'create', [[{ name: 'Dup list' }]]);
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'Original', mailing_type: 'sms', contact_list_ids: [[6, 0, [l]]], body_plaintext: 'Body', state: 'done' }]);
    const action = await t.call('mailing.mailing', 'action_duplicate', [[id]]);
    expect(action).to.include({ type: 'ir.actions.act_window', res_model: 'mailing.mailing', view_mode: 'form' });
    const [orig, copy] = await t.call('mailing.mailing', 'read', [[id, action.res_id], ['name', 'subject', 'contact_list_ids', 'body_plaintext', 'state', 'mailing_type', 'source_id']]);
    expect(copy).to.include({ subject: 'Original', body_plaintext: 'Body', state: 'draft', mailing_type: 'sms', name: `${orig.name} [2]` });
    expect(copy.contact_list_ids).to.deep.equal([l]);
    expect(copy.source_id[0]).to.not.equal(orig.source_id[0]);
  });

  it('send directly: SMS are handed to the engine when the call commits', async () => {
    const id = await partnerMailing(t, partners, 'Direct', { sms_force_send: true });
    await t.call('mailing.mailing', 'action_send_sms', [[id]]);
    const sms = await t.call('sms.sms', 'search_read', [[['mailing_id', '=', id]], ['state']]);
    // Whatever the provider answered, no SMS is still waiting in the queue.
    expect(sms.every((s: { state: string }) => s.state !== 'outgoing')).to.equal(true);
    const traces = [...(await tracesByRes(t, id)).values()];
    expect(traces.every((x) => x.trace_status !== 'outgoing')).to.equal(true);
    // As in Odoo, the provider's answer ends the mailing right away (even one never queued).
    expect((await read(id, ['state'])).state).to.equal('done');
  });

  it('test SMS: one per valid line; invalid lines are reported', async () => {
    const id = await partnerMailing(t, partners, 'Test {{ object.name }}');
    // one number per line (CRLF too); a number twice gets two SMS
    const numbers = '+32 470 12 34 56\r\nabcd\n\n0470 12 34 58\n+32470123456\n';
    const wizard = await t.call('mailing.sms.test', 'create', [{ mailing_id: id, numbers }]);
    const before = await t.call('sms.sms', 'search', [[]]);
    expect(await t.call('mailing.sms.test', 'action_send_sms', [[wizard]])).to.equal(true);
    const created = await t.call('sms.sms', 'search_read', [[['id', 'not in', before]], ['number', 'body']], { order: 'id' });
    // '0470 12 34 58' has no country to read it with (the admin has none, nor has the company)
    expect(created.map((s: { number: string }) => s.number)).to.deep.equal(['+32470123456', '+32470123456']);
    expect(created[0].body).to.match(/^Test /);
    const notes = await t.call('mail.message', 'search_read', [[['model', '=', 'mailing.mailing'], ['res_id', '=', id]], ['body']], { order: 'id desc', limit: 1 });
    expect(notes[0].body).to.equal(
      '<ul><li>The following numbers are not correctly encoded: abcd, 0470 12 34 58</li>'
      + '<li>Test SMS queued for sending to +32470123456</li><li>Test SMS queued for sending to +32470123456</li></ul>',
    );
    // The next wizard proposes the same numbers.
    expect((await t.call('mailing.sms.test', 'default_get', [['numbers']])).numbers).to.equal(numbers);
  });

  it('list "Send SMS" action opens an SMS mailing on the list', async () => {
    const [l] = await t.call('mailing.list', 'create', [[{ name: 'Action list' }]]);
    const action = await t.call('mailing.list', 'action_send_mailing_sms', [[l]]);
    expect(action).to.include({ type: 'ir.actions.act_window', res_model: 'mailing.mailing', target: 'current' });
    expect(action.context).to.deep.equal({ default_contact_list_ids: [l], default_model_id: await modelId(t, 'mailing.list'), default_mailing_type: 'sms' });
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'From list' }], { context: action.context });
    expect(await read(id, ['mailing_type', 'contact_list_ids', 'mailing_domain', 'medium_id'])).to.deep.include({ mailing_type: 'sms', contact_list_ids: [l], mailing_domain: `[('list_ids', 'in', [${l}])]` });
    expect((await t.call('mailing.list', 'read', [[l], ['mailing_ids', 'mailing_count']]))[0]).to.deep.include({ mailing_ids: [id], mailing_count: 1 });
  });
});

// SMS outcomes reach traces through the SMS state hook; mailing statistics and state follow.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { SMS_STATE_HOOKS, type SmsStateUpdate } from '../../models/sms/hooks.ts';
import { propagateSmsStates } from '../../models/mass_mailing_sms/sms_tracker.ts';
import { partnerMailing, smsOf, tracesByRes } from '../helpers/mass_mailing_sms.ts';

describe('mass_mailing_sms: SMS states → traces → statistics', () => {
  let t: TestRegistry;
  let mailing: number;
  let partners: number[];
  let sms: Awaited<ReturnType<typeof smsOf>>;
  const hook = (updates: Partial<SmsStateUpdate>[]) =>
    t.env(async (env) => {
      for (const h of SMS_STATE_HOOKS) await h(env, updates.map((u) => ({ failureType: null, uuid: '', ...u }) as SmsStateUpdate));
    });
  const stats = async () => (await t.call('mailing.mailing', 'read', [[mailing], ['state', 'expected', 'scheduled', 'pending', 'sent', 'delivered', 'failed', 'bounced', 'canceled', 'process', 'received_ratio', 'bounced_ratio', 'opened_ratio', 'clicks_ratio', 'sms_has_insufficient_credit', 'sms_has_unregistered_account', 'sent_date', 'kpi_mail_required']]))[0];
  const trace = async (i: number) => (await tracesByRes(t, mailing)).get(partners[i])!;

  before(async () => {
    t = await testRegistry();
    partners = await t.call('res.partner', 'create', [Array.from({ length: 5 }, (_, i) => ({ name: `Stat ${i}`, phone: `+32 472 00 00 0${i}` })).concat([{ name: 'Stat no phone' } as any])]);
    mailing = await partnerMailing(t, partners, 'Stats');
    await t.call('mailing.mailing', 'action_launch', [[mailing]]);
    await t.env((env) => env.model('mailing.mailing').call('_process_mass_mailing_queue'));
    const byRes = await tracesByRes(t, mailing);
    const all = await smsOf(t, mailing);
    const byId = new Map(all.map((s) => [s.id, s]));
    sms = partners.slice(0, 5).map((p) => byId.get(byRes.get(p)!.sms_id_int)!);
  });
  after(async () => t.close());

  it('the hook is registered for the sending engine', () => {
    expect(SMS_STATE_HOOKS).to.include(propagateSmsStates);
  });

  it('a mailing being sent shows its progress', async () => {
    expect(await stats()).to.include({ state: 'sending', expected: 6, scheduled: 5, canceled: 1, pending: 0, sent: 0, delivered: 0, received_ratio: 0, sms_has_insufficient_credit: false, sms_has_unregistered_account: false });
    await hook([{ smsId: sms[0].id, uuid: sms[0].uuid, state: 'process' }, { smsId: sms[1].id, uuid: sms[1].uuid, state: 'process' }]);
    expect(await stats()).to.include({ state: 'sending', scheduled: 3, process: 0 });
    expect(await trace(0)).to.include({ trace_status: 'process' });
  });

  it('provider answers move traces forward; a late report never moves them back', async () => {
    await hook([{ smsId: sms[0].id, uuid: sms[0].uuid, state: 'pending' }, { smsId: sms[1].id, uuid: sms[1].uuid, state: 'sent' }]);
    expect((await trace(0)).trace_status).to.equal('pending');
    expect((await trace(1)).trace_status).to.equal('sent');
    // `pending` after `sent` is ignored (monotonic guard).
    await hook([{ smsId: sms[1].id, uuid: sms[1].uuid, state: 'pending' }]);
    expect((await trace(1)).trace_status).to.equal('sent');
    const rows = await t.call('mailing.trace', 'read', [[(await trace(0)).id, (await trace(1)).id, (await trace(2)).id], ['sent_datetime']]);
    expect(rows[0].sent_datetime).to.be.a('string');
    expect(rows[1].sent_datetime).to.be.a('string');
    expect(rows[2].sent_datetime).to.equal(false);
  });

  it('Odoo rule: once no trace is processing, the mailing is done (outgoing ones may remain)', async () => {
    const s = await stats();
    expect(s).to.include({ state: 'done', scheduled: 3, pending: 1, sent: 2, delivered: 1, kpi_mail_required: true });
    expect(s.sent_date).to.be.a('string');
    // received = delivered / (expected - canceled) = 1 / 5
    expect(s.received_ratio).to.equal(20);
  });

  it('each reported SMS gets its tracker (uuid → trace)', async () => {
    await hook([{ smsId: sms[2].id, uuid: sms[2].uuid, state: 'process' }, { smsId: sms[3].id, uuid: sms[3].uuid, state: 'process' }, { smsId: sms[4].id, uuid: sms[4].uuid, state: 'process' }]);
    const traces = await tracesByRes(t, mailing);
    const trackers = await t.call('sms.tracker', 'search_read', [[['sms_uuid', 'in', sms.map((s) => s.uuid)]], ['sms_uuid', 'mailing_trace_id']]);
    expect(trackers).to.have.length(5);
    for (const [i, s] of sms.entries()) {
      const tr = trackers.find((x: { sms_uuid: string }) => x.sms_uuid === s.uuid);
      expect(tr.mailing_trace_id[0]).to.equal(traces.get(partners[i])!.id);
    }
    const [withTracker] = await t.call('sms.sms', 'read', [[sms[0].id], ['sms_tracker_id']]);
    expect(withTracker.sms_tracker_id).to.be.an('array');
    expect((await stats()).state).to.equal('sending');
  });

  it('failures, bounces and IAP flags', async () => {
    await hook([
      { smsId: sms[2].id, uuid: sms[2].uuid, state: 'error', failureType: 'sms_credit', failureReason: 'no credit' },
      { smsId: sms[3].id, uuid: sms[3].uuid, state: 'error', failureType: 'sms_invalid_destination' },
      // A report for an SMS row already deleted: found through its tracker's uuid.
      { smsId: 0, uuid: sms[4].uuid, state: 'error', failureType: 'sms_acc' },
    ]);
    expect(await trace(2)).to.include({ trace_status: 'error', failure_type: 'sms_credit' });
    expect(await trace(3)).to.include({ trace_status: 'bounce', failure_type: 'sms_invalid_destination' });
    expect(await trace(4)).to.include({ trace_status: 'error', failure_type: 'sms_acc' });
    const [reason] = await t.call('mailing.trace', 'read', [[(await trace(2)).id], ['failure_reason']]);
    expect(reason.failure_reason).to.equal('no credit');
    const s = await stats();
    expect(s).to.include({ expected: 6, canceled: 1, failed: 2, bounced: 1, delivered: 1, scheduled: 0, sms_has_insufficient_credit: true, sms_has_unregistered_account: true });
    expect(s.received_ratio).to.equal(20); // 1 / (6 - 1)
    expect(s.bounced_ratio).to.equal(33.33); // 1 / (6 - 1 - 2)
    expect(s.opened_ratio).to.equal(0);
    // `error` is not final: a later success report moves it on; a repeated error changes nothing.
    await hook([{ smsId: sms[2].id, uuid: sms[2].uuid, state: 'pending' }, { smsId: sms[4].id, uuid: sms[4].uuid, state: 'error', failureType: 'sms_server' }]);
    expect(await trace(2)).to.include({ trace_status: 'pending', failure_type: false });
    expect(await trace(4)).to.include({ trace_status: 'error', failure_type: 'sms_acc' });
  });

  it('a processing report brings a done mailing back to sending', async () => {
    const id = await partnerMailing(t, partners.slice(0, 1), 'Back');
    await t.call('mailing.mailing', 'action_send_sms', [[id]]);
    const [s] = await smsOf(t, id);
    await hook([{ smsId: s.id, uuid: s.uuid, state: 'pending' }]);
    expect((await t.call('mailing.mailing', 'read', [[id], ['state']]))[0].state).to.equal('done');
    await hook([{ smsId: s.id, uuid: s.uuid, state: 'sent' }]);
    const [tr] = [...(await tracesByRes(t, id)).values()];
    expect(tr.trace_status).to.equal('sent');
  });

  it('statistics of many mailings come from one aggregate', async () => {
    const other = await partnerMailing(t, partners.slice(0, 2), 'Other');
    await t.call('mailing.mailing', 'action_send_sms', [[other]]);
    const rows = await t.call('mailing.mailing', 'read', [[mailing, other], ['expected', 'scheduled']]);
    expect(rows.map((r: { expected: number; scheduled: number }) => [r.expected, r.scheduled])).to.deep.equal([[6, 0], [2, 2]]);
  });
});

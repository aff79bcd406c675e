import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { configureSmsEngine, type SmsEngine } from '../../models/sms/dispatch.ts';
import { testLogger } from '../helpers/db.ts';
import { SimulatorProvider, simulatorStats } from '../../models/sms/providers/simulator.ts';
import { writeSmsSettings } from '../../models/sms/providers/settings.ts';
import { balance, fastSettings, recordHooks, seedSms, setBalance, states, waitFor } from '../helpers/sms.ts';

describe('sms: sending engine and simulator', () => {
  let t: TestRegistry;
  let engine: SmsEngine;

  before(async () => {
    t = await testRegistry();
    engine = configureSmsEngine(t.registry, { logger: testLogger() });
    await fastSettings(t.registry);
  });
  after(async () => {
    await engine.stop();
    await t.close();
  });
  beforeEach(async () => {
    await fastSettings(t.registry);
    await setBalance(t.registry, 1000);
  });

  it('sends valid numbers (pending), then delivery reports make them delivered (sent)', async () => {
    const hooks = recordHooks();
    try {
      const ids = await seedSms(t.registry, 3);
      const res = await engine.processQueue({ ids });
      expect(res).to.include({ claimed: 3, sent: 3, failed: 0, remaining: 0 });
      let st = await states(t.registry, ids);
      for (const id of ids) {
        expect(st.get(id)!.state).to.equal('pending');
        expect(st.get(id)!.provider_ref).to.match(/^SM[0-9a-f]{32}$/);
      }
      expect(hooks.updates.filter((u) => ids.includes(u.smsId)).map((u) => u.state)).to.deep.equal(['pending', 'pending', 'pending']);
      const sim = engine.provider('simulator') as SimulatorProvider;
      expect(await sim.deliverDue()).to.be.at.least(3);
      st = await states(t.registry, ids);
      for (const id of ids) expect(st.get(id)!.state).to.equal('sent');
      expect(hooks.updates.filter((u) => ids.includes(u.smsId) && u.state === 'sent')).to.have.length(3);
    } finally {
      hooks.stop();
    }
  });

  it("refuses Twilio's magic test numbers with Odoo's failure types, malformed numbers cost nothing", async () => {
    const numbers = ['+15005550001', '+15005550002', '+15005550003', '+15005550004', '+15005550009', '+15005550006', 'not a number', ''];
    const ids = await seedSms(t.registry, numbers.length, (i) => numbers[i]);
    const hooks = recordHooks();
    try {
      await engine.processQueue({ ids });
    } finally {
      hooks.stop();
    }
    const st = await states(t.registry, ids);
    expect(ids.map((id) => [st.get(id)!.state, st.get(id)!.failure_type])).to.deep.equal([
      ['error', 'sms_number_format'],
      ['error', 'unknown'],
      ['error', 'sms_country_not_supported'],
      ['error', 'sms_blacklist'],
      ['error', 'sms_number_format'],
      ['pending', null],
      ['error', 'sms_number_format'],
      ['error', 'sms_number_missing'],
    ]);
    // Only the accepted SMS is charged (US: 0.015 per segment); refused ones were refunded.
    expect(await balance(t.registry)).to.be.closeTo(1000 - 0.015, 1e-9);
    expect(ids.map((id) => st.get(id)!.credit)).to.deep.equal([0, 0, 0, 0, 0, 0.015, 0, 0]);
    const unroutable = hooks.updates.find((u) => u.smsId === ids[1])!;
    expect(unroutable).to.include({ state: 'error', failureType: 'unknown' });
    expect(unroutable.failureReason).to.match(/^21612/);
  });

  it('charges each SMS per segment at its country price', async () => {
    const long = 'x'.repeat(161); // 2 GSM-7 segments
    const [be, fr] = await seedSms(t.registry, 2, (i) => (i === 0 ? '+32470123456' : '+33612345678'), long);
    await engine.processQueue({ ids: [be, fr] });
    const st = await states(t.registry, [be, fr]);
    expect(st.get(be)!.credit).to.be.closeTo(2 * 0.095, 1e-9);
    expect(st.get(fr)!.credit).to.be.closeTo(2 * 0.075, 1e-9);
    expect(await balance(t.registry)).to.be.closeTo(1000 - 0.19 - 0.15, 1e-9);
  });

  it('a batch that cannot be paid in full is not sent at all: sms_credit, balance unchanged', async () => {
    await setBalance(t.registry, 0.2); // 3 Belgian SMS cost 0.285
    const before = await simulatorStats(t.registry);
    const hooks = recordHooks();
    const ids = await seedSms(t.registry, 3, (i) => `+3247012345${i}`);
    try {
      const res = await engine.processQueue({ ids });
      expect(res).to.include({ claimed: 3, sent: 0, failed: 3 });
    } finally {
      hooks.stop();
    }
    const st = await states(t.registry, ids);
    for (const id of ids) expect(st.get(id)).to.include({ state: 'error', failure_type: 'sms_credit', credit: 0 });
    expect(await balance(t.registry)).to.equal(0.2);
    expect((await simulatorStats(t.registry)).accepted).to.equal(before.accepted);
    expect(hooks.updates.filter((u) => ids.includes(u.smsId)).map((u) => u.failureType)).to.deep.equal(['sms_credit', 'sms_credit', 'sms_credit']);
  });

  it('429 with Retry-After, then success: sent exactly once', async () => {
    await fastSettings(t.registry, { sms_simulator_failure_mode: 'throttle', sms_simulator_failure_count: 1, sms_simulator_retry_after: 1 });
    const ids = await seedSms(t.registry, 5);
    const { rows: before } = await t.registry.pool.query(`SELECT (clock_timestamp() AT TIME ZONE 'UTC')::text AS t`);
    const res = await engine.processQueue({ ids });
    expect(res.sent).to.equal(5);
    const st = await states(t.registry, ids);
    for (const id of ids) expect(st.get(id)!.state).to.equal('pending');
    // The throttled request's SMS were retried once (workers may have split the 5 SMS).
    const retried = [...st.entries()].filter(([, s]) => s.attempt === 1).map(([id]) => id);
    expect(retried.length).to.be.at.least(1);
    // The retry honoured Retry-After: the gateway recorded those SMS as accepted no sooner than
    // one Retry-After past the start (the recorded acceptance, not the test's stopwatch).
    const { rows: waited } = await t.registry.pool.query(
      `SELECT bool_and(m.accepted_at >= $1::timestamp + interval '1 second') AS waited, count(*)::int AS n
         FROM sms_simulator_message m JOIN sms_sms s ON s.uuid = m.uuid WHERE s.id = ANY($2::int4[])`,
      [before[0].t, retried],
    );
    expect(waited[0]).to.deep.equal({ waited: true, n: retried.length });
    const { rows } = await t.registry.pool.query(
      `SELECT m.submit_count FROM sms_simulator_message m JOIN sms_sms s ON s.uuid = m.uuid WHERE s.id = ANY($1::int4[])`,
      [ids],
    );
    expect(rows.map((r) => r.submit_count)).to.deep.equal([1, 1, 1, 1, 1]);
    // The failure switch counted down and turned itself off.
    const { rows: p } = await t.registry.pool.query(`SELECT value FROM ir_config_parameter WHERE key = 'sms.simulator.failure_mode'`);
    expect(p[0].value).to.equal('none');
  });

  it('a 500 (maybe processed) is looked up before any retry, then sent once', async () => {
    await fastSettings(t.registry, { sms_simulator_failure_mode: 'server_error', sms_simulator_failure_count: 1 });
    const ids = await seedSms(t.registry, 4);
    await engine.processQueue({ ids });
    const st = await states(t.registry, ids);
    for (const id of ids) expect(st.get(id)!.state).to.equal('pending');
    const { rows } = await t.registry.pool.query(`SELECT m.submit_count FROM sms_simulator_message m JOIN sms_sms s ON s.uuid = m.uuid WHERE s.id = ANY($1::int4[])`, [ids]);
    expect(rows.map((r) => r.submit_count)).to.deep.equal([1, 1, 1, 1]);
  });

  it('transient failures end in sms_server after the last attempt, credits refunded', async () => {
    await fastSettings(t.registry, { sms_simulator_failure_mode: 'throttle', sms_simulator_failure_count: 0, sms_simulator_retry_after: 0, sms_max_attempts: 2 });
    const ids = await seedSms(t.registry, 2);
    await engine.processQueue({ ids });
    const st = await states(t.registry, ids);
    for (const id of ids) expect(st.get(id)).to.include({ state: 'error', failure_type: 'sms_server', credit: 0 });
    expect(await balance(t.registry)).to.equal(1000);
    await writeSmsSettings(t.registry, { sms_max_attempts: null });
  });

  it('respects the per-sender rate limit', async () => {
    await fastSettings(t.registry, { sms_rate_limit: 40 });
    const ids = await seedSms(t.registry, 60);
    const { rows: before } = await t.registry.pool.query(`SELECT (clock_timestamp() AT TIME ZONE 'UTC')::text AS t`);
    await engine.processQueue({ ids });
    const st = await states(t.registry, ids);
    expect([...st.values()].every((s) => s.state === 'pending')).to.equal(true);
    // 60 messages at 40/s reserve 1.5 s of emission slots on the sender's bucket (less the 50 ms of
    // lateness a reservation may be forgiven): the schedule, not the wall clock, is what is checked.
    const { rows } = await t.registry.pool.query(
      `SELECT extract(epoch FROM max(tat) - $1::timestamp)::float8 AS ahead FROM sms_rate_bucket`,
      [before[0].t],
    );
    expect(rows[0].ahead).to.be.at.least(1.45);
  });

  it('delivers through the background pump when started', async () => {
    await fastSettings(t.registry, { sms_simulator_delivery_delay: 100 });
    engine.start();
    try {
      const ids = await seedSms(t.registry, 2);
      await engine.processQueue({ ids });
      await waitFor(async () => [...(await states(t.registry, ids)).values()].every((s) => s.state === 'sent'), 5000);
    } finally {
      await engine.stop();
    }
  });
});

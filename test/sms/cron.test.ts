import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { startCronRunner, type CronRunner } from '../../server/cron.ts';
import { fastSettings, seedSms, setBalance, states, waitFor } from '../helpers/sms.ts';

const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

describe('sms: the scheduler sends the queue', function () {
  this.timeout(20_000);
  let t: TestRegistry;
  let runner: CronRunner;

  before(async () => {
    t = await testRegistry();
    await fastSettings(t.registry, { sms_simulator_delivery_delay: 200 });
    await setBalance(t.registry, 1000);
    runner = startCronRunner(t.registry, undefined, testLogger(), { tickSeconds: 1 });
  });
  after(async () => {
    await runner.stop();
    await t.close();
  });

  const allIn = async (ids: number[], wanted: string[]) => [...(await states(t.registry, ids)).values()].every((s) => wanted.includes(s.state));

  it('SMS created through the ORM wake the queue cron: sent, then delivered', async () => {
    const ids = await t.call('sms.sms', 'create', [[{ number: '+32470111111', body: 'cron 1' }, { number: '+32470111112', body: 'cron 2' }]]);
    await waitFor(() => allIn(ids, ['pending', 'sent']), 5000);
    // The wake-up the create recorded was consumed by a run of the queue cron ending after it.
    const wakeup = async () => (await t.registry.pool.query(
      `SELECT c.lastcall >= date_trunc('second', (SELECT max(create_date) FROM sms_sms WHERE id = ANY($1::int4[]))) AS ran_after,
              (SELECT count(*)::int FROM ir_cron_trigger g WHERE g.cron_id = c.id AND g.call_at <= now() AT TIME ZONE 'UTC') AS pending_wakeups
         FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id WHERE d.name = 'ir_cron_sms_scheduler_action'`,
      [ids],
    )).rows;
    await waitFor(async () => (await wakeup())[0]?.ran_after === true, 5000);
    expect(await wakeup()).to.deep.equal([{ ran_after: true, pending_wakeups: 0 }]);
    await waitFor(() => allIn(ids, ['sent']), 5000);
  });

  it('SMS inserted with SQL (no trigger) are found within the tick cadence', async () => {
    const ids = await seedSms(t.registry, 50);
    await waitFor(() => allIn(ids, ['pending', 'sent']), 4000);
  });

  it('SMS left in process by a crashed instance are reconciled once their lease expires', async () => {
    const ids = await seedSms(t.registry, 3);
    // What a crashed instance leaves: claimed, lease already expired, never sent.
    await t.registry.pool.query(
      `UPDATE sms_sms SET state = 'process', lease_owner = 'dead:1', lease_until = now() AT TIME ZONE 'UTC' - interval '1 second', provider = 'simulator' WHERE id = ANY($1::int4[])`,
      [ids],
    );
    await waitFor(() => allIn(ids, ['pending', 'sent']), 5000);
  });

  it('a scheduled mailing goes out at its date', async () => {
    const partners = await t.call('res.partner', 'create', [[1, 2, 3].map((i) => ({ name: `Sched ${i}`, phone: `+32 472 00 00 0${i}` }))]);
    const [partnerModel] = await t.call('ir.model', 'search', [[['model', '=', 'res.partner']]]);
    const at = Date.now() + 2000;
    const id = await t.call('mailing.mailing', 'create', [{
      subject: 'Scheduled', mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: 'See you soon',
      mailing_domain: `[('id', 'in', [${partners.join(', ')}])]`, schedule_type: 'scheduled', schedule_date: utc(at),
    }]);
    await t.call('mailing.mailing', 'action_schedule', [[id]]);
    const traces = async () => t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', id]], ['trace_status']]);
    await waitFor(async () => (await traces()).length === 3 && (await traces()).every((r: any) => ['pending', 'sent'].includes(r.trace_status)), 10_000, 100);
    // Not before its date: every trace was created at or after the recorded schedule date.
    const { rows } = await t.registry.pool.query(
      `SELECT bool_and(t.create_date >= m.schedule_date) AS after_schedule, m.state
         FROM mailing_trace t JOIN mailing_mailing m ON m.id = t.mass_mailing_id WHERE m.id = $1 GROUP BY m.state`,
      [id],
    );
    expect(rows).to.have.length(1);
    expect(rows[0].after_schedule).to.equal(true);
    expect(rows[0].state).to.be.oneOf(['sending', 'done']);
  });
});

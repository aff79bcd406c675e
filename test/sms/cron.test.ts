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
    const started = Date.now();
    const ids = await t.call('sms.sms', 'create', [[{ number: '+32470111111', body: 'cron 1' }, { number: '+32470111112', body: 'cron 2' }]]);
    await waitFor(() => allIn(ids, ['pending', 'sent']), 5000);
    expect(Date.now() - started).to.be.below(2500);
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
    // Not before its date, and well within a minute of it.
    const { rows } = await t.registry.pool.query(`SELECT min(create_date) AS first FROM mailing_trace WHERE mass_mailing_id = $1`, [id]);
    const first = Date.parse(String(rows[0].first).replace(' ', 'T') + 'Z');
    expect(first).to.be.at.least(at - 1000);
    expect(first - at).to.be.below(5000);
  });
});

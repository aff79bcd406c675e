import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { SmsEngine, smsQueueHasWork } from '../../models/sms/dispatch.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { fastSettings, seedSms, setBalance } from '../helpers/sms.ts';

/** Lease SMS to `owner` for 300 s as a claim would, and give `owner` a heartbeat ending `aliveInSeconds` from now. */
async function leaseTo(registry: Registry, ids: number[], owner: string, aliveInSeconds: number, state = 'process'): Promise<void> {
  await registry.pool.query(
    `UPDATE sms_sms SET state = $3, lease_owner = $2, lease_until = (now() AT TIME ZONE 'UTC') + interval '300 seconds', provider = 'simulator' WHERE id = ANY($1::int4[])`,
    [ids, owner, state],
  );
  await registry.pool.query(
    `INSERT INTO sms_engine_instance (id, heartbeat_at, alive_until) VALUES ($1, now() AT TIME ZONE 'UTC', (now() AT TIME ZONE 'UTC') + $2 * interval '1 second')
     ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
    [owner, aliveInSeconds],
  );
}

/** The gateway accepted this SMS before its instance died (what the simulator stores on acceptance). */
async function acceptedByGateway(registry: Registry, id: number, ref: string): Promise<void> {
  await registry.pool.query(
    `INSERT INTO sms_simulator_message (uuid, provider_ref, number, body, sender, segments, status, accepted_at)
     SELECT uuid, $2, number, body, 'SIMULATOR', 1, 'accepted', now() AT TIME ZONE 'UTC' FROM sms_sms WHERE id = $1`,
    [id, ref],
  );
}

async function rows(registry: Registry, ids: number[]): Promise<Record<string, unknown>[]> {
  const { rows } = await registry.pool.query(`SELECT id, state, lease_owner, provider_ref FROM sms_sms WHERE id = ANY($1::int4[]) ORDER BY id`, [ids]);
  return rows;
}

describe('sms: instance heartbeat and takeover of a gone instance', () => {
  let t: TestRegistry;
  let engine: SmsEngine;
  before(async () => {
    t = await testRegistry();
    engine = new SmsEngine(t.registry, { logger: testLogger() });
  });
  after(async () => t.close());
  beforeEach(async () => {
    await fastSettings(t.registry, { sms_dispatch_lease: 300, sms_simulator_delivery_delay: 600_000 });
    await setBalance(t.registry, 1000);
    await t.registry.pool.query(`DELETE FROM sms_sms`);
    await t.registry.pool.query(`DELETE FROM sms_engine_instance`);
  });

  it('settles the claimed SMS of a gone instance before their lease ends, asking the gateway first', async () => {
    const [known, unknown] = await seedSms(t.registry, 2);
    await leaseTo(t.registry, [known, unknown], 'dead-instance', -1);
    await acceptedByGateway(t.registry, known, 'SMdead');
    expect(await smsQueueHasWork(t.registry)).to.equal(true);
    expect(await engine.recover()).to.equal(2);
    // Accepted by the gateway: recorded as sent, not sent again; never accepted: back in the queue.
    expect(await rows(t.registry, [known, unknown])).to.deep.equal([
      { id: known, state: 'pending', lease_owner: null, provider_ref: 'SMdead' },
      { id: unknown, state: 'outgoing', lease_owner: null, provider_ref: null },
    ]);
    const res = await engine.processQueue({ ids: [known, unknown] });
    expect(res.sent).to.equal(1);
    const { rows: sim } = await t.registry.pool.query(`SELECT count(*)::int AS n, max(submit_count)::int AS submits FROM sms_simulator_message`);
    expect(sim[0]).to.deep.equal({ n: 2, submits: 1 });
  });

  it('leaves alone the claimed SMS of an instance whose heartbeat is alive', async () => {
    const ids = await seedSms(t.registry, 2);
    await leaseTo(t.registry, ids, 'live-instance', 60);
    expect(await smsQueueHasWork(t.registry)).to.equal(false);
    expect(await engine.recover()).to.equal(0);
    expect((await rows(t.registry, ids)).map((r) => [r.state, r.lease_owner])).to.deep.equal([['process', 'live-instance'], ['process', 'live-instance']]);
  });

  it('clears the lease of an SMS a delivery report settled after its instance died', async () => {
    const [settled, live] = await seedSms(t.registry, 2);
    await leaseTo(t.registry, [settled], 'dead-instance', -1, 'pending');
    await leaseTo(t.registry, [live], 'live-instance', 60, 'pending');
    expect(await smsQueueHasWork(t.registry)).to.equal(true);
    await engine.recover();
    expect((await rows(t.registry, [settled, live])).map((r) => [r.state, r.lease_owner])).to.deep.equal([['pending', null], ['pending', 'live-instance']]);
  });

  it('an instance renews its heartbeat before it claims, for longer than its longest provider request', async () => {
    const ids = await seedSms(t.registry, 3);
    const fresh = new SmsEngine(t.registry, { logger: testLogger() });
    await fresh.processQueue({ ids });
    const { rows: inst } = await t.registry.pool.query(
      `SELECT extract(epoch FROM alive_until - heartbeat_at)::float8 AS window FROM sms_engine_instance WHERE id = $1`,
      [fresh.owner],
    );
    // The simulator's 15 s request timeout, plus missed heartbeats and margin.
    expect(inst[0].window).to.be.greaterThan(15);
    expect((await rows(t.registry, ids)).every((r) => r.state === 'pending' && r.lease_owner === null)).to.equal(true);
  });
});

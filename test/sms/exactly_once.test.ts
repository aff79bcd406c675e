import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '../../server/bootstrap.ts';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { configureSmsEngine, SmsEngine } from '../../models/sms/dispatch.ts';
import { simulatorStats } from '../../models/sms/providers/simulator.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { fastSettings, seedSms, setBalance, waitFor } from '../helpers/sms.ts';

async function stateCounts(registry: Registry): Promise<Record<string, number>> {
  const { rows } = await registry.pool.query(`SELECT state, count(*)::int AS n FROM sms_sms GROUP BY state`);
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/** Every SMS accepted by the gateway exactly once, and every accepted uuid belongs to an SMS. */
async function expectExactlyOnce(registry: Registry, n: number): Promise<void> {
  const stats = await simulatorStats(registry);
  expect(stats).to.include({ accepted: n, submissions: n, duplicates: 0 });
  const { rows } = await registry.pool.query(
    `SELECT count(*)::int AS n FROM sms_sms s JOIN sms_simulator_message m ON m.uuid = s.uuid AND m.provider_ref = s.provider_ref`,
  );
  expect(rows[0].n).to.equal(n);
}

describe('sms: exactly-once dispatch', function () {
  this.timeout(20_000);

  describe('two engine instances on one database', () => {
    let t: TestRegistry;
    let other: Registry;
    before(async () => {
      t = await testRegistry();
      other = createRegistry(t.db.connectionString, 8);
    });
    after(async () => {
      await other.close();
      await t.close();
    });

    it('send 10,000 SMS, each exactly once', async () => {
      await fastSettings(t.registry, { sms_batch_size: 250, sms_simulator_delivery_delay: 600_000 });
      await setBalance(t.registry, 1e6);
      const n = 10_000;
      await seedSms(t.registry, n);
      const a = new SmsEngine(t.registry, { logger: testLogger() });
      const b = new SmsEngine(other, { logger: testLogger() });
      const [ra, rb] = await Promise.all([a.processQueue(), b.processQueue()]);
      expect(ra.sent + rb.sent).to.equal(n);
      // Both instances did part of the work.
      expect(ra.sent).to.be.greaterThan(0);
      expect(rb.sent).to.be.greaterThan(0);
      expect(await stateCounts(t.registry)).to.deep.equal({ pending: n });
      await expectExactlyOnce(t.registry, n);
      // Credits: 10,000 Belgian SMS at 0.095.
      const { rows } = await t.registry.pool.query(`SELECT balance::float8 AS b FROM sms_credit_account`);
      expect(rows[0].b).to.be.closeTo(1e6 - n * 0.095, 1e-6);
    });
  });

  describe('an instance killed with SIGKILL mid-batch', () => {
    let t: TestRegistry;
    before(async () => {
      t = await testRegistry();
      configureSmsEngine(t.registry, { logger: testLogger() });
    });
    after(async () => t.close());

    it('is recovered by another instance: no SMS lost, none sent twice', async () => {
      const n = 300;
      // Slow gateway, small requests, short lease: the child has accepted-but-unrecorded SMS in hand.
      await fastSettings(t.registry, {
        sms_batch_size: 100, sms_simulator_batch_size: 10, sms_dispatch_concurrency: 2, sms_dispatch_workers: 1,
        sms_simulator_latency: 150, sms_dispatch_lease: 4, sms_simulator_delivery_delay: 600_000,
      });
      await seedSms(t.registry, n);
      const script = fileURLToPath(new URL('./fixtures/dispatch_child.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', script, t.db.connectionString], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
      try {
        // Kill it while a batch is in flight: some SMS accepted by the gateway, not yet recorded.
        await waitFor(async () => {
          const { rows } = await t.registry.pool.query(
            `SELECT (SELECT count(*) FROM sms_simulator_message)::int AS accepted,
                    (SELECT count(*) FROM sms_sms s WHERE state = 'process' AND EXISTS (SELECT 1 FROM sms_simulator_message m WHERE m.uuid = s.uuid))::int AS unrecorded`,
          );
          return rows[0].accepted >= 20 && rows[0].unrecorded > 0;
        }, 15_000, 20);
      } finally {
        child.kill('SIGKILL');
      }
      expect(await exited).to.equal(-1);
      const before = await stateCounts(t.registry);
      expect(before.process).to.be.greaterThan(0);
      // Another instance: waits for the lease to expire, reconciles, and finishes the queue.
      await fastSettings(t.registry, { sms_simulator_latency: 0, sms_dispatch_concurrency: 8, sms_dispatch_workers: 2, sms_batch_size: 500, sms_simulator_batch_size: 500 });
      await waitFor(async () => {
        const { rows } = await t.registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE state = 'process' AND lease_until >= now() AT TIME ZONE 'UTC'`);
        return rows[0].n === 0;
      }, 10_000, 100);
      const engine = configureSmsEngine(t.registry, { logger: testLogger() });
      const res = await engine.processQueue();
      expect(res.recovered).to.be.greaterThan(0);
      expect(await stateCounts(t.registry)).to.deep.equal({ pending: n });
      await expectExactlyOnce(t.registry, n);
    });
  });
});

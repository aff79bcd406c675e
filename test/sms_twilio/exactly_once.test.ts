import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configureSmsEngine } from '../../models/sms/dispatch.ts';
import { testLogger } from '../helpers/db.ts';
import { fastSettings, seedSms, waitFor } from '../helpers/sms.ts';
import { twilioTestbed, type TwilioTestbed } from '../helpers/twilio.ts';

describe('sms_twilio: an instance killed with SIGKILL in the middle of a Twilio batch', function () {
  this.timeout(60_000);
  let b: TwilioTestbed;
  before(async () => {
    b = await twilioTestbed();
  });
  after(async () => b.close());

  it('is recovered by another instance asking Twilio: no number gets two messages, none is lost', async () => {
    const n = 300;
    const numbers = (i: number) => `+32476${String(100000 + i)}`;
    await fastSettings(b.t.registry, { sms_batch_size: 100, sms_dispatch_concurrency: 2, sms_dispatch_workers: 1, sms_dispatch_lease: 4 });
    await seedSms(b.t.registry, n, numbers, 'Exactly once through Twilio');
    // A slow Twilio: the child has requests in flight, and answers Twilio gave but it did not record.
    b.fake.latencyMs = 100;
    const script = fileURLToPath(new URL('../sms/fixtures/dispatch_child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, b.t.db.connectionString], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
    try {
      await waitFor(async () => {
        if (b.fake.messages.size < 20) return false;
        const sent = [...b.fake.messages.values()].map((m) => m.to);
        const { rows } = await b.t.registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE state = 'process' AND number = ANY($1::varchar[])`, [sent]);
        return rows[0].n > 0;
      }, 20_000, 20);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).to.equal(-1);
    const { rows: inHand } = await b.t.registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE state = 'process'`);
    expect(inHand[0].n).to.be.greaterThan(0);
    b.fake.latencyMs = 0;
    await fastSettings(b.t.registry, { sms_dispatch_concurrency: 8, sms_dispatch_workers: 2, sms_batch_size: 500 });
    await waitFor(async () => {
      const { rows } = await b.t.registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE state = 'process' AND lease_until >= now() AT TIME ZONE 'UTC'`);
      return rows[0].n === 0;
    }, 10_000, 100);
    const res = await configureSmsEngine(b.t.registry, { logger: testLogger() }).processQueue();
    expect(res.recovered).to.be.greaterThan(0);
    const { rows } = await b.t.registry.pool.query(`SELECT number, state, provider_ref FROM sms_sms ORDER BY id`);
    expect(rows.map((r) => r.state)).to.deep.equal(Array(n).fill('pending'));
    // Every number received exactly one message, and every message is the one its SMS recorded.
    for (let i = 0; i < n; i++) expect(b.fake.sentTo(numbers(i)), numbers(i)).to.have.length(1);
    expect(b.fake.messages.size).to.equal(n);
    for (const r of rows) expect(b.fake.messages.get(r.provider_ref)?.to).to.equal(r.number);
  });
});

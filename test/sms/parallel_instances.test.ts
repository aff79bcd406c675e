// N instances on one database: a campaign's SMS queue drained by three sending engines at once,
// each on its own registry and connection pool (as three server processes would be): every
// instance sends a share, every recipient gets exactly one SMS, and the campaign ends sent.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { modelId } from '../helpers/mass_mailing_sms.ts';
import { fastSettings, setBalance } from '../helpers/sms.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import { SmsEngine } from '../../models/sms/dispatch.ts';
import type { Registry } from '../../models/orm/registry.ts';

const RECIPIENTS = 2000;

describe('sms: three instances drain one campaign in parallel', function () {
  this.timeout(120_000);
  let t: TestRegistry;
  let others: Registry[];

  before(async () => {
    t = await testRegistry();
    others = [createRegistry(t.db.connectionString, 4), createRegistry(t.db.connectionString, 4)];
    // small batches and a little gateway latency, so that no instance can take the whole queue
    await fastSettings(t.registry, { sms_batch_size: 50, sms_simulator_latency: 5, sms_dispatch_workers: 2 });
    await setBalance(t.registry, 100_000);
  });
  after(async () => {
    for (const r of others ?? []) await r.close();
    await t.close();
  });

  it(`sends a ${RECIPIENTS}-recipient campaign once each, every instance taking a share`, async () => {
    const contacts = await t.env(async (env) => (await env.model('mailing.contact').create(
      Array.from({ length: RECIPIENTS }, (_, i) => ({ name: `Contact ${i}`, mobile: `+3247${String(2000000 + i)}` })),
    )).ids);
    const list = await t.call('mailing.list', 'create', [{ name: 'Everyone', contact_ids: [[6, 0, contacts]] }]);
    const mailing = await t.call('mailing.mailing', 'create', [{
      subject: 'Parallel', mailing_type: 'sms', mailing_model_id: await modelId(t, 'mailing.list'), contact_list_ids: [[6, 0, [list]]], body_plaintext: 'Spring sale',
    }]);
    await t.call('mailing.mailing', 'action_put_in_queue', [[mailing]]);
    await t.env((env) => env.model('mailing.mailing').call('_process_mass_mailing_queue'));
    const { rows: [queued] } = await t.registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE state = 'outgoing' AND mailing_id = $1`, [mailing]);
    expect(queued.n).to.equal(RECIPIENTS);

    const registries = [t.registry, ...others];
    const engines = registries.map((r, i) => new SmsEngine(r, { logger: testLogger(), owner: `instance-${i + 1}` }));
    const results = await Promise.all(engines.map((e) => e.processQueue({ deadline: Date.now() + 90_000 })));

    const shares = results.map((r) => r.sent);
    // each instance sent some, together exactly the campaign
    for (const [i, n] of shares.entries()) expect(n, `instance-${i + 1} sent ${n} of ${shares.join(' / ')}`).to.be.greaterThan(0);
    expect(shares.reduce((a, b) => a + b, 0)).to.equal(RECIPIENTS);
    // the gateway accepted each SMS once: no duplicates, none lost
    const { rows: [gateway] } = await t.registry.pool.query(
      `SELECT count(*)::int AS accepted, count(DISTINCT uuid)::int AS distinct_uuids, count(DISTINCT number)::int AS recipients FROM sms_simulator_message`,
    );
    expect(gateway).to.deep.equal({ accepted: RECIPIENTS, distinct_uuids: RECIPIENTS, recipients: RECIPIENTS });
    const traces = await t.call('mailing.trace', 'read_group', [[['mass_mailing_id', '=', mailing]], ['trace_status'], ['trace_status']]);
    // accepted by the gateway: pending until its delivery report, or already sent
    expect(traces.filter((g: any) => !['pending', 'sent'].includes(g.trace_status))).to.deep.equal([]);
    expect(traces.reduce((n: number, g: any) => n + g.trace_status_count, 0)).to.equal(RECIPIENTS);
    const { rows: [left] } = await t.registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE mailing_id = $1 AND (state IN ('outgoing', 'process') OR lease_owner IS NOT NULL)`, [mailing]);
    expect(left.n).to.equal(0);
  });
});

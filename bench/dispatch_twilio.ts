// Sending-engine throughput through Twilio: `npx tsx bench/dispatch_twilio.ts`.
//
// Same setup as bench/dispatch.ts (throwaway embedded PostgreSQL, SMS seeded with SQL), with the
// company's provider set to Twilio and the official `twilio` package aimed at the in-repository
// stand-in (test/helpers/fake_twilio.ts, same process) answering after 100 ms:
//   1. BENCH_N recipients (default 10,000) in four countries, no rate limit, 100 requests in
//      flight: messages/s, senders by country, exactly once;
//   2. per-sender rate limits (messages/second set on each number): the busiest 1-second window
//      of each sender (from the times requests reached the stand-in) against its limit.
// Peak RSS includes the stand-in.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../server/log.ts';
import { ensureDatabase, startDatabaseServer } from '../server/postgres.ts';
import { loadRegistry } from '../server/bootstrap.ts';
import type { Registry } from '../models/orm/registry.ts';
import { SmsEngine } from '../models/sms/dispatch.ts';
import { writeSmsSettings } from '../models/sms/providers/settings.ts';
import { setParam } from '../models/base/ir_config_parameter.ts';
import { twilioConfigChanged } from '../models/sms_twilio/res_company.ts';
import { FakeTwilio } from '../test/helpers/fake_twilio.ts';

const N = Number(process.env.BENCH_N || 10_000);
const LATENCY = Number(process.env.BENCH_LATENCY || 100);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS || 10);
const SENDERS = [
  { number: '+15005550006', country: 'US', prefix: '+1201', rate: 1 },
  { number: '+3225550000', country: 'BE', prefix: '+32470', rate: 10 },
  { number: '+33175550000', country: 'FR', prefix: '+336', rate: 30 },
];

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function configure(registry: Registry, fake: FakeTwilio, rates: number[]): Promise<void> {
  await registry.sudo(async (env) => {
    await setParam(env, 'sms_twilio.api_url', fake.url);
    await env.model('res.company').browse([1]).write({ sms_provider: 'twilio', sms_twilio_account_sid: fake.accountSid, sms_twilio_auth_token: fake.authToken });
    await env.model('sms.twilio.number').search([]).then((r) => r.call('unlink'));
    const countries = await (await env.model('res.country').search([['code', 'in', SENDERS.map((s) => s.country)]])).fetch(['code']);
    const idOf = new Map(countries.map((c) => [c.code, c.id]));
    await env.model('sms.twilio.number').create(SENDERS.map((s, i) => ({ number: s.number, country_id: idOf.get(s.country), sequence: i + 1, rate_limit: rates[i] })));
  });
  twilioConfigChanged();
}

/** n SMS spread over the senders' countries plus Germany (no number there: the first number). */
async function seed(registry: Registry, counts: number[]): Promise<void> {
  await registry.pool.query('TRUNCATE sms_sms, sms_rate_bucket');
  // Valid mobile numbers: +1 201 2xxxxxx, +32 470 xxxxxx, +33 6 1xxxxxxx, +49 151 1xxxxxxx.
  const prefixes = [...SENDERS.map((s) => s.prefix), '+49151'];
  const offsets = [2000000, 0, 10000000, 10000000];
  for (const [i, n] of counts.entries()) {
    if (!n) continue;
    await registry.pool.query(
      `INSERT INTO sms_sms (uuid, number, body, state, to_delete, create_uid, write_uid, create_date, write_date)
       SELECT md5(g::text || random()::text), $2 || lpad((g + $4)::text, $3, '0'), 'Spring sale: 20% off everything this weekend. Reply STOP to opt out.',
              'outgoing', false, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
       FROM generate_series(1, $1) g`,
      [n, prefixes[i], i === 1 ? 6 : i === 0 ? 7 : 8, offsets[i]],
    );
  }
  await registry.pool.query('ANALYZE sms_sms');
}

async function main(): Promise<void> {
  const logger = createLogger('warn');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms-bench-twilio-'));
  const server = await startDatabaseServer({ databaseUrl: undefined, dataDir, embeddedPgPort: 0 }, { logger, postgresFlags: ['-c', 'synchronous_commit=off', '-c', 'max_connections=200'], initdbNoSync: true });
  const fake = await new FakeTwilio().start();
  fake.latencyMs = LATENCY;
  let registry: Registry | undefined;
  try {
    await ensureDatabase(server.adminConnectionString, 'bench');
    registry = await loadRegistry(server.connectionString('bench'), 24);
    console.log(`PostgreSQL: embedded, synchronous_commit=off; node ${process.version}; ${os.cpus().length} CPUs; Twilio stand-in latency ${LATENCY} ms`);

    // 1. throughput
    await configure(registry, fake, [0, 0, 0]);
    const quarter = Math.floor(N / 4);
    await seed(registry, [quarter, quarter, quarter, N - 3 * quarter]);
    await writeSmsSettings(registry, { sms_batch_size: 500, sms_dispatch_concurrency: 100, sms_dispatch_workers: 3, sms_rate_limit: 0 });
    let engine = new SmsEngine(registry, { logger });
    peakRss = process.memoryUsage().rss;
    let t0 = performance.now();
    const res = await engine.processQueue({ deadline: Date.now() + 600_000 });
    const secs = (performance.now() - t0) / 1000;
    const { rows } = await registry.pool.query(`SELECT number, state, provider_ref FROM sms_sms`);
    const perNumber = new Map<string, number>();
    for (const m of fake.messages.values()) perNumber.set(m.to, (perNumber.get(m.to) ?? 0) + 1);
    const senderOk = [...fake.messages.values()].every((m) => m.from === (SENDERS.find((s) => m.to.startsWith(s.prefix))?.number ?? SENDERS[0].number));
    if (fake.messages.size !== N) console.log('not sent:', (await registry.pool.query(`SELECT state, failure_type, count(*)::int AS n FROM sms_sms WHERE state <> 'pending' GROUP BY 1, 2`)).rows);
    const once = fake.messages.size === N && [...perNumber.values()].every((c) => c === 1) && rows.every((r) => r.state === 'pending' && fake.messages.get(r.provider_ref)?.to === r.number);
    console.table([{ run: `${N} SMS, ${LATENCY} ms per request, 100 in flight`, seconds: Number(secs.toFixed(2)), 'msg/s': Math.round(res.sent / secs), 'peak RSS MB': Math.round(peakRss / 1048576), 'sender per country': senderOk ? 'yes' : 'NO', 'exactly once': once ? 'yes' : 'NO' }]);

    // 2. per-sender rate limits
    fake.messages.clear();
    const rates = SENDERS.map((s) => s.rate);
    await configure(registry, fake, rates);
    await seed(registry, [...rates.map((r) => r * RATE_SECONDS), 0]);
    engine = new SmsEngine(registry, { logger });
    peakRss = process.memoryUsage().rss;
    t0 = performance.now();
    await engine.processQueue({ deadline: Date.now() + 600_000 });
    const rateSecs = (performance.now() - t0) / 1000;
    const table = SENDERS.map((s) => {
      const times = [...fake.messages.values()].filter((m) => m.from === s.number).map((m) => m.receivedAt).sort((a, b) => a - b);
      let worst = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i] - times[j] >= 1000) j++;
        worst = Math.max(worst, i - j + 1);
      }
      const observed = times.length > 1 ? (times.length - 1) / ((times.at(-1)! - times[0]) / 1000) : 0;
      return { sender: `${s.number} (${s.country})`, sms: times.length, 'limit msg/s': s.rate, 'observed msg/s': Number(observed.toFixed(2)), 'busiest 1 s window': worst, 'within 5%': worst <= s.rate * 1.05 ? 'yes' : 'NO' };
    });
    console.table(table);
    console.log(`rate-limited run: ${rateSecs.toFixed(1)} s, peak RSS ${Math.round(peakRss / 1048576)} MB`);
  } finally {
    clearInterval(sampler);
    await registry?.close();
    await fake.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

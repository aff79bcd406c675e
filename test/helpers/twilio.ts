// A registry, the HTTP app listening on a local port (web.base.url points at it, so Twilio's
// callbacks reach it) and a fake Twilio the official package is aimed at.

import http from 'node:http';
import { createApp } from '../../server/app.ts';
import { installAccessChecker } from '../../models/base/ir_model_access.ts';
import { setParam } from '../../models/base/ir_config_parameter.ts';
import { testRegistry, type TestRegistry } from './registry.ts';
import { testLogger } from './db.ts';
import { FakeTwilio } from './fake_twilio.ts';
import { twilioConfigChanged } from '../../models/sms_twilio/res_company.ts';

export interface TwilioTestbed {
  t: TestRegistry;
  fake: FakeTwilio;
  /** Our server's base URL (web.base.url). */
  baseUrl: string;
  close(): Promise<void>;
}

/** Numbers of the account: US, Belgium, France (the first one is the fallback). */
export const NUMBERS = [
  { number: '+15005550006', country: 'US' },
  { number: '+3225550000', country: 'BE' },
  { number: '+33175550000', country: 'FR' },
];

export async function twilioTestbed(opts: { configure?: boolean; rateLimit?: number } = {}): Promise<TwilioTestbed> {
  const t = await testRegistry();
  if (!t.registry.accessChecker) installAccessChecker(t.registry);
  const fake = await new FakeTwilio().start();
  const app = createApp(t.registry, { dbName: t.db.name, adminPassword: 'admin', maxBodySize: 1 << 20 }, testLogger());
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await t.env(async (env) => {
    await setParam(env, 'web.base.url', baseUrl);
    await setParam(env, 'sms_twilio.api_url', fake.url);
  });
  if (opts.configure !== false) await configureTwilio(t, fake, opts.rateLimit ?? 0);
  return {
    t,
    fake,
    baseUrl,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await fake.close();
      await t.close();
    },
  };
}

/** Company 1 sends through the fake Twilio account, from NUMBERS. */
export async function configureTwilio(t: TestRegistry, fake: FakeTwilio, rateLimit = 0): Promise<void> {
  await t.call('res.company', 'write', [[1], { sms_provider: 'twilio', sms_twilio_account_sid: fake.accountSid, sms_twilio_auth_token: fake.authToken }]);
  const countries = await t.call('res.country', 'search_read', [[['code', 'in', NUMBERS.map((n) => n.country)]], ['code']]);
  const idOf = new Map(countries.map((c: { id: number; code: string }) => [c.code, c.id]));
  await t.call('sms.twilio.number', 'create', [NUMBERS.map((n, i) => ({ number: n.number, country_id: idOf.get(n.country), sequence: i + 1, rate_limit: rateLimit }))]);
  twilioConfigChanged();
}

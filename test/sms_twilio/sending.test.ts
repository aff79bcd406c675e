import { expect } from 'chai';
import { setParam } from '../../models/base/ir_config_parameter.ts';
import { smsEngine } from '../../models/sms/dispatch.ts';
import { writeSmsSettings } from '../../models/sms/providers/settings.ts';
import { partnerMailing } from '../helpers/mass_mailing_sms.ts';
import { twilioTestbed, type TwilioTestbed } from '../helpers/twilio.ts';

/** Destination country → the number Twilio must receive the SMS from (DE has none: the first number). */
const SENDER = { BE: '+3225550000', US: '+15005550006', FR: '+33175550000', DE: '+15005550006' } as const;
const phone = (country: keyof typeof SENDER, i: number) =>
  ({ BE: `+32470${String(100000 + i)}`, US: `+1201555${String(1000 + (i % 9000)).padStart(4, '0')}`, FR: `+3361${String(2000000 + i)}`, DE: `+49151${String(10000000 + i)}` })[country];

describe('sms_twilio: sending through Twilio', function () {
  this.timeout(120_000);
  let b: TwilioTestbed;
  before(async () => {
    b = await twilioTestbed();
    await writeSmsSettings(b.t.registry, { sms_dispatch_concurrency: 16, sms_batch_size: 500, sms_max_attempts: 6 });
  });
  after(async () => b.close());

  async function traces(mailing: number): Promise<Map<string, any>> {
    const rows = await b.t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['sms_number', 'trace_status', 'failure_type', 'failure_reason']]);
    return new Map(rows.map((r: any) => [r.sms_number, r]));
  }

  // TWILIO_MAILING_N=10000 for the full-size run (about a minute here).
  const n = Number(process.env.TWILIO_MAILING_N || 2000);
  it(`a ${n}-recipient mailing leaves once per recipient, from the number of its country`, async () => {
    const countries = Object.keys(SENDER) as (keyof typeof SENDER)[];
    const vals = Array.from({ length: n }, (_, i) => ({ name: `R${i}`, phone: phone(countries[i % 4], Math.floor(i / 4)) }));
    const ids: number[] = await b.t.call('res.partner', 'create', [vals]);
    const mailing = await partnerMailing(b.t, ids, 'Spring sale: 20% off');
    await b.t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    await smsEngine(b.t.registry).processQueue();
    expect(b.fake.messages.size).to.equal(n);
    for (const [i, v] of vals.entries()) {
      const got = b.fake.sentTo(v.phone);
      expect(got.map((m) => [m.from, m.body]), v.phone).to.deep.equal([[SENDER[countries[i % 4]], 'Spring sale: 20% off']]);
    }
    const tr = await traces(mailing);
    expect([...tr.values()].every((t) => t.trace_status === 'pending')).to.equal(true);
    // Each message asks for its status at <web.base.url>/sms_twilio/status/<uuid of its SMS>.
    const { rows } = await b.t.registry.pool.query(`SELECT uuid, number, provider_ref FROM sms_sms WHERE mailing_id = $1`, [mailing]);
    expect(rows).to.have.length(n);
    for (const r of rows) expect(b.fake.messages.get(r.provider_ref)?.statusCallback).to.equal(`${b.baseUrl}/sms_twilio/status/${r.uuid}`);
  });

  it("Twilio's error codes land as Odoo's failure types", async () => {
    const cases: [number, string][] = [[21211, 'sms_number_format'], [21614, 'sms_number_format'], [21265, 'sms_number_format'], [21604, 'sms_number_missing'],
      [21266, 'twilio_from_to'], [21603, 'twilio_from_missing'], [21608, 'sms_acc'], [21609, 'twilio_callback'], [21610, 'unknown'], [21612, 'unknown']];
    const vals = cases.map(([code], i) => ({ name: `E${code}`, phone: `+32471${String(500000 + i)}` }));
    cases.forEach(([code], i) => b.fake.errorsByTo.set(vals[i].phone, { code, message: `Twilio says ${code}` }));
    const ids: number[] = await b.t.call('res.partner', 'create', [vals]);
    const mailing = await partnerMailing(b.t, ids, 'Hi');
    await b.t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    await smsEngine(b.t.registry).processQueue();
    const tr = await traces(mailing);
    for (const [i, [code, failureType]] of cases.entries()) {
      expect(tr.get(vals[i].phone), String(code)).to.include({ trace_status: 'error', failure_type: failureType, failure_reason: `Twilio says ${code}` });
    }
  });

  it('429 answers: Retry-After honoured, every SMS sent once', async () => {
    b.fake.throttle = { count: 5, retryAfter: 1 };
    const before = b.fake.messages.size;
    const vals = Array.from({ length: 30 }, (_, i) => ({ name: `T${i}`, phone: `+32472${String(100000 + i)}` }));
    const ids: number[] = await b.t.call('res.partner', 'create', [vals]);
    const mailing = await partnerMailing(b.t, ids, 'Throttled');
    await b.t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    await smsEngine(b.t.registry).processQueue({ inlineRetryMs: 10_000 });
    expect(b.fake.throttled).to.equal(5);
    expect(b.fake.messages.size - before).to.equal(30);
    for (const v of vals) expect(b.fake.sentTo(v.phone)).to.have.length(1);
    expect([...(await traces(mailing)).values()].map((t) => t.trace_status)).to.deep.equal(Array(30).fill('pending'));
  });

  it('an answer lost after Twilio took the message: Twilio is asked, nothing is sent twice', async () => {
    b.fake.cutAfterAccept = 3;
    const vals = Array.from({ length: 10 }, (_, i) => ({ name: `C${i}`, phone: `+32473${String(100000 + i)}` }));
    const ids: number[] = await b.t.call('res.partner', 'create', [vals]);
    const mailing = await partnerMailing(b.t, ids, 'Cut');
    await b.t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    await smsEngine(b.t.registry).processQueue();
    for (const v of vals) expect(b.fake.sentTo(v.phone)).to.have.length(1);
    const { rows } = await b.t.registry.pool.query(`SELECT s.provider_ref FROM sms_sms s WHERE mailing_id = $1`, [mailing]);
    expect(rows.every((r) => r.provider_ref && b.fake.messages.has(r.provider_ref))).to.equal(true);
    expect([...(await traces(mailing)).values()].map((t) => t.trace_status)).to.deep.equal(Array(10).fill('pending'));
  });

  it('Twilio unreachable: the SMS fail with sms_server once the attempts are spent', async () => {
    await b.t.env((env) => setParam(env, 'sms_twilio.api_url', 'http://127.0.0.1:9'));
    await writeSmsSettings(b.t.registry, { sms_max_attempts: 1 });
    try {
      const ids: number[] = await b.t.call('res.partner', 'create', [[{ name: 'Down', phone: '+32474100000' }]]);
      const mailing = await partnerMailing(b.t, ids, 'Down');
      await b.t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
      await new Promise((r) => setTimeout(r, 1100));
      await smsEngine(b.t.registry).processQueue();
      expect((await traces(mailing)).get('+32474100000')).to.include({ trace_status: 'error', failure_type: 'sms_server' });
    } finally {
      await b.t.env((env) => setParam(env, 'sms_twilio.api_url', b.fake.url));
      await writeSmsSettings(b.t.registry, { sms_max_attempts: 6 });
    }
  });
});

import { expect } from 'chai';
import twilio from 'twilio';
import { smsEngine } from '../../models/sms/dispatch.ts';
import { partnerMailing } from '../helpers/mass_mailing_sms.ts';
import { twilioTestbed, type TwilioTestbed } from '../helpers/twilio.ts';

describe('sms_twilio: status callbacks POST /sms_twilio/status/<uuid>', function () {
  this.timeout(60_000);
  let b: TwilioTestbed;
  let mailing: number;
  const phones = Array.from({ length: 6 }, (_, i) => `+32475${String(100000 + i)}`);
  /** Twilio message sid per destination. */
  const sid = (to: string) => b.fake.sentTo(to)[0].sid;

  before(async () => {
    b = await twilioTestbed();
    const ids: number[] = await b.t.call('res.partner', 'create', [phones.map((p, i) => ({ name: `S${i}`, phone: p }))]);
    mailing = await partnerMailing(b.t, ids, 'Status please');
    await b.t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    await smsEngine(b.t.registry).processQueue();
  });
  after(async () => b.close());

  async function trace(number: string): Promise<any> {
    const [t] = await b.t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing], ['sms_number', '=', number]], ['trace_status', 'failure_type', 'failure_reason', 'sent_datetime', 'write_date']]);
    return t;
  }
  async function sms(number: string): Promise<any> {
    const { rows } = await b.t.registry.pool.query(`SELECT uuid, state, failure_type, to_delete FROM sms_sms WHERE number = $1`, [number]);
    return rows[0];
  }

  it('delivered: the trace is sent; the same callback again and a late `sent` change nothing', async () => {
    expect((await trace(phones[0])).trace_status).to.equal('pending');
    expect(await b.fake.statusCallback(sid(phones[0]), 'sent')).to.deep.equal({ status: 200, body: 'OK' });
    expect((await trace(phones[0])).trace_status).to.equal('pending');
    expect(await b.fake.statusCallback(sid(phones[0]), 'delivered')).to.deep.equal({ status: 200, body: 'OK' });
    const delivered = await trace(phones[0]);
    expect(delivered).to.include({ trace_status: 'sent', failure_type: false });
    expect(delivered.sent_datetime).to.be.a('string');
    expect(await sms(phones[0])).to.include({ state: 'sent', to_delete: true });
    expect((await b.fake.statusCallback(sid(phones[0]), 'delivered')).status).to.equal(200);
    expect((await b.fake.statusCallback(sid(phones[0]), 'sent')).status).to.equal(200);
    expect(await trace(phones[0])).to.deep.equal(delivered);
    expect((await sms(phones[0])).state).to.equal('sent');
  });

  it('undelivered 30003: a bounce with the error message; failed without code: an unknown error', async () => {
    await b.fake.statusCallback(sid(phones[1]), 'undelivered', { ErrorCode: '30003', ErrorMessage: 'Unreachable destination handset' });
    expect(await trace(phones[1])).to.include({ trace_status: 'bounce', failure_type: 'sms_invalid_destination', failure_reason: 'Unreachable destination handset' });
    await b.fake.statusCallback(sid(phones[2]), 'failed');
    expect(await trace(phones[2])).to.include({ trace_status: 'error', failure_type: 'unknown' });
    await b.fake.statusCallback(sid(phones[3]), 'undelivered', { ErrorCode: '30099' });
    expect(await trace(phones[3])).to.include({ trace_status: 'error', failure_type: 'sms_not_delivered' });
    const [m] = await b.t.call('mailing.mailing', 'read', [[mailing], ['delivered', 'bounced', 'failed']]);
    expect(m).to.include({ delivered: 1, bounced: 1, failed: 2 });
  });

  it('forged, malformed or unknown callbacks get 404 and change nothing', async () => {
    const s = await sms(phones[4]);
    const url = `${b.baseUrl}/sms_twilio/status/${s.uuid}`;
    const params = { SmsSid: sid(phones[4]), SmsStatus: 'delivered', MessageStatus: 'delivered', MessageSid: sid(phones[4]), AccountSid: b.fake.accountSid, To: phones[4], From: '+3225550000', ApiVersion: '2010-04-01' };
    const before = await trace(phones[4]);
    // another token, a bad signature, no signature, a signature over other fields
    expect((await b.fake.postSigned(url, params, { token: 'not-the-token' })).status).to.equal(404);
    expect((await b.fake.postSigned(url, params, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).status).to.equal(404);
    expect((await b.fake.postSigned(url, params, { signature: '' })).status).to.equal(404);
    expect((await b.fake.postSigned(url, params, { signature: twilio.getExpectedTwilioSignature(b.fake.authToken, url, { ...params, SmsStatus: 'sent' }) })).status).to.equal(404);
    // malformed uuid, unknown status (well signed)
    expect((await b.fake.postSigned(`${b.baseUrl}/sms_twilio/status/bogus-uuid`, params)).status).to.equal(404);
    expect((await b.fake.postSigned(`${b.baseUrl}/sms_twilio/status/${s.uuid.toUpperCase()}`, params)).status).to.equal(404);
    expect((await b.fake.postSigned(url, { ...params, SmsStatus: 'weird', MessageStatus: 'weird' })).status).to.equal(404);
    const page = await fetch(url);
    expect(page.status).to.equal(405);
    expect(await trace(phones[4])).to.deep.equal(before);
    expect((await sms(phones[4])).state).to.equal('pending');
    // a well-signed callback for a uuid we do not know: 200, empty
    expect(await b.fake.postSigned(`${b.baseUrl}/sms_twilio/status/${'0123456789abcdef'.repeat(2)}`, params)).to.deep.equal({ status: 200, body: '' });
  });

  it('a company without auth token answers 404 (Odoo 19 answers 500)', async () => {
    const s = await sms(phones[5]);
    const params = { SmsSid: sid(phones[5]), SmsStatus: 'delivered', MessageSid: sid(phones[5]) };
    await b.t.call('res.company', 'write', [[1], { sms_twilio_auth_token: false }]);
    try {
      const res = await b.fake.postSigned(`${b.baseUrl}/sms_twilio/status/${s.uuid}`, params);
      expect(res.status).to.equal(404);
      expect((await trace(phones[5])).trace_status).to.equal('pending');
    } finally {
      await b.t.call('res.company', 'write', [[1], { sms_twilio_auth_token: b.fake.authToken }]);
    }
  });
});

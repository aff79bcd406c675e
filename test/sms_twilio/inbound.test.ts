import { expect } from 'chai';
import { smsEngine } from '../../models/sms/dispatch.ts';
import { partnerMailing } from '../helpers/mass_mailing_sms.ts';
import { twilioTestbed, type TwilioTestbed } from '../helpers/twilio.ts';
import { collideOn } from '../helpers/races.ts';

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

describe('sms_twilio: inbound messages POST /sms_twilio/inbound', function () {
  this.timeout(60_000);
  let b: TwilioTestbed;
  let partner: number;
  let mailing: number;
  const number = '+32477100000';
  let seq = 0;
  const inbound = (body: string, extra: Record<string, string> = {}, opts = {}) =>
    b.fake.postSigned(`${b.baseUrl}/sms_twilio/inbound`, { MessageSid: `SM${String(++seq).padStart(32, '0')}`, AccountSid: b.fake.accountSid, From: number, To: '+3225550000', Body: body, ...extra }, opts);

  before(async () => {
    b = await twilioTestbed();
    [partner] = await b.t.call('res.partner', 'create', [[{ name: 'Replier', phone: '+32 477 10 00 00' }]]);
    mailing = await partnerMailing(b.t, [partner], 'Big news');
    await b.t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    await smsEngine(b.t.registry).processQueue();
  });
  after(async () => b.close());

  async function blacklist(of = number): Promise<{ active: boolean; notes: string[] } | null> {
    const bls = await b.t.call('phone.blacklist', 'search_read', [[['number', '=', of]], ['active']], { context: { active_test: false } });
    expect(bls.length).to.be.at.most(1);
    const [bl] = bls;
    if (!bl) return null;
    const msgs = await b.t.call('mail.message', 'search_read', [[['model', '=', 'phone.blacklist'], ['res_id', '=', bl.id]], ['body']], { order: 'id' });
    return { active: bl.active, notes: msgs.map((m: { body: string }) => m.body) };
  }

  it('" stop " blacklists the sender with a note naming the keyword and the time; the next mailing cancels it', async () => {
    const res = await inbound(' stop ');
    expect(res).to.deep.equal({ status: 200, body: EMPTY });
    const bl = await blacklist();
    expect(bl?.active).to.equal(true);
    expect(bl?.notes.join()).to.match(/replied STOP by SMS on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\)/);
    const next = await partnerMailing(b.t, [partner], 'Another one');
    await b.t.call('mailing.mailing', 'action_send_sms', [[next]]);
    const [trace] = await b.t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', next]], ['trace_status', 'failure_type']]);
    expect(trace).to.include({ trace_status: 'cancel', failure_type: 'sms_blacklist' });
  });

  it('START lifts the blacklist with a note; a replayed webhook changes nothing twice', async () => {
    const notes = (await blacklist())!.notes.length;
    const params = { MessageSid: 'SM' + 'f'.repeat(32), AccountSid: b.fake.accountSid, From: number, To: '+3225550000', Body: 'Start' };
    for (let i = 0; i < 2; i++) expect(await b.fake.postSigned(`${b.baseUrl}/sms_twilio/inbound`, params)).to.deep.equal({ status: 200, body: EMPTY });
    const bl = await blacklist();
    expect(bl?.active).to.equal(false);
    expect(bl?.notes).to.have.length(notes + 1);
    expect(bl?.notes.at(-1)).to.match(/replied START by SMS/);
    expect(await b.t.call('sms.inbound', 'search_count', [[['message_sid', '=', params.MessageSid]]])).to.equal(1);
  });

  it('HELP / INFO answer the configured text in TwiML', async () => {
    expect((await inbound('help')).body).to.equal('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Reply STOP to unsubscribe, START to subscribe again.</Message></Response>');
    const id = await b.t.call('res.config.settings', 'create', [{ sms_twilio_help_text: 'ACME: reply STOP to opt out. Help: acme.example/sms & more' }]);
    await b.t.call('res.config.settings', 'execute', [[id]]);
    expect((await inbound('INFO')).body).to.contain('<Message>ACME: reply STOP to opt out. Help: acme.example/sms &amp; more</Message>');
  });

  it('other messages are stored with the contact and the last mailing that reached the number', async () => {
    await inbound('STOP PLEASE, who is this?');
    const [msg] = await b.t.call('sms.inbound', 'search_read', [[['body', '=', 'STOP PLEASE, who is this?']], ['number', 'keyword', 'mailing_id', 'res_model', 'res_id', 'to_number']]);
    expect(msg).to.include({ number, keyword: false, res_model: 'res.partner', res_id: partner, to_number: '+3225550000' });
    expect(msg.mailing_id[0]).to.equal(mailing);
    expect((await blacklist())!.active).to.equal(false);
  });

  it('unsigned or forged webhooks get 404 and change nothing', async () => {
    const before = await b.t.call('sms.inbound', 'search_count', [[]]);
    expect((await inbound('STOP', {}, { token: 'forged' })).status).to.equal(404);
    expect((await inbound('STOP', {}, { signature: '' })).status).to.equal(404);
    expect(await b.t.call('sms.inbound', 'search_count', [[]])).to.equal(before);
    expect((await blacklist())!.active).to.equal(false);
  });

  it('the same keyword from one number twice at once (a retry, a double send): both answered as one, one entry and one note', async () => {
    for (const [word, from, active, note] of [['STOP', '+32477100001', true, /replied STOP by SMS/], ['START', '+32477100002', false, /replied START by SMS/]] as const) {
      const send = () => b.fake.postSigned(`${b.baseUrl}/sms_twilio/inbound`, { MessageSid: `SM${String(++seq).padStart(32, '0')}`, AccountSid: b.fake.accountSid, From: from, To: '+3225550000', Body: word });
      // both have looked the number up before either adds it
      const answers = await collideOn(b.t.registry, 'phone_blacklist', 2, () => [send(), send()]);
      for (const a of answers) expect(a).to.deep.equal({ status: 'fulfilled', value: { status: 200, body: EMPTY } });
      const bl = await blacklist(from);
      expect(bl?.active).to.equal(active);
      expect(bl?.notes).to.have.length(2);
      expect(bl?.notes[0]).to.equal('<p>Phone Blacklist created</p>');
      expect(bl?.notes[1]).to.match(note);
      expect(await b.t.call('sms.inbound', 'search_count', [[['number', '=', from]]])).to.equal(2);
    }
  });

  it('one webhook delivered twice at once (Twilio retrying): stored once, acted on once', async () => {
    const from = '+32477100003';
    const params = { MessageSid: 'SM' + 'e'.repeat(32), AccountSid: b.fake.accountSid, From: from, To: '+3225550000', Body: 'STOP' };
    const answers = await collideOn(b.t.registry, 'sms_inbound', 2, () => [0, 1].map(() => b.fake.postSigned(`${b.baseUrl}/sms_twilio/inbound`, params)));
    for (const a of answers) expect(a).to.deep.equal({ status: 'fulfilled', value: { status: 200, body: EMPTY } });
    expect(await b.t.call('sms.inbound', 'search_count', [[['message_sid', '=', params.MessageSid]]])).to.equal(1);
    expect((await blacklist(from))?.notes).to.have.length(2);
  });
});

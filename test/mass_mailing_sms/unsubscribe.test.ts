// The opt-out line of SMS mailings (`sms_allow_unsubscribe`): in the prepared bodies, in the
// mailing's length fields and in the price of the SMS.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { modelId, partnerMailing, smsOf, tracesByRes } from '../helpers/mass_mailing_sms.ts';

const BASE = 'https://sms.example.test';

describe('mass_mailing_sms: the STOP SMS opt-out line', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
    await t.call('ir.config_parameter', 'set_param', ['web.base.url', BASE]);
  });
  after(async () => t.close());

  it('each sent SMS ends with "\\nSTOP SMS: <base>/sms/<mailing>/<its trace code>"; cancelled recipients get none', async () => {
    const ids: number[] = await t.call('res.partner', 'create', [[
      { name: 'P1', phone: '+32 470 10 00 01' }, { name: 'P2', phone: '+32 470 10 00 02' }, { name: 'P3', phone: 'nope' },
    ]]);
    for (const body of ['Sale today', 'Hi {{ object.name }}']) {
      const mailing = await partnerMailing(t, ids, body, { sms_allow_unsubscribe: true });
      await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
      const traces = await tracesByRes(t, mailing);
      const sms = new Map((await smsOf(t, mailing)).map((s) => [s.id, s]));
      expect(sms.size).to.equal(2);
      for (const [i, id] of ids.slice(0, 2).entries()) {
        const trace = traces.get(id)!;
        const text = body.includes('{{') ? `Hi P${i + 1}` : body;
        expect(sms.get(trace.sms_id_int)!.body).to.equal(`${text}\nSTOP SMS: ${BASE}/sms/${mailing}/${trace.sms_code}`);
      }
      expect(traces.get(ids[2])).to.include({ trace_status: 'cancel', failure_type: 'sms_number_format' });
      expect(traces.get(ids[2])!.sms_code).to.match(/^[A-Za-z0-9]{3}$/);
    }
  });

  it('trace codes are 3 characters of [A-Za-z0-9], drawn per recipient', async () => {
    const ids: number[] = await t.call('res.partner', 'create', [Array.from({ length: 200 }, (_, i) => ({ name: `R${i}`, phone: `+32 470 20 ${String(1000 + i).slice(1, 3)} ${String(100 + i).slice(1)}` }))]);
    const mailing = await partnerMailing(t, ids, 'x', { sms_allow_unsubscribe: true });
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const codes = [...(await tracesByRes(t, mailing)).values()].map((tr) => tr.sms_code as string);
    expect(codes.every((c) => /^[A-Za-z0-9]{3}$/.test(c))).to.equal(true);
    expect(new Set(codes).size).to.be.greaterThan(150);
  });

  it('without sms_allow_unsubscribe (the default) bodies are left alone', async () => {
    const [p] = await t.call('res.partner', 'create', [[{ name: 'Plain', phone: '+32 470 30 00 01' }]]);
    const mailing = await partnerMailing(t, [p], 'No stop line');
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    expect((await smsOf(t, mailing)).map((s) => s.body)).to.deep.equal(['No stop line']);
  });

  it('the STOP line counts in the mailing\'s length fields and in the price of its SMS', async () => {
    const [p] = await t.call('res.partner', 'create', [[{ name: 'Long', phone: '+32 470 40 00 01' }]]);
    const body = 'a'.repeat(120);
    const mailing = await partnerMailing(t, [p], body);
    const fields = ['sms_encoding', 'sms_character_count', 'sms_segment_count'];
    expect((await t.call('mailing.mailing', 'read', [[mailing], fields]))[0]).to.include({ sms_encoding: 'GSM7', sms_character_count: 120, sms_segment_count: 1 });
    await t.call('mailing.mailing', 'write', [[mailing], { sms_allow_unsubscribe: true }]);
    const stop = `\nSTOP SMS: ${BASE}/sms/${mailing}/xxx`;
    expect((await t.call('mailing.mailing', 'read', [[mailing], fields]))[0]).to.include({ sms_character_count: 120 + stop.length, sms_segment_count: 2 });
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const sms = await smsOf(t, mailing);
    expect(sms[0].body).to.have.length(120 + stop.length);
    expect(await t.call('sms.sms', 'estimate_cost', [sms.map((s) => s.id)])).to.include({ count: 1, segments: 2 });
  });

  it('with "keep archives", the SMS note on the recipient carries the STOP line too (as Odoo logs the SMS body)', async () => {
    const [l] = await t.call('mailing.list', 'create', [[{ name: 'Archived' }]]);
    const [c] = await t.call('mailing.contact', 'create', [[{ name: 'Kept', mobile: '+32 470 50 00 01', list_ids: [[6, 0, [l]]] }]]);
    const mailing = await t.call('mailing.mailing', 'create', [{
      subject: 'Kept', mailing_type: 'sms', mailing_model_id: await modelId(t, 'mailing.list'), contact_list_ids: [[6, 0, [l]]], body_plaintext: 'Keep me',
      sms_allow_unsubscribe: true, keep_archives: true,
    }]);
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const code = (await tracesByRes(t, mailing)).get(c)!.sms_code;
    const notes = await t.call('mail.message', 'search_read', [[['model', '=', 'mailing.contact'], ['res_id', '=', c], ['message_type', '=', 'sms']], ['body']]);
    expect(notes.map((n: { body: string }) => n.body)).to.deep.equal([`<p>Keep me\nSTOP SMS: ${BASE}/sms/${mailing}/${code}</p>`]);
  });
});

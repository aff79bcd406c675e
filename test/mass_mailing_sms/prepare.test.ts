// Recipients, classification and trace creation of SMS mailings (Odoo's sms.composer mass mode).

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { modelId, partnerMailing, smsOf, tracesByRes } from '../helpers/mass_mailing_sms.ts';

describe('mass_mailing_sms: preparing an SMS mailing', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('10 partners: 10 traces, 10 outgoing SMS with bodies rendered per partner', async () => {
    const ids: number[] = await t.call('res.partner', 'create', [Array.from({ length: 10 }, (_, i) => ({ name: `Customer ${i}`, phone: `+32 470 00 00 ${String(10 + i)}` }))]);
    const mailing = await partnerMailing(t, ids, 'Hello {{ object.name }}, see you {{ object.city |||soon}}!');
    expect(await t.call('mailing.mailing', 'action_send_sms', [[mailing]])).to.equal(true);
    const traces = await tracesByRes(t, mailing);
    expect([...traces.keys()].sort()).to.deep.equal([...ids].sort());
    const sms = await smsOf(t, mailing);
    expect(sms).to.have.length(10);
    const byId = new Map(sms.map((s) => [s.id, s]));
    for (const [i, id] of ids.entries()) {
      const trace = traces.get(id)!;
      expect(trace).to.include({ trace_status: 'outgoing', failure_type: false, trace_type: 'sms', model: 'res.partner', sms_number: `+324700000${10 + i}` });
      expect(trace.sms_code).to.match(/^[A-Za-z0-9]{3}$/);
      const s = byId.get(trace.sms_id_int)!;
      expect(s).to.include({ state: 'outgoing', number: `+324700000${10 + i}`, body: `Hello Customer ${i}, see you soon!` });
      expect(s.partner_id).to.deep.equal([id, `Customer ${i}`]);
      expect(s.uuid).to.match(/^[0-9a-f]{32}$/);
    }
    const [stats] = await t.call('mailing.mailing', 'read', [[mailing], ['expected', 'scheduled', 'canceled', 'total', 'state']]);
    expect(stats).to.include({ expected: 10, scheduled: 10, canceled: 0, total: 10, state: 'draft' });
  });

  it('classifies blacklisted, duplicate, missing and malformed numbers as cancelled traces without SMS', async () => {
    const [ok, dup1, dup2, bl, empty, bad] = await t.call('res.partner', 'create', [[
      { name: 'A ok', phone: '+32 470 11 11 11' },
      { name: 'B dup', phone: '+32 470 22 22 22' },
      { name: 'C dup', phone: '+32470222222' },
      { name: 'D blacklisted', phone: '+32 470 33 33 33' },
      { name: 'E empty' },
      { name: 'F bad', phone: 'abcd' },
    ]]);
    await t.call('phone.blacklist', 'create', [{ number: '+32470333333' }]);
    const mailing = await partnerMailing(t, [ok, dup1, dup2, bl, empty, bad], 'Hi');
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const traces = await tracesByRes(t, mailing);
    expect(traces.size).to.equal(6);
    expect(traces.get(ok)).to.include({ trace_status: 'outgoing', failure_type: false });
    // Recipients come in the model's order (complete_name ASC): "B dup" is met first.
    expect(traces.get(dup1)).to.include({ trace_status: 'outgoing', failure_type: false, sms_number: '+32470222222' });
    expect(traces.get(dup2)).to.include({ trace_status: 'cancel', failure_type: 'sms_duplicate', sms_number: '+32470222222', sms_id_int: 0 });
    expect(traces.get(bl)).to.include({ trace_status: 'cancel', failure_type: 'sms_blacklist', sms_number: '+32470333333' });
    expect(traces.get(empty)).to.include({ trace_status: 'cancel', failure_type: 'sms_number_missing', sms_number: false });
    expect(traces.get(bad)).to.include({ trace_status: 'cancel', failure_type: 'sms_number_format', sms_number: 'abcd' });
    const sms = await smsOf(t, mailing);
    expect(sms.map((s) => s.number).sort()).to.deep.equal(['+32470111111', '+32470222222']);
    const [stats] = await t.call('mailing.mailing', 'read', [[mailing], ['expected', 'scheduled', 'canceled', 'received_ratio']]);
    expect(stats).to.include({ expected: 6, scheduled: 2, canceled: 4 });
  });

  it('without the exclusion list, blacklisted numbers are sent to', async () => {
    const [p] = await t.call('res.partner', 'create', [[{ name: 'Blacklisted but forced', phone: '+32 470 44 44 44' }]]);
    await t.call('phone.blacklist', 'create', [{ number: '+32470444444' }]);
    const mailing = await partnerMailing(t, [p], 'Hi', { use_exclusion_list: false });
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    expect((await tracesByRes(t, mailing)).get(p)).to.include({ trace_status: 'outgoing' });
  });

  it('list mailing: contacts opted out of every targeted list are cancelled (sms_optout)', async () => {
    const [l1, l2] = await t.call('mailing.list', 'create', [[{ name: 'L1' }, { name: 'L2' }]]);
    const [out, inOther, fine] = await t.call('mailing.contact', 'create', [[
      { name: 'Opted out', mobile: '+32 470 55 55 51', list_ids: [[6, 0, [l1]]] },
      { name: 'Out of L1, in L2', mobile: '+32 470 55 55 52', list_ids: [[6, 0, [l1, l2]]] },
      { name: 'Subscribed', mobile: '+32 470 55 55 53', list_ids: [[6, 0, [l1]]] },
    ]]);
    const subs = await t.call('mailing.subscription', 'search', [[['contact_id', 'in', [out, inOther]], ['list_id', '=', l1]]]);
    await t.call('mailing.subscription', 'write', [subs, { opt_out: true }]);
    const mailing = await t.call('mailing.mailing', 'create', [{ subject: 'List', mailing_type: 'sms', mailing_model_id: await modelId(t, 'mailing.list'), contact_list_ids: [[6, 0, [l1, l2]]], body_plaintext: 'Hello {{ object.name }}' }]);
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const traces = await tracesByRes(t, mailing);
    expect(traces.size).to.equal(3);
    expect(traces.get(out)).to.include({ trace_status: 'cancel', failure_type: 'sms_optout', model: 'mailing.contact', sms_number: '+32470555551' });
    expect(traces.get(inOther)).to.include({ trace_status: 'outgoing' });
    expect(traces.get(fine)).to.include({ trace_status: 'outgoing' });
    const sms = await smsOf(t, mailing);
    expect(sms.map((s) => s.body).sort()).to.deep.equal(['Hello Out of L1, in L2', 'Hello Subscribed']);
    // mailing.contact has no customer: no partner on the SMS.
    expect(sms.every((s) => s.partner_id === false)).to.equal(true);
  });

  it('sending again only reaches the recipients without a trace', async () => {
    const tag = `resume-${Date.now()}`;
    const first: number[] = await t.call('res.partner', 'create', [Array.from({ length: 4 }, (_, i) => ({ name: `${tag} ${i}`, phone: `+32 470 66 66 6${i}` }))]);
    const mailing = await t.call('mailing.mailing', 'create', [{ subject: 'Resume', mailing_type: 'sms', mailing_model_id: await modelId(t, 'res.partner'), body_plaintext: 'Hi', mailing_domain: `[('name', 'like', '${tag}')]` }]);
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    expect((await tracesByRes(t, mailing)).size).to.equal(4);
    // Nothing left: a second run creates nothing.
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    expect((await tracesByRes(t, mailing)).size).to.equal(4);
    expect(await smsOf(t, mailing)).to.have.length(4);
    // New matching records (e.g. the first run stopped half-way): only they are prepared.
    const more: number[] = await t.call('res.partner', 'create', [[{ name: `${tag} 8`, phone: '+32 470 66 66 68' }, { name: `${tag} 9`, phone: '+32 470 66 66 60' }]]);
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const traces = await tracesByRes(t, mailing);
    expect(traces.size).to.equal(6);
    expect(traces.get(more[0])).to.include({ trace_status: 'outgoing' });
    // +32470666660 was already sent to in the first run by another record: Odoo's duplicate check
    // is per run, so this record is sent to as well.
    expect(traces.get(more[1])).to.include({ trace_status: 'outgoing' });
    const sms = await smsOf(t, mailing);
    expect(sms).to.have.length(6);
    expect(new Set([...traces.values()].map((x) => x.sms_id_int)).size).to.equal(6);
    void first;
  });

  it('explicit res_ids: records already traced by the mailing are cancelled as duplicates', async () => {
    const [a, b] = await t.call('res.partner', 'create', [[{ name: 'Explicit A', phone: '+32 470 77 77 71' }, { name: 'Explicit B', phone: '+32 470 77 77 72' }]]);
    const mailing = await partnerMailing(t, [a, b], 'Hi');
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]], { res_ids: [a] });
    expect([...(await tracesByRes(t, mailing)).keys()]).to.deep.equal([a]);
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]], { res_ids: [a, b] });
    const rows = await t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['res_id', 'trace_status', 'failure_type']], { order: 'id' });
    expect(rows.map((r: { res_id: number; trace_status: string; failure_type: string | false }) => [r.res_id, r.trace_status, r.failure_type])).to.deep.equal([
      [a, 'outgoing', false],
      [a, 'cancel', 'sms_duplicate'],
      [b, 'outgoing', false],
    ]);
  });

  it('default recipients domain: lists for list mailings, none for partners', async () => {
    const [l1, l2] = await t.call('mailing.list', 'create', [[{ name: 'Dom 1' }, { name: 'Dom 2' }]]);
    const listModel = await modelId(t, 'mailing.list');
    const partnerModel = await modelId(t, 'res.partner');
    const noList = await t.call('mailing.mailing', 'create', [{ subject: 'No list', mailing_type: 'sms' }]);
    const withLists = await t.call('mailing.mailing', 'create', [{ subject: 'Lists', mailing_type: 'sms', contact_list_ids: [[6, 0, [l1, l2]]] }]);
    const onPartners = await t.call('mailing.mailing', 'create', [{ subject: 'Partners', mailing_type: 'sms', mailing_model_id: partnerModel }]);
    const read = async (id: number) => (await t.call('mailing.mailing', 'read', [[id], ['mailing_domain', 'mailing_model_id', 'mailing_model_real', 'mailing_on_mailing_list', 'mailing_model_name']]))[0];
    const a = await read(noList);
    expect(a.mailing_model_id[0]).to.equal(listModel);
    expect(a).to.include({ mailing_domain: "[('list_ids', 'in', [])]", mailing_model_real: 'mailing.contact', mailing_on_mailing_list: true, mailing_model_name: 'mailing.list' });
    expect((await read(withLists)).mailing_domain).to.equal(`[('list_ids', 'in', [${Math.min(l1, l2)}, ${Math.max(l1, l2)}])]`);
    expect(await read(onPartners)).to.include({ mailing_domain: '[]', mailing_model_real: 'res.partner', mailing_on_mailing_list: false });
    // Changing the lists or the model recomputes the domain (a hand-written one is replaced).
    await t.call('mailing.mailing', 'write', [[withLists], { contact_list_ids: [[3, l2]] }]);
    expect((await read(withLists)).mailing_domain).to.equal(`[('list_ids', 'in', [${l1}])]`);
    await t.call('mailing.mailing', 'write', [[onPartners], { mailing_domain: "[('name', '=', 'x')]" }]);
    expect((await read(onPartners)).mailing_domain).to.equal("[('name', '=', 'x')]");
    await t.call('mailing.mailing', 'write', [[onPartners], { mailing_model_id: listModel }]);
    expect((await read(onPartners)).mailing_domain).to.equal("[('list_ids', 'in', [])]");
    // A domain written together with the model wins.
    await t.call('mailing.mailing', 'write', [[onPartners], { mailing_model_id: partnerModel, mailing_domain: "[('id', '=', 1)]" }]);
    expect((await read(onPartners)).mailing_domain).to.equal("[('id', '=', 1)]");
  });

  it('refuses placeholders that are not fields of the recipients model', async () => {
    const partnerModel = await modelId(t, 'res.partner');
    let err: any;
    try {
      await t.call('mailing.mailing', 'create', [{ subject: 'Bad', mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: 'Hi {{ object.nickname }}' }]);
    } catch (e) {
      err = e;
    }
    expect(err?.odooName).to.equal('odoo.exceptions.UserError');
    expect(err.message).to.contain('object.nickname');
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'Good', mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: 'Hi {{ object.country_id.name or "there" }}' }]);
    err = undefined;
    try {
      await t.call('mailing.mailing', 'write', [[id], { body_plaintext: 'Hi {{ object.name.first }}' }]);
    } catch (e) {
      err = e;
    }
    expect(err?.odooName).to.equal('odoo.exceptions.UserError');
    // Changing the model re-checks the body: mailing contacts have no country_id.name path issue
    // but partners' `city` is not a field of mailing.contact.
    await t.call('mailing.mailing', 'write', [[id], { body_plaintext: 'Hi {{ object.city }}' }]);
    err = undefined;
    try {
      await t.call('mailing.mailing', 'write', [[id], { mailing_model_id: await modelId(t, 'mailing.list') }]);
    } catch (e) {
      err = e;
    }
    expect(err?.odooName).to.equal('odoo.exceptions.UserError');
  });

  it('renders relations and falls back on defaults', async () => {
    const [be] = await t.call('res.country', 'search', [[['code', '=', 'BE']]]);
    const [p1, p2] = await t.call('res.partner', 'create', [[{ name: 'Rel 1', phone: '+32 470 88 88 81', country_id: be }, { name: 'Rel 2', phone: '+32 470 88 88 82' }]]);
    const mailing = await partnerMailing(t, [p1, p2], '{{ object.name }} from {{ object.country_id.name or "nowhere" }} ({{ object.country_id |||?}})');
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const bodies = (await smsOf(t, mailing)).map((s) => s.body).sort();
    expect(bodies).to.deep.equal(['Rel 1 from Belgium (Belgium)', 'Rel 2 from nowhere (?)']);
  });

  it('keep archives: each sent SMS is logged on its recipient', async () => {
    const [a, b] = await t.call('res.partner', 'create', [[{ name: 'Log <A>', phone: '+32 470 99 99 91' }, { name: 'Log B' }]]);
    const mailing = await partnerMailing(t, [a, b], 'Hi {{ object.name }} & co', { keep_archives: true });
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const notes = await t.call('mail.message', 'search_read', [[['model', '=', 'res.partner'], ['res_id', 'in', [a, b]], ['message_type', '=', 'sms']], ['res_id', 'body', 'subtype_id']]);
    expect(notes).to.have.length(1);
    expect(notes[0]).to.include({ res_id: a, body: '<p>Hi Log &lt;A&gt; &amp; co</p>' });
    // default_get: SMS mailings created from the SMS screens keep archives.
    expect((await t.call('mailing.mailing', 'default_get', [['keep_archives', 'mailing_type']], { context: { default_mailing_type: 'sms' } })).keep_archives).to.equal(true);
  });

  it('two concurrent sends of the same mailing never message anyone twice', async () => {
    const ids: number[] = await t.call('res.partner', 'create', [Array.from({ length: 30 }, (_, i) => ({ name: `Race ${i}`, phone: `+32 475 00 00 ${String(10 + i)}` }))]);
    const mailing = await partnerMailing(t, ids, 'Race');
    await Promise.all([t.call('mailing.mailing', 'action_send_sms', [[mailing]]), t.call('mailing.mailing', 'action_send_sms', [[mailing]])]);
    const traces = await t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['res_id']]);
    expect(traces).to.have.length(30);
    expect(await smsOf(t, mailing)).to.have.length(30);
  });
});

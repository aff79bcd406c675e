// The send-SMS wizard in mass mode, with and without a mailing: the mailings' classification
// (numbers, exclusion list, duplicates), the chatter log, sending now; recipient counts.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { configureSmsEngine } from '../../models/sms/dispatch.ts';
import { fastSettings, setBalance } from '../helpers/sms.ts';

describe('sms.composer: mass mode and recipients', () => {
  let t: TestRegistry;
  let ids: number[];
  let contactModel: number;

  const smsOfRecords = async (body: string) =>
    (await t.registry.pool.query(`SELECT number, state, failure_type FROM sms_sms WHERE body = $1 ORDER BY id`, [body])).rows.map((r) => [r.number, r.state, r.failure_type]);

  before(async () => {
    t = await testRegistry();
    configureSmsEngine(t.registry, { logger: testLogger() });
    await fastSettings(t.registry, { sms_simulator_delivery_delay: 600_000 });
    await setBalance(t.registry, 1000);
    [contactModel] = await t.call('ir.model', 'search', [[['model', '=', 'mailing.contact']]]);
    ids = await t.call('mailing.contact', 'create', [[
      { name: 'Valid', mobile: '+32470500001' },
      { name: 'Same number', mobile: '+32470500001' },
      { name: 'Blacklisted', mobile: '+32470500003' },
      { name: 'No number' },
      { name: 'Bad number', mobile: '12' },
    ]]);
    await t.call('phone.blacklist', 'create', [{ number: '+32470500003' }]);
  });
  after(async () => t.close());

  it('counts valid and invalid recipients', async () => {
    const composer = await t.call('sms.composer', 'create', [{ res_model: 'mailing.contact', res_ids: ids, body: 'x' }], { context: { sms_composition_mode: 'guess' } });
    const [c] = await t.call('sms.composer', 'read', [[composer], ['composition_mode', 'res_ids', 'res_ids_count', 'recipient_valid_count', 'recipient_invalid_count', 'res_model_description']]);
    expect(c).to.include({ composition_mode: 'mass', res_ids: `[${ids.join(', ')}]`, res_ids_count: 5, recipient_valid_count: 3, recipient_invalid_count: 2, res_model_description: 'Mailing Contact' });
  });

  it('takes its records from the calling screen (active_model, active_ids)', async () => {
    const defaults = await t.call('sms.composer', 'default_get', [['res_model', 'res_ids', 'res_id', 'mass_keep_log', 'use_exclusion_list']], { context: { active_model: 'mailing.contact', active_ids: ids.slice(0, 2) } });
    expect(defaults).to.deep.equal({ res_model: 'mailing.contact', res_ids: `[${ids[0]}, ${ids[1]}]`, mass_keep_log: true, use_exclusion_list: true });
    const single = await t.call('sms.composer', 'default_get', [['res_model', 'res_ids', 'res_id']], { context: { active_model: 'mailing.contact', active_id: ids[0], active_ids: [ids[0]] } });
    expect(single).to.deep.equal({ res_model: 'mailing.contact', res_id: ids[0] });
  });

  it('without a mailing: one SMS per record, cancelled as mailings cancel them, and a note per record', async () => {
    const composer = await t.call('sms.composer', 'create', [{ composition_mode: 'mass', res_model: 'mailing.contact', res_ids: ids, body: 'Mass {{ object.name }}' }]);
    await t.call('sms.composer', 'action_send_sms', [[composer]]);
    const rows = (await t.registry.pool.query(`SELECT number, body, state, failure_type FROM sms_sms WHERE body LIKE 'Mass %' ORDER BY id`)).rows.map((r) => [r.number, r.body, r.state, r.failure_type]);
    expect(rows).to.deep.equal([
      ['+32470500001', 'Mass Valid', 'outgoing', null],
      ['+32470500001', 'Mass Same number', 'canceled', 'sms_duplicate'],
      ['+32470500003', 'Mass Blacklisted', 'canceled', 'sms_blacklist'],
      [null, 'Mass No number', 'canceled', 'sms_number_missing'],
      ['12', 'Mass Bad number', 'canceled', 'sms_number_format'],
    ]);
    const notes = await t.call('mail.message', 'search_count', [[['model', '=', 'mailing.contact'], ['res_id', 'in', ids], ['message_type', '=', 'sms']]]);
    expect(notes).to.equal(5);
  });

  it('without the exclusion list, sent now, without a note', async () => {
    const composer = await t.call('sms.composer', 'create', [{
      composition_mode: 'mass', res_model: 'mailing.contact', res_ids: ids.slice(2, 3), body: 'Important', use_exclusion_list: false, mass_keep_log: false,
    }]);
    await t.call('sms.composer', 'action_send_sms_mass_now', [[composer]]);
    expect(await smsOfRecords('Important')).to.deep.equal([['+32470500003', 'pending', null]]);
    const notes = await t.call('mail.message', 'search_count', [[['model', '=', 'mailing.contact'], ['res_id', '=', ids[2]], ['message_type', '=', 'sms']]]);
    expect(notes).to.equal(1);
  });

  it('with a mailing: the mailing\'s preparation for these records (traces, no SMS for cancelled ones)', async () => {
    const mailing = await t.call('mailing.mailing', 'create', [{ subject: 'Via wizard', mailing_type: 'sms', mailing_model_id: contactModel, body_plaintext: 'ignored' }]);
    const composer = await t.call('sms.composer', 'create', [{
      composition_mode: 'mass', res_model: 'mailing.contact', res_ids: ids, mailing_id: mailing, body: 'Wizard {{ object.name }}', mass_sms_allow_unsubscribe: false,
    }]);
    await t.call('sms.composer', 'action_send_sms', [[composer]]);
    const traces = await t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['res_id', 'trace_status', 'failure_type']], { order: 'res_id' });
    expect(traces.map((r: any) => [r.res_id, r.trace_status, r.failure_type])).to.deep.equal([
      [ids[0], 'outgoing', false], [ids[1], 'cancel', 'sms_duplicate'], [ids[2], 'cancel', 'sms_blacklist'], [ids[3], 'cancel', 'sms_number_missing'], [ids[4], 'cancel', 'sms_number_format'],
    ]);
    expect(await smsOfRecords('Wizard Valid')).to.deep.equal([['+32470500001', 'outgoing', null]]);
    expect((await t.registry.pool.query(`SELECT count(*)::int AS n FROM sms_sms WHERE body LIKE 'Wizard %'`)).rows[0].n).to.equal(1);
  });
});

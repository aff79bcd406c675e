// UTM: unique names, sources generated from mailings, media, campaigns.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { getUniqueNames, splitNameAndCount } from '../../models/utm/utm_mixin.ts';

describe('utm', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());
  const names = async (model: string, ids: number[]) => (await t.call(model, 'read', [ids, ['name']])).map((r: { name: string }) => r.name);

  it('splits counters like Odoo', () => {
    expect(splitNameAndCount('Medium')).to.deep.equal(['Medium', 1]);
    expect(splitNameAndCount('Medium [1234]')).to.deep.equal(['Medium', 1234]);
    expect(splitNameAndCount('Medium[2]')).to.deep.equal(['Medium[2]', 1]);
  });

  it('unique names fill the first free counters (Odoo\'s docstring example)', async () => {
    await t.call('utm.source', 'create', [{ name: 'test' }]);
    const got = await t.env((env) => getUniqueNames(env, 'utm.source', ['test', 'test [3]', 'bob', 'test', 'test']));
    expect(got).to.deep.equal(['test [2]', 'test [3]', 'bob', 'test [4]', 'test [5]']);
  });

  it('sources, media and campaigns get " [n]" suffixes instead of failing', async () => {
    const [a] = await t.call('utm.source', 'create', [[{ name: 'Spring' }]]);
    const [b, c] = await t.call('utm.source', 'create', [[{ name: 'Spring' }, { name: 'Spring' }]]);
    expect(await names('utm.source', [a, b, c])).to.deep.equal(['Spring', 'Spring [2]', 'Spring [3]']);
    const [m1, m2] = await t.call('utm.medium', 'create', [[{ name: 'Radio' }, { name: 'Radio' }]]);
    expect(await names('utm.medium', [m1, m2])).to.deep.equal(['Radio', 'Radio [2]']);
    const [c1, c2] = await t.call('utm.campaign', 'create', [[{ title: 'Black Friday' }, { name: 'Black Friday' }]]);
    const campaigns = await t.call('utm.campaign', 'read', [[c1, c2], ['name', 'title', 'stage_id', 'user_id']]);
    expect(campaigns.map((r: { name: string; title: string }) => [r.name, r.title])).to.deep.equal([['Black Friday', 'Black Friday'], ['Black Friday [2]', 'Black Friday']]);
    expect(campaigns[0].stage_id[1]).to.equal('New');
    expect(campaigns[0].user_id[0]).to.equal(2);
  });

  it('a mailing creates its source from its subject, made unique', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const [m1, m2] = await t.call('mailing.mailing', 'create', [[
      { subject: 'Summer sale', mailing_type: 'sms' },
      { subject: 'Summer sale', mailing_type: 'sms' },
    ]]);
    const long = await t.call('mailing.mailing', 'create', [{ subject: 'A very long SMS title\nwith two lines', mailing_type: 'sms' }]);
    const named = await t.call('mailing.mailing', 'create', [{ subject: 'Whatever', name: 'My source', mailing_type: 'sms' }]);
    const smsTitle = await t.call('mailing.mailing', 'create', [{ sms_subject: 'Title only', mailing_type: 'sms' }]);
    const rows = await t.call('mailing.mailing', 'read', [[m1, m2, long, named, smsTitle], ['name', 'subject', 'source_id']]);
    expect(rows.map((r: { name: string }) => r.name)).to.deep.equal([
      `Summer sale (Mass Mailing created on ${today})`,
      `Summer sale (Mass Mailing created on ${today}) [2]`,
      `A very long SMS titl... (Mass Mailing created on ${today})`,
      'My source',
      `Title only (Mass Mailing created on ${today})`,
    ]);
    expect(rows[4].subject).to.equal('Title only');
    expect(rows[0].source_id[1]).to.equal(rows[0].name);
    // Renaming the mailing renames its source (unique among the others).
    await t.call('mailing.mailing', 'write', [[m2], { name: 'My source' }]);
    expect((await names('mailing.mailing', [m2]))[0]).to.equal('My source [2]');
    // A new subject gives a new generated source name.
    await t.call('mailing.mailing', 'write', [[m1], { subject: 'Winter sale' }]);
    expect((await names('mailing.mailing', [m1]))[0]).to.equal(`Winter sale (Mass Mailing created on ${today})`);
  });

  it('media: Email and SMS are provided; SMS mailings use SMS; the SMS medium cannot be deleted', async () => {
    const media = await t.call('utm.medium', 'search_read', [[['name', 'in', ['Email', 'SMS']]], ['name']]);
    expect(media.map((m: { name: string }) => m.name).sort()).to.deep.equal(['Email', 'SMS']);
    const sms = media.find((m: { name: string }) => m.name === 'SMS').id;
    const email = media.find((m: { name: string }) => m.name === 'Email').id;
    // Odoo's external ids resolve (OdooRPC's env.ref goes through check_object_reference).
    expect(await t.call('ir.model.data', 'check_object_reference', ['mass_mailing_sms', 'utm_medium_sms'])).to.deep.equal(['utm.medium', sms]);
    expect(await t.call('ir.model.data', 'check_object_reference', ['utm', 'utm_medium_email'])).to.deep.equal(['utm.medium', email]);
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'Medium', mailing_type: 'sms' }]);
    expect((await t.call('mailing.mailing', 'read', [[id], ['medium_id']]))[0].medium_id).to.deep.equal([sms, 'SMS']);
    await t.call('mailing.mailing', 'write', [[id], { mailing_type: 'mail' }]);
    expect((await t.call('mailing.mailing', 'read', [[id], ['medium_id']]))[0].medium_id[0]).to.equal(email);
    let err: any;
    try {
      await t.call('utm.medium', 'unlink', [[sms]]);
    } catch (e) {
      err = e;
    }
    expect(err?.odooName).to.equal('odoo.exceptions.UserError');
    expect(err.message).to.equal("The UTM medium 'SMS' cannot be deleted as it is used in some main functional flows, such as the SMS Marketing.");
  });

  it('campaign counters and the traces\' stored campaign follow the mailing', async () => {
    const campaign = await t.call('utm.campaign', 'create', [{ title: 'Counters' }]);
    const [p] = await t.call('res.partner', 'create', [[{ name: 'Campaign target', phone: '+32 473 00 00 01' }]]);
    const model = (await t.call('ir.model', 'search', [[['model', '=', 'res.partner']]]))[0];
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'In campaign', mailing_type: 'sms', mailing_model_id: model, mailing_domain: `[('id', '=', ${p})]`, body_plaintext: 'x' }]);
    await t.call('mailing.mailing', 'action_send_sms', [[id]]);
    await t.call('mailing.mailing', 'write', [[id], { campaign_id: campaign }]);
    const [c] = await t.call('utm.campaign', 'read', [[campaign], ['mailing_sms_ids', 'mailing_sms_count', 'mailing_mail_count', 'ab_testing_sms_winner_selection']]);
    expect(c).to.deep.include({ mailing_sms_ids: [id], mailing_sms_count: 1, mailing_mail_count: 0, ab_testing_sms_winner_selection: 'clicks_ratio' });
    const traces = await t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', id]], ['campaign_id']]);
    expect(traces[0].campaign_id[0]).to.equal(campaign);
  });
});

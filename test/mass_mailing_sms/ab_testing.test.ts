// A/B testing of SMS mailings (Odoo 19, spec §3.6 / round-2 §3g): campaign auto-creation and
// settings, sampling without overlap, the winner by clicks (button and cron) or by hand, the
// final mailing to everybody left, every Odoo error of these paths, and our statistical summary.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { sql } from '../../models/orm/sql.ts';
import { modelId, tracesByRes } from '../helpers/mass_mailing_sms.ts';
import { clickedByMailing } from '../../models/mass_mailing/queries.ts';

const past = () => new Date(Date.now() - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

async function caught(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('mass_mailing_sms: A/B testing', () => {
  let t: TestRegistry;
  let partnerModel: number;
  let batch = 0;
  const read = async (model: string, id: number, fields: string[]) => (await t.call(model, 'read', [[id], fields]))[0];
  const processQueue = () => t.env((env) => env.model('mailing.mailing').call('_process_mass_mailing_queue'));
  const runAbCron = () => t.env((env) => env.model('utm.campaign').call('_cron_process_mass_mailing_ab_testing'));

  /** 20 new partners with distinct mobile numbers. */
  async function contacts(n = 20): Promise<number[]> {
    batch += 1;
    return t.call('res.partner', 'create', [Array.from({ length: n }, (_, i) => ({ name: `AB ${batch}.${i}`, phone: `+3247${String(batch).padStart(2, '0')}000${String(i).padStart(2, '0')}` }))]);
  }

  async function abMailing(ids: number[], title: string, extra: Record<string, unknown> = {}): Promise<number> {
    return t.call('mailing.mailing', 'create', [{
      sms_subject: title, mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: `${title}: https://example.com/${encodeURIComponent(title)}`,
      mailing_domain: `[('id', 'in', [${ids.join(', ')}])]`, ab_testing_enabled: true, sms_force_send: true, ...extra,
    }]);
  }

  /** Numbers every SMS of these mailings went to. */
  async function numbers(mailings: number[]): Promise<string[]> {
    const sms = await t.call('sms.sms', 'search_read', [[['mailing_id', 'in', mailings]], ['number']]);
    return sms.map((s: { number: string }) => s.number);
  }

  async function click(mailing: number): Promise<void> {
    const traces = [...(await tracesByRes(t, mailing)).values()];
    const [tr] = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['code']]);
    await t.call('link.tracker.click', 'add_click', [tr.code], { ip: '10.0.0.9', mailing_trace_id: traces[0].id });
  }

  before(async () => {
    t = await testRegistry();
    partnerModel = await modelId(t, 'res.partner');
  });
  after(async () => t.close());

  it('an A/B mailing gets a campaign carrying the schedule and winner selections (Odoo 19 defaults)', async () => {
    const ids = await contacts();
    const a = await abMailing(ids, 'AB version A');
    const m = await read('mailing.mailing', a, ['campaign_id', 'ab_testing_pc', 'total', 'ab_testing_sms_winner_selection', 'ab_testing_winner_selection', 'ab_testing_schedule_datetime', 'ab_testing_description', 'ab_testing_mailings_sms_count']);
    expect(m.campaign_id[1]).to.equal('A/B Test: AB version A');
    expect(m).to.include({ ab_testing_pc: 10, total: 2, ab_testing_sms_winner_selection: 'clicks_ratio', ab_testing_winner_selection: 'opened_ratio', ab_testing_mailings_sms_count: 1 });
    // Final send: one day from now.
    const inHours = (Date.parse(`${m.ab_testing_schedule_datetime}Z`) - Date.now()) / 3_600_000;
    expect(inHours).to.be.within(23, 25);
    expect(m.ab_testing_description).to.contain('A sample of 10% of recipients will receive this version. Try different variations in the campaign to compare their Highest Click Rate. Once the best version is identified, we will send the best one to the remaining recipients.');
    // The cron is woken at the final send date.
    const triggers = await t.env((env) => env.cr.query(sql`SELECT 1 FROM ir_cron_trigger tr JOIN ir_model_data d ON d.res_id = tr.cron_id AND d.model = 'ir.cron' WHERE d.name = 'ir_cron_mass_mailing_ab_testing'`));
    expect(triggers.length).to.be.greaterThan(0);
  });

  it('two variants at 10% of 20 contacts reach 2 + 2 different numbers; the winner by clicks reaches the 16 left', async () => {
    const ids = await contacts();
    const a = await abMailing(ids, 'Version A');
    const campaign = (await read('mailing.mailing', a, ['campaign_id'])).campaign_id[0];
    const b = await abMailing(ids, 'Version B', { campaign_id: campaign });
    const c = await read('utm.campaign', campaign, ['mailing_sms_ids', 'mailing_sms_count', 'ab_testing_mailings_sms_count']);
    expect(c).to.include({ mailing_sms_count: 2, ab_testing_mailings_sms_count: 2 });
    expect([...c.mailing_sms_ids].sort()).to.deep.equal([a, b].sort());

    // Nothing sent yet: no winner by clicks.
    const early = await caught(t.call('mailing.mailing', 'action_send_winner_mailing', [[a]]));
    expect(early.odooName).to.equal('odoo.exceptions.ValidationError');
    expect(early.message).to.equal('No mailing for this A/B testing campaign has been sent yet! Send one first and try again later.');

    expect(await t.call('mailing.mailing', 'action_send_sms', [[a]])).to.equal(true);
    await t.call('mailing.mailing', 'action_send_sms', [[b]]);
    const na = await numbers([a]);
    const nb = await numbers([b]);
    expect(na).to.have.length(2);
    expect(nb).to.have.length(2);
    expect(new Set([...na, ...nb]).size).to.equal(4);
    // Preparing a variant again draws nobody new.
    await processQueue();
    expect(await numbers([a, b])).to.have.length(4);
    expect((await read('mailing.mailing', a, ['state'])).state).to.equal('done');

    await click(b);
    expect((await read('mailing.mailing', b, ['clicks_ratio'])).clicks_ratio).to.equal(50);
    const action = await t.call('mailing.mailing', 'action_send_winner_mailing', [[a]]);
    expect(action).to.include({ name: 'A/B Test Winner', type: 'ir.actions.act_window', xml_id: 'mass_mailing.action_ab_testing_open_winner_mailing', res_model: 'mailing.mailing', target: 'current', view_mode: 'form' });
    expect(action.views).to.deep.equal([[false, 'form']]);
    const final = action.res_id;
    const fm = await read('mailing.mailing', final, ['name', 'ab_testing_pc', 'state', 'ab_testing_is_winner_mailing', 'campaign_id', 'body_plaintext']);
    const bm = await read('mailing.mailing', b, ['name']);
    expect(fm).to.include({ name: ` ${bm.name} (final)`, ab_testing_pc: 100, state: 'in_queue', ab_testing_is_winner_mailing: true });
    expect(fm.body_plaintext).to.contain('Version B');
    const won = await read('utm.campaign', campaign, ['ab_testing_winner_mailing_id', 'ab_testing_completed']);
    expect(won.ab_testing_winner_mailing_id[0]).to.equal(final);
    expect(won.ab_testing_completed).to.equal(true);

    await processQueue();
    const nf = await numbers([final]);
    expect(nf).to.have.length(16);
    const all = [...na, ...nb, ...nf];
    expect(new Set(all).size).to.equal(20);

    const again = await caught(t.call('mailing.mailing', 'action_send_winner_mailing', [[a]]));
    expect(again.odooName).to.equal('builtins.ValueError');
    expect(again.message).to.equal('To send the winner mailing the campaign should not have been completed.');
  });

  it('the A/B cron sends the winner at the final send date, and only then', async () => {
    const ids = await contacts();
    const a = await abMailing(ids, 'Cron A');
    const campaign = (await read('mailing.mailing', a, ['campaign_id'])).campaign_id[0];
    const b = await abMailing(ids, 'Cron B', { campaign_id: campaign });
    await t.call('mailing.mailing', 'action_send_sms', [[a, b]]);
    await click(a);
    // Not due yet: nothing happens.
    await runAbCron();
    expect((await read('utm.campaign', campaign, ['ab_testing_completed'])).ab_testing_completed).to.equal(false);
    // The final send date passed (set in the past rather than waited for).
    await t.call('mailing.mailing', 'write', [[a], { ab_testing_schedule_datetime: past() }]);
    await runAbCron();
    const c = await read('utm.campaign', campaign, ['ab_testing_completed', 'ab_testing_winner_mailing_id']);
    expect(c.ab_testing_completed).to.equal(true);
    const final = c.ab_testing_winner_mailing_id[0];
    expect((await read('mailing.mailing', final, ['body_plaintext'])).body_plaintext).to.contain('Cron A');
    await processQueue();
    const all = await numbers([a, b, final]);
    expect(all).to.have.length(20);
    expect(new Set(all).size).to.equal(20);
    // Completed: the cron leaves it alone.
    await runAbCron();
    expect(await t.call('mailing.mailing', 'search_count', [[['campaign_id', '=', campaign]]])).to.equal(3);
  });

  it('manual selection: the mailing the button is pressed on wins, nothing needs to be sent; the cron ignores it', async () => {
    const ids = await contacts();
    const a = await abMailing(ids, 'Manual A', { ab_testing_sms_winner_selection: 'manual' });
    const campaign = (await read('mailing.mailing', a, ['campaign_id'])).campaign_id[0];
    expect((await read('utm.campaign', campaign, ['ab_testing_sms_winner_selection'])).ab_testing_sms_winner_selection).to.equal('manual');
    const b = await abMailing(ids, 'Manual B', { campaign_id: campaign });
    await t.call('mailing.mailing', 'action_send_sms', [[a]]);
    await t.call('mailing.mailing', 'write', [[a], { ab_testing_schedule_datetime: past() }]);
    await runAbCron();
    expect((await read('utm.campaign', campaign, ['ab_testing_completed'])).ab_testing_completed).to.equal(false);
    const action = await t.call('mailing.mailing', 'action_send_winner_mailing', [[b]]);
    const fm = await read('mailing.mailing', action.res_id, ['body_plaintext', 'ab_testing_pc']);
    expect(fm.body_plaintext).to.contain('Manual B');
    await processQueue();
    // A reached 2; the final mailing everybody else.
    expect(new Set(await numbers([a, action.res_id])).size).to.equal(20);
  });

  it('action_select_as_winner on a variant copies and launches it', async () => {
    const ids = await contacts();
    const a = await abMailing(ids, 'Pick A');
    const action = await t.call('mailing.mailing', 'action_select_as_winner', [[a]]);
    const fm = await read('mailing.mailing', action.res_id, ['ab_testing_pc', 'state', 'ab_testing_enabled', 'campaign_id']);
    expect(fm).to.include({ ab_testing_pc: 100, state: 'in_queue', ab_testing_enabled: true });
    expect((await read('mailing.mailing', a, ['ab_testing_completed'])).ab_testing_completed).to.equal(true);
  });

  it('action_compare_versions returns Odoo\'s action', async () => {
    const ids = await contacts(2);
    const a = await abMailing(ids, 'Compare');
    const campaign = (await read('mailing.mailing', a, ['campaign_id'])).campaign_id[0];
    expect(await t.call('mailing.mailing', 'action_compare_versions', [[a]])).to.deep.equal({
      name: 'A/B Tests', type: 'ir.actions.act_window', view_mode: 'list,kanban,form,calendar,graph', res_model: 'mailing.mailing',
      domain: ['&', '&', ['campaign_id', '=', campaign], ['ab_testing_enabled', '=', true], ['mailing_type', '=', 'sms']],
    });
  });

  it('every Odoo error of these paths, with its class and message', async () => {
    const ids = await contacts(2);
    const plain = await t.call('mailing.mailing', 'create', [{ sms_subject: 'Plain', mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: 'x', mailing_domain: `[('id', 'in', [${ids.join(', ')}])]` }]);
    const cases: [() => Promise<unknown>, string, string][] = [
      [() => t.call('mailing.mailing', 'action_compare_versions', [[plain]]), 'builtins.ValueError', 'No mailing campaign has been found'],
      [() => t.call('mailing.mailing', 'action_select_as_winner', [[plain]]), 'builtins.ValueError', 'A/B test option has not been enabled'],
    ];
    const a = await abMailing(ids, 'Err A');
    const b = await abMailing(ids, 'Err B');
    cases.push([() => t.call('mailing.mailing', 'action_send_winner_mailing', [[a, b]]), 'builtins.ValueError', 'To send the winner mailing the same campaign should be used by the mailings']);
    cases.push([() => t.call('mailing.mailing', 'action_send_winner_mailing', [[plain]]), 'builtins.ValueError', 'To send the winner mailing the same campaign should be used by the mailings']);
    cases.push([() => t.call('mailing.mailing', 'write', [[a], { campaign_id: false }]), 'odoo.exceptions.ValidationError', 'A campaign should be set when A/B test is enabled']);
    cases.push([() => t.call('mailing.mailing', 'write', [[a], { ab_testing_pc: 101 }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: The A/B Testing Percentage needs to be between 0 and 100%']);
    cases.push([() => t.call('mailing.mailing', 'write', [[a], { ab_testing_pc: -1 }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: The A/B Testing Percentage needs to be between 0 and 100%']);
    for (const [call, cls, message] of cases) {
      const err = await caught(call());
      expect({ cls: err.odooName, message: err.message }).to.deep.equal({ cls, message });
    }
    // 0 and 100 are accepted; clearing the campaign while disabling A/B is too.
    await t.call('mailing.mailing', 'write', [[a], { ab_testing_pc: 0 }]);
    await t.call('mailing.mailing', 'write', [[a], { ab_testing_pc: 100 }]);
    await t.call('mailing.mailing', 'write', [[b], { campaign_id: false, ab_testing_enabled: false }]);
    expect((await read('mailing.mailing', b, ['campaign_id'])).campaign_id).to.equal(false);
  });

  it('toggling A/B keeps the campaign; enabling it by a write creates one with the defaults; copies keep the final send date', async () => {
    const ids = await contacts(2);
    const plain = await t.call('mailing.mailing', 'create', [{ sms_subject: 'Later AB', mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: 'x', mailing_domain: `[('id', 'in', [${ids.join(', ')}])]` }]);
    await t.call('mailing.mailing', 'write', [[plain], { ab_testing_enabled: true }]);
    const m = await read('mailing.mailing', plain, ['campaign_id', 'ab_testing_sms_winner_selection', 'ab_testing_winner_selection', 'ab_testing_schedule_datetime']);
    expect(m.campaign_id[1]).to.equal('A/B Test: Later AB');
    // Odoo 19 leaves these False here (a 19.0 bug); we give the campaign its defaults.
    expect(m).to.include({ ab_testing_sms_winner_selection: 'clicks_ratio', ab_testing_winner_selection: 'opened_ratio' });
    expect(m.ab_testing_schedule_datetime).to.be.a('string');
    await t.call('mailing.mailing', 'write', [[plain], { ab_testing_enabled: false }]);
    await t.call('mailing.mailing', 'write', [[plain], { ab_testing_enabled: true }]);
    expect((await read('mailing.mailing', plain, ['campaign_id'])).campaign_id[0]).to.equal(m.campaign_id[0]);
    expect(await t.call('utm.campaign', 'search_count', [[['name', 'like', 'A/B Test: Later AB']]])).to.equal(1);
    // An existing campaign is never replaced.
    const own = await t.call('utm.campaign', 'create', [{ title: 'Own campaign' }]);
    const withOwn = await abMailing(ids, 'Own', { campaign_id: own });
    expect((await read('mailing.mailing', withOwn, ['campaign_id'])).campaign_id[0]).to.equal(own);
    // Given values go to the new campaign.
    const when = '2031-01-02 03:04:05';
    const given = await abMailing(ids, 'Given', { ab_testing_schedule_datetime: when, ab_testing_sms_winner_selection: 'manual', ab_testing_pc: 30 });
    expect(await read('mailing.mailing', given, ['ab_testing_schedule_datetime', 'ab_testing_sms_winner_selection', 'ab_testing_pc'])).to.include({ ab_testing_schedule_datetime: when, ab_testing_sms_winner_selection: 'manual', ab_testing_pc: 30 });
    const copy = await t.call('mailing.mailing', 'copy', [[given]]);
    expect(await read('mailing.mailing', copy[0] ?? copy, ['ab_testing_schedule_datetime', 'campaign_id', 'ab_testing_enabled'])).to.deep.include({ ab_testing_schedule_datetime: when, ab_testing_enabled: true });
  });

  it('campaign statistics: SMS mailings, A/B counters, ratios over every trace, clicks; SMS actions', async () => {
    const ids = await contacts();
    // Queued, not handed to the provider: the trace states set below are the only ones.
    const a = await abMailing(ids, 'Stats A', { ab_testing_pc: 25, sms_force_send: false });
    const campaign = (await read('mailing.mailing', a, ['campaign_id'])).campaign_id[0];
    const b = await abMailing(ids, 'Stats B', { campaign_id: campaign, ab_testing_pc: 25, sms_force_send: false });
    await t.call('mailing.mailing', 'action_send_sms', [[a, b]]);
    const traces: number[] = await t.call('mailing.trace', 'search', [[['campaign_id', '=', campaign]]], { order: 'id' });
    expect(traces).to.have.length(10);
    await click(a);
    await click(a);
    // 1 bounced, 1 cancelled, 4 sent, 4 still outgoing: received = (5 sent - 1 bounced) / (10 - 1 cancelled).
    await t.env(async (env) => {
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'bounce', sent_datetime = now() WHERE id = ${traces[0]}`);
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'cancel' WHERE id = ${traces[1]}`);
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'sent', sent_datetime = now() WHERE id = ANY(${traces.slice(2, 6)}::int4[])`);
    });
    const c = await read('utm.campaign', campaign, ['mailing_sms_ids', 'mailing_sms_count', 'ab_testing_mailings_sms_count', 'received_ratio', 'bounced_ratio', 'click_count']);
    expect([...c.mailing_sms_ids].sort()).to.deep.equal([a, b].sort());
    expect(c).to.include({ mailing_sms_count: 2, ab_testing_mailings_sms_count: 2, click_count: 2, received_ratio: 44.44, bounced_ratio: 11.11 });
    // Moved to another campaign, a mailing takes its traces along (their campaign is the mailing's).
    const ofA = (await t.call('mailing.trace', 'search', [[['mass_mailing_id', '=', a]]], { order: 'id' })) as number[];
    expect(ofA).to.deep.equal(traces.slice(0, 5));
    const other = await t.call('utm.campaign', 'create', [{ name: 'Moved here' }]);
    await t.call('mailing.mailing', 'write', [[b], { campaign_id: other }]);
    expect(await read('utm.campaign', campaign, ['received_ratio', 'bounced_ratio'])).to.include({ received_ratio: 75, bounced_ratio: 25 });
    expect(await read('utm.campaign', other, ['received_ratio', 'bounced_ratio'])).to.include({ received_ratio: 20, bounced_ratio: 0 });
    await t.call('mailing.mailing', 'write', [[b], { campaign_id: campaign }]);

    const create = await t.call('utm.campaign', 'action_create_mass_sms', [[campaign]]);
    expect(create).to.include({ type: 'ir.actions.act_window', res_model: 'mailing.mailing' });
    expect(create.context).to.deep.equal({ default_campaign_id: campaign, default_mailing_type: 'sms', search_default_assigned_to_me: 1, search_default_campaign_id: campaign, default_user_id: 2 });
    const list = await t.call('utm.campaign', 'action_redirect_to_mailing_sms', [[campaign]]);
    expect(list).to.include({ type: 'ir.actions.act_window', res_model: 'mailing.mailing', xml_id: 'mass_mailing_sms.mailing_mailing_action_sms' });
    expect(list.domain).to.deep.equal([['mailing_type', '=', 'sms']]);
    expect(list.context.default_campaign_id).to.equal(campaign);
  });

  it('the A/B summary gives sample sizes and click ratios, and says when the lead could be chance', async () => {
    const ids = await contacts();
    const a = await abMailing(ids, 'Sum A');
    const campaign = (await read('mailing.mailing', a, ['campaign_id'])).campaign_id[0];
    const b = await abMailing(ids, 'Sum B', { campaign_id: campaign });
    await t.call('mailing.mailing', 'action_send_sms', [[a, b]]);
    await click(a);
    const d = (await read('mailing.mailing', a, ['ab_testing_description'])).ab_testing_description;
    expect(d).to.contain('A sample of 10% of recipients will receive this version. 10% of recipients receive the other versions of this campaign.');
    expect(d).to.contain('Sum A: 2 recipients, 1 clicked (50%)');
    expect(d).to.contain('Sum B: 2 recipients, 0 clicked (0%)');
    expect(d).to.contain('Too early to tell');
  });

  it('the A/B summary and clicks_ratio count reached and clicked traces: a trace clicked twice once; bounced, cancelled and failed ones in neither', async () => {
    const ids = await contacts();
    const a = await abMailing(ids, 'Fig A', { ab_testing_pc: 30 });
    const campaign = (await read('mailing.mailing', a, ['campaign_id'])).campaign_id[0];
    const b = await abMailing(ids, 'Fig B', { campaign_id: campaign, ab_testing_pc: 30 });
    await t.call('mailing.mailing', 'action_send_sms', [[a, b]]);
    const traceIds = async (m: number) => [...(await tracesByRes(t, m)).values()].map((r) => r.id as number).sort((x, y) => x - y);
    const [ta, tb] = [await traceIds(a), await traceIds(b)];
    expect([ta.length, tb.length]).to.deep.equal([6, 6]);
    const clickOn = async (m: number, trace: number) => {
      const [tr] = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', m]], ['code']]);
      await t.call('link.tracker.click', 'add_click', [tr.code], { ip: '10.0.0.7', mailing_trace_id: trace });
    };
    // A: one trace clicked twice, one clicked through a click created by hand (no mailing on it),
    // one clicked then bounced, one cancelled, one clicked then failed, one only marked clicked.
    await clickOn(a, ta[0]);
    await clickOn(a, ta[0]);
    const [link] = await t.call('link.tracker', 'search', [[['mass_mailing_id', '=', a]]]);
    await t.call('link.tracker.click', 'create', [{ link_id: link, mailing_trace_id: ta[1] }]);
    await clickOn(a, ta[2]);
    await clickOn(a, ta[4]);
    await t.call('mailing.trace', 'set_clicked', [[ta[5]]]);
    // B: one trace clicked, one failed.
    await clickOn(b, tb[0]);
    await t.env(async (env) => {
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'bounce' WHERE id = ${ta[2]}`);
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'cancel' WHERE id = ${ta[3]}`);
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'error' WHERE id = ANY(${[ta[4], tb[5]]}::int4[])`);
    });
    const [da, db] = await t.call('mailing.mailing', 'read', [[a, b], ['ab_testing_description']]);
    for (const d of [da.ab_testing_description, db.ab_testing_description]) {
      expect(d).to.contain('<li>Fig A: 3 recipients, 2 clicked (66.67%)</li><li>Fig B: 5 recipients, 1 clicked (20%)</li>');
    }
    // The mailings' click rates (what the winner rule compares) count the same traces.
    const stats = await t.call('mailing.mailing', 'read', [[a, b], ['clicks_ratio']]);
    expect(stats.map((r: { clicks_ratio: number }) => r.clicks_ratio)).to.deep.equal([66.67, 20]);
    // Found from the clicks or from the traces (the side chosen by the click count), the same traces.
    for (const fromClicks of [true, false]) {
      const rows = await t.env((env) => env.cr.query<{ id: number; n: number }>(clickedByMailing([a, b], fromClicks)));
      expect(rows.sort((x, y) => x.id - y.id)).to.deep.equal([{ id: a, n: 2 }, { id: b, n: 1 }]);
    }
    // A trace deleted leaves both figures.
    await t.call('mailing.trace', 'unlink', [[ta[0]]]);
    expect((await read('mailing.mailing', a, ['ab_testing_description'])).ab_testing_description).to.contain('<li>Fig A: 2 recipients, 1 clicked (50%)</li>');
  });
});

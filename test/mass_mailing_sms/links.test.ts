// Link tracking in SMS mailings: URLs of the body become one tracker per distinct URL with the
// mailing's UTMs; each SMS carries its own `<base>/r/<code>/s/<sms id>`; clicks feed the
// trace, mailing and campaign statistics.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { partnerMailing, smsOf, tracesByRes } from '../helpers/mass_mailing_sms.ts';

const BASE = 'http://localhost:8070';

describe('mass_mailing_sms: links in SMS mailings', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
    await t.call('ir.config_parameter', 'set_param', ['web.base.url', BASE]);
  });
  after(async () => t.close());

  const partners = (n: number, tag: string) => t.call('res.partner', 'create', [Array.from({ length: n }, (_, i) => ({ name: `${tag} ${i}`, phone: `+32 471 ${tag === 'A' ? '1' : '2'}0 00 ${String(10 + i)}` }))]);

  it('one tracker per distinct URL; each SMS has its own /s/<sms id>; short and unsubscribe links are kept', async () => {
    const ids: number[] = await partners(5, 'A');
    const campaign = await t.call('utm.campaign', 'create', [{ title: 'Spring Promo' }]);
    const body = `Promo https://example.com/promo?a=1 bye, again https://example.com/promo?a=1 . Mine ${BASE}/r/abc and ${BASE}/sms/1/xyz`;
    const mailing = await partnerMailing(t, ids, body, { campaign_id: campaign });
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const trackers = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['url', 'code', 'short_url', 'redirected_url', 'campaign_id', 'medium_id', 'source_id']]);
    expect(trackers).to.have.length(1);
    const [tr] = trackers;
    const [m] = await t.call('mailing.mailing', 'read', [[mailing], ['name', 'link_trackers_count']]);
    expect(tr.url).to.equal('https://example.com/promo?a=1');
    expect(tr.campaign_id[0]).to.equal(campaign);
    expect(tr.medium_id[1]).to.equal('SMS');
    expect(tr.source_id[1]).to.equal(m.name);
    expect(m.link_trackers_count).to.equal(1);
    expect(tr.redirected_url).to.equal(`https://example.com/promo?a=1&utm_campaign=Spring+Promo&utm_source=${m.name.replace(/ /g, '+')}&utm_medium=SMS`);
    const sms = await smsOf(t, mailing);
    expect(sms).to.have.length(5);
    for (const s of sms) {
      expect(s.body).to.equal(`Promo ${BASE}/r/${tr.code}/s/${s.id} bye, again ${BASE}/r/${tr.code}/s/${s.id} . Mine ${BASE}/r/abc/s/${s.id} and ${BASE}/sms/1/xyz`);
    }
  });

  it('with the opt-out line: each SMS has its own short link, then the STOP line with its trace code', async () => {
    const ids: number[] = await partners(2, 'B');
    const mailing = await partnerMailing(t, ids, 'Sale https://example.com/stop-and-go', { sms_allow_unsubscribe: true });
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const [tr] = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['code']]);
    const traces = await t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['sms_id_int', 'sms_code']]);
    const sms = await smsOf(t, mailing);
    expect(sms).to.have.length(2);
    for (const s of sms) {
      const trace = traces.find((x: { sms_id_int: number }) => x.sms_id_int === s.id);
      expect(s.body).to.equal(`Sale ${BASE}/r/${tr.code}/s/${s.id}\nSTOP SMS: ${BASE}/sms/${mailing}/${trace.sms_code}`);
    }
  });

  it('a body with placeholders: URLs of every recipient shortened, the same URL shares one tracker', async () => {
    const ids: number[] = await partners(3, 'B');
    const mailing = await partnerMailing(t, ids, 'Hi {{ object.name }}: https://shop.example.com/x');
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const [tr] = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['code']]);
    const sms = await smsOf(t, mailing);
    const traces = await tracesByRes(t, mailing);
    expect(sms).to.have.length(3);
    for (const [i, id] of ids.entries()) {
      const s = sms.find((x) => x.id === traces.get(id)!.sms_id_int)!;
      expect(s.body).to.equal(`Hi B ${i}: ${BASE}/r/${tr.code}/s/${s.id}`);
    }
    expect(await t.call('link.tracker', 'search_count', [[['mass_mailing_id', '=', mailing]]])).to.equal(1);
  });

  it('a URL brought by a placeholder value is shortened; bodies without one stay as rendered', async () => {
    const ids: number[] = await t.call('res.partner', 'create', [[
      { name: 'Shop https://shop.example.com/p', phone: '+32 471 30 00 10' },
      { name: 'Plain name', phone: '+32 471 30 00 11' },
    ]]);
    const mailing = await partnerMailing(t, ids, 'Hi {{ object.name }}!');
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const [tr] = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['code', 'url']]);
    expect(tr.url).to.equal('https://shop.example.com/p');
    const traces = await tracesByRes(t, mailing);
    const bodyOf = async (id: number) => (await smsOf(t, mailing)).find((x) => x.id === traces.get(id)!.sms_id_int)!;
    const linked = await bodyOf(ids[0]);
    expect(linked.body).to.equal(`Hi Shop ${BASE}/r/${tr.code}/s/${linked.id}!`);
    expect((await bodyOf(ids[1])).body).to.equal('Hi Plain name!');
  });

  it('convert_links shortens the SMS body with the mailing\'s trackers', async () => {
    const mailing = await partnerMailing(t, [1], 'Go https://example.com/convert now');
    const out = await t.call('mailing.mailing', 'convert_links', [[mailing]]);
    const [tr] = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['short_url']]);
    expect(out).to.deep.equal({ [mailing]: `Go ${tr.short_url} now` });
  });

  it('clicks (add_click with the trace) show in the trace, the mailing and the campaign', async () => {
    const ids: number[] = await partners(2, 'A').catch(() => t.call('res.partner', 'search', [[['name', 'in', ['A 0', 'A 1']]]]));
    const campaign = await t.call('utm.campaign', 'create', [{ title: 'Clicky' }]);
    const mailing = await partnerMailing(t, ids.slice(0, 2), 'See https://example.com/click', { campaign_id: campaign });
    await t.call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const traces = [...(await tracesByRes(t, mailing)).values()];
    const [tr] = await t.call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['id', 'code']]);
    await t.call('link.tracker.click', 'add_click', [tr.code], { ip: '10.0.0.1', mailing_trace_id: traces[0].id });
    await t.call('link.tracker.click', 'add_click', [tr.code], { ip: '10.0.0.1', mailing_trace_id: 999999 });
    const [trace] = await t.call('mailing.trace', 'read', [[traces[0].id], ['trace_status', 'links_click_datetime', 'links_click_ids', 'open_datetime']]);
    expect(trace.trace_status).to.equal('open');
    expect(trace.links_click_datetime).to.be.a('string');
    expect(trace.links_click_ids).to.have.length(1);
    const [stats] = await t.call('mailing.mailing', 'read', [[mailing], ['clicked', 'clicks_ratio', 'link_trackers_count']]);
    expect(stats).to.include({ clicked: 1, clicks_ratio: 50, link_trackers_count: 1 });
    const [c] = await t.call('utm.campaign', 'read', [[campaign], ['click_count']]);
    expect(c.click_count).to.equal(2);
    const clicks = await t.call('link.tracker.click', 'search_read', [[['link_id', '=', tr.id]], ['mailing_trace_id', 'mass_mailing_id', 'campaign_id']], { order: 'id' });
    expect(clicks[0].mailing_trace_id[0]).to.equal(traces[0].id);
    expect(clicks[0].mass_mailing_id[0]).to.equal(mailing);
    expect(clicks[1].mailing_trace_id).to.equal(false);
  });
});

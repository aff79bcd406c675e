// GET /r/<code> and /r/<code>/s/<sms id> over HTTP, as captured on Odoo 19
// (r2-link-redirect-http.txt), and the end-to-end path of a mailing's link.

import { expect } from 'chai';
import request from 'supertest';
import { rpcTestApp, ADMIN_PASSWORD, type RpcTestApp } from '../helpers/rpc.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import { createApp } from '../../server/app.ts';
import { testLogger } from '../helpers/db.ts';
import { callKw } from '../../models/orm/call_kw.ts';
import { linkRedirects } from '../../models/link_tracker/redirect.ts';

const BASE = 'http://localhost:8070';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('rpc: short link redirects', () => {
  let a: RpcTestApp;
  const call = (model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
    a.registry.transaction({ uid: 2 }, (env) => callKw(env, model, method, args, kwargs)) as Promise<any>;
  const clicks = (linkId: number) => call('link.tracker.click', 'search_read', [[['link_id', '=', linkId]], ['ip', 'mailing_trace_id', 'mass_mailing_id', 'campaign_id', 'country_id']], { order: 'id' });
  let plain: { id: number; code: string };
  let utm: { id: number; code: string; campaign: number };

  before(async () => {
    a = await rpcTestApp();
    await call('ir.config_parameter', 'set_param', ['web.base.url', BASE]);
    const id = await call('link.tracker', 'create', [{ url: 'https://example.com/page?x=1', title: 'Example' }]);
    await call('link.tracker', 'write', [[id], { code: 'mycode1' }]);
    plain = { id, code: 'mycode1' };
    const campaign = await call('utm.campaign', 'create', [{ title: 'Spring Promo' }]);
    const source = await call('utm.source', 'create', [{ name: 'Newsletter 42' }]);
    const medium = (await call('utm.medium', 'search', [[['name', '=', 'SMS']]]))[0];
    const uid = await call('link.tracker', 'create', [{ url: 'https://example.com/page?x=1', title: 'E', campaign_id: campaign, source_id: source, medium_id: medium }]);
    utm = { id: uid, code: (await call('link.tracker', 'read', [[uid], ['code']]))[0].code, campaign };
  });
  after(async () => a.close());

  it('GET /r/<code>: 301 to the URL with werkzeug\'s page and the frontend_lang cookie; a click from the peer address', async () => {
    const res = await request(a.app).get('/r/mycode1').set('User-Agent', FIREFOX).set('X-Forwarded-For', '81.2.69.160');
    expect(res.status).to.equal(301);
    expect(res.headers.location).to.equal('https://example.com/page?x=1');
    expect(res.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(res.text).to.have.length(243);
    expect(res.text).to.contain('<title>Redirecting...</title>');
    expect(String(res.headers['set-cookie'])).to.match(/^frontend_lang=en_US; Path=\/; Expires=/);
    const rows = await clicks(plain.id);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ ip: '127.0.0.1', mailing_trace_id: false, campaign_id: false, country_id: false });
  });

  it('appends the UTMs; the click carries the tracker\'s campaign; count follows', async () => {
    const res = await request(a.app).get(`/r/${utm.code}`).set('User-Agent', FIREFOX);
    expect(res.status).to.equal(301);
    expect(res.headers.location).to.equal('https://example.com/page?x=1&utm_campaign=Spring+Promo&utm_source=Newsletter+42&utm_medium=SMS');
    expect(res.text).to.have.length(399);
    const rows = await clicks(utm.id);
    expect(rows[0].campaign_id[0]).to.equal(utm.campaign);
    // `count` follows the committed clicks right after the answer.
    await linkRedirects(a.registry).clicks.drain();
    expect((await call('link.tracker', 'read', [[utm.id], ['count']]))[0].count).to.equal(1);
  });

  it('bots are redirected but not counted; HEAD counts', async () => {
    const before = (await clicks(plain.id)).length;
    const bot = await request(a.app).get('/r/mycode1').set('User-Agent', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)');
    expect(bot.status).to.equal(301);
    expect(bot.headers.location).to.equal('https://example.com/page?x=1');
    const curl = await request(a.app).get('/r/mycode1').set('User-Agent', 'curl/8.5.0');
    expect(curl.status).to.equal(301);
    expect(await clicks(plain.id)).to.have.length(before);
    const head = await request(a.app).head('/r/mycode1').set('User-Agent', FIREFOX);
    expect(head.status).to.equal(301);
    expect(head.headers.location).to.equal('https://example.com/page?x=1');
    expect(await clicks(plain.id)).to.have.length(before + 1);
  });

  it('unknown codes: 404 and no click; a non-numeric sms id is a 404 too', async () => {
    const total = await call('link.tracker.click', 'search_count', [[]]);
    const r1 = await request(a.app).get('/r/unknowncode').set('User-Agent', FIREFOX);
    expect(r1.status).to.equal(404);
    const r2 = await request(a.app).get('/r/unknowncode/s/2').set('User-Agent', FIREFOX);
    expect(r2.status).to.equal(404);
    expect(r2.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(r2.text).to.have.length(207);
    const r3 = await request(a.app).get('/r/mycode1/s/abc').set('User-Agent', FIREFOX);
    expect(r3.status).to.equal(404);
    expect(await call('link.tracker.click', 'search_count', [[]])).to.equal(total);
  });

  it('a changed tracker redirects to its new target at once, on every server instance', async () => {
    // A second instance (own registry, own cache) on the same database.
    const registry2 = createRegistry(a.db.connectionString, 3);
    const app2 = createApp(registry2, { dbName: a.dbName, adminPassword: ADMIN_PASSWORD, maxBodySize: 1 << 20 }, testLogger());
    try {
      const id = await call('link.tracker', 'create', [{ url: 'https://example.com/old' }]);
      const [{ code }] = await call('link.tracker', 'read', [[id], ['code']]);
      // Let both instances LISTEN, then fill both caches.
      await new Promise((r) => setTimeout(r, 300));
      expect((await request(a.app).get(`/r/${code}`).set('User-Agent', 'bot')).headers.location).to.equal('https://example.com/old');
      expect((await request(app2).get(`/r/${code}`).set('User-Agent', 'bot')).headers.location).to.equal('https://example.com/old');
      await call('link.tracker', 'write', [[id], { url: 'https://example.com/new' }]);
      const src = await call('utm.source', 'create', [{ name: 'Later' }]);
      await call('link.tracker', 'write', [[id], { source_id: src }]);
      const want = 'https://example.com/new?utm_source=Later';
      for (const app of [a.app, app2]) {
        let location = '';
        for (let i = 0; i < 50 && location !== want; i++) {
          location = (await request(app).get(`/r/${code}`).set('User-Agent', 'bot')).headers.location;
          if (location !== want) await new Promise((r) => setTimeout(r, 20));
        }
        expect(location).to.equal(want);
      }
      // Renaming the UTM source reaches the caches too.
      await call('utm.source', 'write', [[src], { name: 'Renamed' }]);
      let location = '';
      for (let i = 0; i < 50 && !location.endsWith('Renamed'); i++) {
        location = (await request(app2).get(`/r/${code}`).set('User-Agent', 'bot')).headers.location;
        if (!location.endsWith('Renamed')) await new Promise((r) => setTimeout(r, 20));
      }
      expect(location).to.equal('https://example.com/new?utm_source=Renamed');
    } finally {
      await registry2.close();
    }
  });

  it('end to end: a mailing with a URL, per-recipient short links, a click in trace, mailing and campaign statistics', async () => {
    const campaign = await call('utm.campaign', 'create', [{ title: 'Summer' }]);
    const list = await call('mailing.list', 'create', [{ name: 'Links list' }]);
    await call('mailing.contact', 'create', [[
      { name: 'Ann', mobile: '+32470123456', list_ids: [[4, list]] },
      { name: 'Bob', mobile: '+32470123457', list_ids: [[4, list]] },
    ]]);
    const mailing = await call('mailing.mailing', 'create', [{
      subject: 'Promo', mailing_type: 'sms', contact_list_ids: [[6, 0, [list]]], campaign_id: campaign,
      body_plaintext: 'Promo https://example.com/promo?a=1 bye',
    }]);
    await call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const sms = await call('sms.sms', 'search_read', [[['mailing_id', '=', mailing]], ['body']], { order: 'id' });
    expect(sms).to.have.length(2);
    const paths = sms.map((s: { id: number; body: string }) => {
      const m = new RegExp(`^Promo ${BASE}(/r/[A-Za-z0-9]+/s/${s.id}) bye$`).exec(s.body);
      expect(m, s.body).to.not.equal(null);
      return m![1];
    });
    const [m] = await call('mailing.mailing', 'read', [[mailing], ['name']]);
    const res = await request(a.app).get(paths[0]).set('User-Agent', FIREFOX);
    expect(res.status).to.equal(301);
    expect(res.headers.location).to.equal(`https://example.com/promo?a=1&utm_campaign=Summer&utm_source=${encodeURIComponent(m.name).replace(/%20/g, '+').replace(/%28/g, '(').replace(/%29/g, ')')}&utm_medium=SMS`);
    expect(res.headers['set-cookie']).to.equal(undefined);
    const [trace] = await call('mailing.trace', 'search_read', [[['sms_id_int', '=', sms[0].id]], ['trace_status', 'links_click_datetime', 'links_click_ids', 'open_datetime']]);
    expect(trace.trace_status).to.equal('open');
    expect(trace.links_click_datetime).to.be.a('string');
    expect(trace.open_datetime).to.be.a('string');
    expect(trace.links_click_ids).to.have.length(1);
    const [click] = await call('link.tracker.click', 'read', [trace.links_click_ids, ['mass_mailing_id', 'campaign_id', 'ip']]);
    expect(click.mass_mailing_id[0]).to.equal(mailing);
    expect(click.campaign_id[0]).to.equal(campaign);
    const [stats] = await call('mailing.mailing', 'read', [[mailing], ['clicked', 'clicks_ratio', 'link_trackers_count', 'opened']]);
    expect(stats).to.include({ clicked: 1, clicks_ratio: 50, link_trackers_count: 1, opened: 1 });
    expect((await call('utm.campaign', 'read', [[campaign], ['click_count']]))[0].click_count).to.equal(1);
    // A second click keeps the trace opened; an unknown SMS id still redirects, without a trace.
    await request(a.app).get(paths[0]).set('User-Agent', FIREFOX);
    const unknown = await request(a.app).get(paths[0].replace(/\/s\/\d+$/, '/s/999999')).set('User-Agent', FIREFOX);
    expect(unknown.status).to.equal(301);
    const code = paths[0].split('/')[2];
    await linkRedirects(a.registry).clicks.drain();
    const tracker = (await call('link.tracker', 'search_read', [[['mass_mailing_id', '=', mailing]], ['count', 'code']]))[0];
    expect(tracker).to.include({ code, count: 3 });
    const all = await call('link.tracker.click', 'search_read', [[['link_id.mass_mailing_id', '=', mailing]], ['mailing_trace_id']], { order: 'id' });
    expect(all.map((c: { mailing_trace_id: unknown }) => !!c.mailing_trace_id)).to.deep.equal([true, true, false]);
  });

  it('concurrent clicks are all recorded (group commit)', async () => {
    const id = await call('link.tracker', 'create', [{ url: 'https://example.com/burst' }]);
    const [{ code }] = await call('link.tracker', 'read', [[id], ['code']]);
    const answers = await Promise.all(Array.from({ length: 60 }, () => request(a.app).get(`/r/${code}`).set('User-Agent', FIREFOX)));
    expect(answers.every((r) => r.status === 301)).to.equal(true);
    await linkRedirects(a.registry).clicks.drain();
    expect((await call('link.tracker', 'read', [[id], ['count']]))[0].count).to.equal(60);
    expect(await clicks(id)).to.have.length(60);
  });
});

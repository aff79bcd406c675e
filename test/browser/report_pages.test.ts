// The SMS Marketing report pages and /doc in a real browser (Debian's chromium, playwright-core):
// log in, read a mailing's funnel (the numbers of the database), see its charts drawn with data,
// follow the link to its campaign's A/B comparison, open /doc; a user without mass-mailing
// rights is refused. Chromium is launched by test/helpers/browser.ts.

import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, requireChromium, type Browser } from '../helpers/browser.ts';
import { liveServer, type LiveServer } from '../helpers/live_server.ts';
import { ADMIN_PASSWORD, makeApiKey } from '../helpers/rpc.ts';
import { sql } from '../../models/orm/sql.ts';


// [status, failure_type, sent?, clicked?] of mailing A's recipients
const RECIPIENTS: [string, string | false, boolean, boolean][] = [
  ['sent', false, true, true],
  ['sent', false, true, true],
  ['sent', false, true, false],
  ['open', false, true, false],
  ['bounce', 'sms_invalid_destination', true, false],
  ['error', 'sms_server', false, false],
  ['cancel', 'sms_optout', false, false],
  ['cancel', 'sms_optout', false, false],
  ['cancel', 'sms_blacklist', false, false],
  ['outgoing', false, false, false],
];

describe('browser: SMS Marketing report pages and /doc', function () {
  let s: LiveServer;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let mailingA: number;
  let mailingB: number;
  let campaign: number;

  before(async function () {
    requireChromium(this);
    s = await liveServer();
    ({ mailingA, mailingB, campaign } = await s.env(async (env) => {
      const partners = await env.model('res.partner').create(RECIPIENTS.map((_, i) => ({ name: `P${i}`, phone: `+3247055500${i}` })));
      const [c] = (await env.model('utm.campaign').create([{ name: 'Spring Promo' }])).ids;
      const partnerModel = (await env.model('ir.model').search([['model', '=', 'res.partner']])).ids[0];
      const mailings = await env.model('mailing.mailing').create(['Spring A', 'Spring B'].map((subject) => ({
        subject, mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: `${subject}!`, campaign_id: c, ab_testing_enabled: true,
      })));
      const [a, b] = mailings.ids;
      const traces = await env.model('mailing.trace').create(RECIPIENTS.map(([status, failure], i) => ({
        trace_type: 'sms', model: 'res.partner', res_id: partners.ids[i], mass_mailing_id: a, trace_status: status, failure_type: failure,
      })));
      for (const [i, id] of traces.ids.entries()) {
        const [, , sent, clicked] = RECIPIENTS[i];
        await env.cr.execute(sql`UPDATE mailing_trace SET sent_datetime = ${sent ? `2026-03-0${1 + (i % 2)} 10:00:00` : null},
          links_click_datetime = ${clicked ? '2026-03-02 12:00:00' : null} WHERE id = ${id}`);
      }
      const bt = await env.model('mailing.trace').create([{ trace_type: 'sms', model: 'res.partner', res_id: partners.ids[0], mass_mailing_id: b, trace_status: 'sent' }]);
      await env.cr.execute(sql`UPDATE mailing_trace SET sent_datetime = '2026-03-01 10:00:00' WHERE id = ${bt.ids[0]}`);
      const sms = await env.model('sms.sms').create([{ number: '+32470555000', body: 'x', state: 'sent', mailing_id: a }, { number: '+32470555001', body: 'x', state: 'sent', mailing_id: a }]);
      await env.cr.execute(sql`UPDATE sms_sms SET credit = 1.25 WHERE id = ANY(${sms.ids}::int4[])`);
      // a user who may log in but has no mass-mailing rights
      const base = (await env.model('ir.model.data').call<[string, number]>('_xmlid_lookup', 'base.group_user'))[1];
      await env.model('res.users').create([{ name: 'Nora', login: 'nora', password: 'nora-pw-123', group_ids: [[6, 0, [base]]] }]);
      return { mailingA: a, mailingB: b, campaign: c };
    }));
    browser = await launchChromium('report', { viewport: { width: 1280, height: 900 } });
    ({ context, page } = browser);
  });

  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** The funnel of mailing A counted straight from the database. */
  const dbFunnel = () => s.env(async (env) => (await env.cr.query<Record<string, number>>(sql`
    SELECT count(*)::int AS expected, count(sent_datetime)::int AS sent,
           count(*) FILTER (WHERE trace_status IN ('sent', 'open', 'reply'))::int AS delivered,
           count(links_click_datetime)::int AS clicked
    FROM mailing_trace WHERE mass_mailing_id = ${mailingA}`))[0]);

  it('asks to log in, then shows the mailing funnel with the numbers of the database', async () => {
    const reportUrl = `${s.url}/sms_marketing/mailing/${mailingA}`;
    await page.goto(reportUrl);
    expect(new URL(page.url()).pathname).to.equal('/web/login');
    await page.getByLabel('Email').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(reportUrl), page.getByRole('button', { name: 'Log in' }).click()]);
    await page.getByRole('heading', { name: 'Spring A' }).waitFor();

    const db = await dbFunnel();
    expect(db).to.deep.equal({ expected: 10, sent: 5, delivered: 4, clicked: 2 });
    const shown: Record<string, number> = {};
    for (const row of await page.locator('#funnel-table tbody tr').all()) {
      shown[(await row.getAttribute('data-step'))!] = Number(await row.locator('td').first().innerText());
    }
    expect(shown).to.deep.equal(db);
    // and the mailing's statistic fields over RPC agree
    const [rpc] = await s.env((env) => env.model('mailing.mailing').browse([mailingA]).read(['expected', 'sent', 'delivered', 'clicked']));
    expect({ expected: rpc.expected, sent: rpc.sent, delivered: rpc.delivered, clicked: rpc.clicked }).to.deep.equal(db);
    // cancelled and failed by reason
    const reasons = await page.locator('#reasons-table tbody tr').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-outcome'), r.getAttribute('data-reason'), Number(r.lastElementChild!.textContent)]));
    expect(reasons).to.deep.equal([
      ['cancel', 'sms_optout', 2], ['cancel', 'sms_blacklist', 1],
      ['failed', 'sms_invalid_destination', 1], ['failed', 'sms_server', 1],
    ]);
    expect(await page.locator('#credits').innerText()).to.match(/^2\.5 credits/);
  });

  it('draws the charts with the data (Chart.js served by the server itself)', async () => {
    await page.locator('#funnel-chart[data-drawn="1"]').waitFor({ state: 'attached' });
    const chart = await page.evaluate(() => {
      const canvas = document.getElementById('funnel-chart') as HTMLCanvasElement;
      const c = (window as any).Chart.getChart(canvas);
      const ctx = canvas.getContext('2d')!;
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
      return { labels: c.data.labels, data: c.data.datasets[0].data, painted, width: canvas.width };
    });
    expect(chart.labels).to.deep.equal(['Expected', 'Sent', 'Delivered', 'Clicked']);
    expect(chart.data).to.deep.equal([10, 5, 4, 2]);
    expect(chart.width).to.be.above(0);
    expect(chart.painted).to.be.above(1000);
    const perDay = await page.evaluate(() => (window as any).Chart.getChart(document.getElementById('time-chart')).data.datasets.map((d: any) => d.data));
    expect(perDay).to.deep.equal([[3, 2], [2, 2], [0, 2]]);
  });

  it('follows the link to the campaign: the A/B variants side by side', async () => {
    await Promise.all([page.waitForURL(`${s.url}/sms_marketing/campaign/${campaign}`), page.locator('#campaign-link').click()]);
    await page.getByRole('heading', { name: 'Spring Promo' }).waitFor();
    const heads = await page.locator('#variants-table thead th[data-mailing]').evaluateAll((ths) => ths.map((th) => Number(th.getAttribute('data-mailing'))));
    expect(heads).to.deep.equal([mailingA, mailingB]);
    const sent = await page.locator('#variants-table tr[data-figure="sent"] td').allInnerTexts();
    expect(sent.map(Number)).to.deep.equal([5, 1]);
    const datasets = await page.evaluate(() => (window as any).Chart.getChart(document.getElementById('variants-chart')).data.datasets.map((d: any) => [d.label, d.data[0]]));
    expect(datasets).to.deep.equal([['Spring A', 5], ['Spring B', 1]]);
  });

  it('/doc lists mailing.mailing, and its JSON-2 example runs as written', async () => {
    await page.goto(`${s.url}/doc`);
    await page.locator('tr[data-model="mailing.mailing"]').waitFor();
    await Promise.all([page.waitForURL(`${s.url}/doc/mailing.mailing`), page.locator('tr[data-model="mailing.mailing"] a').click()]);
    await page.locator('tr[data-field="sms_subject"]').waitFor({ state: 'attached' });
    const curl = await page.locator('#method-search_read pre.curl').textContent();
    expect(curl).to.contain(`${s.url}/json/2/mailing.mailing/search_read`);
    // run the example: its URL, headers and body, with a real key
    const key = await makeApiKey(s, 2, ADMIN_PASSWORD, 'doc example');
    const url = /curl -X POST '([^']+)'/.exec(curl!)![1];
    const headers = Object.fromEntries([...curl!.matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1], m[2].replace('YOUR_API_KEY', key!)]));
    const body = /-d '(.*)'$/s.exec(curl!)![1];
    const res = await fetch(url, { method: 'POST', headers, body });
    expect(res.status).to.equal(200);
    const rows = (await res.json()) as { id: number; display_name: string }[];
    expect(rows.map((r) => r.id)).to.include(mailingA);
    expect(await page.locator('#method-search_read pre.xmlrpc').textContent()).to.contain('"mailing.mailing", "search_read"');
  });

  it('a user without mass-mailing rights is refused the report and the mailing in /doc', async () => {
    // a fresh session: log in as Nora
    await context.clearCookies();
    await page.goto(`${s.url}/web/login?redirect=/doc`);
    await page.getByLabel('Email').fill('nora');
    await page.getByLabel('Password').fill('nora-pw-123');
    await Promise.all([page.waitForURL(`${s.url}/doc`), page.getByRole('button', { name: 'Log in' }).click()]);
    expect(await page.locator('tr[data-model="mailing.mailing"]').count()).to.equal(0);
    expect(await page.locator('tr[data-model="res.partner"]').count()).to.equal(1);
    const docRes = await page.goto(`${s.url}/doc/mailing.mailing`);
    expect(docRes?.status()).to.equal(403);
    const res = await page.goto(`${s.url}/sms_marketing/mailing/${mailingA}`);
    expect(res?.status()).to.equal(403);
    expect(await page.content()).to.not.contain('Spring A');
  });
});

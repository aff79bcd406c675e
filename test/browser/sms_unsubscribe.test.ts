// The SMS opt-out page in a real browser: Debian's chromium driven by playwright-core, with
// JavaScript off and a phone-sized screen, from the STOP link of a sent SMS to the database.
//
// Chromium is launched by test/helpers/browser.ts (fails under CI when missing, skips elsewhere).

import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, requireChromium, type Browser } from '../helpers/browser.ts';
import { liveServer, type LiveServer } from '../helpers/live_server.ts';
import { setParam } from '../../models/base/ir_config_parameter.ts';
import { sql } from '../../models/orm/sql.ts';


describe('browser: the SMS opt-out page in Chromium', function () {
  let s: LiveServer;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let stopUrl: string;
  let contact: number;

  before(async function () {
    requireChromium(this);
    s = await liveServer();
    // The STOP link of the SMS points at this very server.
    await s.env((env) => setParam(env, 'web.base.url', s.url));
    ({ stopUrl, contact } = await s.env(async (env) => {
      const lists = await env.model('mailing.list').create([{ name: 'Newsletter' }, { name: 'Offers' }]);
      const [c] = (await env.model('mailing.contact').create([{ name: 'Ann', mobile: '+32 470 12 34 56', list_ids: [[6, 0, lists.ids]] }])).ids;
      const listModel = (await env.model('ir.model').search([['model', '=', 'mailing.list']])).ids[0];
      const mailing = await env.model('mailing.mailing').create([{
        subject: 'Spring', mailing_type: 'sms', mailing_model_id: listModel, contact_list_ids: [[6, 0, lists.ids]], body_plaintext: 'Spring sale!', sms_allow_unsubscribe: true,
      }]);
      await mailing.call('action_send_sms');
      const [sms] = await env.model('sms.sms').search([['mailing_id', '=', mailing.ids[0]]]).then((r) => r.fetch(['body']));
      return { stopUrl: /STOP SMS: (\S+)$/.exec(sms.body as string)![1], contact: c };
    }));
    browser = await launchChromium('optout', { javaScriptEnabled: false, viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    ({ context, page } = browser);
  });

  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const optedOut = () => s.env((env) => env.cr.query<{ name: string; opt_out: boolean }>(sql`
    SELECT l.name, s.opt_out FROM mailing_subscription s JOIN mailing_list l ON l.id = s.list_id WHERE s.contact_id = ${contact} ORDER BY l.name`));

  it('opens the STOP link, refuses a wrong number, then opts the right one out of the mailing\'s lists', async () => {
    expect(stopUrl).to.match(new RegExp(`^${s.url}/sms/\\d+/[A-Za-z0-9]{3}$`));
    const res = await page.goto(stopUrl);
    expect(res?.status()).to.equal(200);
    await page.getByText('Please confirm your phone number to unsubscribe :').waitFor();
    // usable on a phone: the field fits the screen
    const box = await page.locator('#sms_number').boundingBox();
    expect(box!.x).to.be.at.least(0);
    expect(box!.x + box!.width).to.be.at.most(360);

    await page.getByLabel('Please confirm your phone number to unsubscribe :').fill('+32 470 99 99 99');
    await Promise.all([page.waitForURL(stopUrl), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
    await page.getByText('Oops! Number not found').waitFor();
    expect(await page.getByRole('alert').innerText()).to.include('There was an error when trying to unsubscribe +32 470 99 99 99');
    expect((await optedOut()).every((r) => !r.opt_out)).to.equal(true);

    await page.getByLabel('Please confirm your phone number to unsubscribe :').fill('+32 470 12 34 56');
    await Promise.all([page.waitForURL(/\/unsubscribe\//), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
    expect(page.url()).to.equal(`${stopUrl.replace(/\/([^/]+)$/, '/unsubscribe/$1')}?sms_number=%2B32470123456`);
    const status = await page.getByRole('status').innerText();
    expect(status).to.include('+32470123456 has been successfully removed from').and.include('Newsletter').and.include('Offers');

    expect(await optedOut()).to.deep.equal([{ name: 'Newsletter', opt_out: true }, { name: 'Offers', opt_out: true }]);
  });

  const submitNumber = async (p: Page) => {
    await p.getByLabel('Please confirm your phone number to unsubscribe :').fill('+32 470 12 34 56');
    // whatever page comes back (the result, or an error page at the same URL)
    await Promise.all([p.waitForNavigation(), p.getByRole('button', { name: 'Unsubscribe' }).click()]);
    return (await p.locator('main').innerText()).replace(/\s+/g, ' ').trim();
  };
  const expectRemoved = (text: string) => expect(text).to.match(/\+32470123456 has been successfully removed from Offers Newsletter$/);

  it('after the opt-out: reload, back and submit again, the STOP link in another tab: the same page each time', async () => {
    await page.goto(stopUrl);
    expectRemoved(await submitNumber(page));
    await page.reload();
    expectRemoved((await page.locator('main').innerText()).replace(/\s+/g, ' ').trim());
    await page.goBack();
    expect(page.url()).to.equal(stopUrl);
    expectRemoved(await submitNumber(page));

    const tab = await context.newPage();
    try {
      await tab.goto(stopUrl);
      expectRemoved(await submitNumber(tab));
    } finally {
      await tab.close();
    }
    expect(await optedOut()).to.deep.equal([{ name: 'Newsletter', opt_out: true }, { name: 'Offers', opt_out: true }]);
  });

  it('a form shown just before the session cookie from an earlier visit expires can still be sent after that moment', async () => {
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'session_id');
    // the cookie set by the first visit, days ago, now about to expire
    const expires = Math.ceil(Date.now() / 1000) + 2;
    await context.addCookies([{ ...cookie, expires }]);
    await page.goto(stopUrl);
    await page.getByText('Please confirm your phone number to unsubscribe :').waitFor();
    // the recipient reads the page a little while: the old cookie's moment passes
    await new Promise((resolve) => setTimeout(resolve, expires * 1000 - Date.now() + 1000));
    expectRemoved(await submitNumber(page));
  });

  it('a form posted from another site, with a token of another session, is still refused', async () => {
    // the other site got a valid token for its own session from the STOP page
    const theirs = await fetch(stopUrl).then((r) => r.text());
    const token = /name="csrf_token" value="([^"]+)"/.exec(theirs)![1];
    const action = new URL(stopUrl).pathname;
    await page.goto(stopUrl); // the recipient has a session cookie
    const other = await context.newPage();
    try {
      await other.route('http://other-site.test/', (route) => route.fulfill({
        contentType: 'text/html',
        body: `<form action="${s.url}${action}" method="post"><input name="sms_number" value="+32470123456"><input name="csrf_token" value="${token}"><button>Go</button></form>`,
      }));
      await other.goto('http://other-site.test/');
      await Promise.all([other.waitForURL(stopUrl), other.getByRole('button', { name: 'Go' }).click()]);
      expect((await other.locator('main').innerText()).replace(/\s+/g, ' ')).to.include('400: Bad Request').and.include('Session expired (invalid CSRF token)');
    } finally {
      await other.close();
    }
  });
});

// The SMS opt-out page in a real browser: Debian's chromium driven by playwright-core, with
// JavaScript off and a phone-sized screen, from the STOP link of a sent SMS to the database.
//
// Chromium comes from apt (`.ci/run` installs it): missing chromium fails the suite under CI and
// skips it, with a message, on a developer machine.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { liveServer, type LiveServer } from '../helpers/live_server.ts';
import { setParam } from '../../models/base/ir_config_parameter.ts';
import { sql } from '../../models/orm/sql.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('browser: the SMS opt-out page in Chromium', function () {
  let s: LiveServer;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let stopUrl: string;
  let contact: number;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      // CI (.ci/run installs it) must run the browser tests; a developer machine without it skips them.
      if (process.env.CI) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium)`);
      console.log(`      (skipped: no chromium at ${CHROMIUM}; apt-get install chromium)`);
      this.skip();
    }
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
    profile = await mkdtemp(path.join(tmpdir(), 'sms-optout-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      javaScriptEnabled: false,
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  after(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
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
});

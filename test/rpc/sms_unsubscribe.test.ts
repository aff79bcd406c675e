// The public SMS opt-out pages over HTTP: /sms/<mailing>/<code> and /sms/<mailing>/unsubscribe/<code>.

import { expect } from 'chai';
import request from 'supertest';
import { rpcTestApp, type RpcTestApp } from '../helpers/rpc.ts';
import { readCapture } from '../helpers/odoo19.ts';
import { setParam } from '../../models/base/ir_config_parameter.ts';
import type { Env } from '../../models/orm/env.ts';
import { sql } from '../../models/orm/sql.ts';

const BASE = 'http://sms.example.test:8070';

interface Sent {
  mailing: number;
  code: string;
  body: string;
}

/** Send an opt-out SMS mailing to one contact of new lists; the trace's code and SMS body. */
async function listMailing(env: Env, number: string, lists: { name: string; is_public: boolean }[]): Promise<Sent & { lists: number[]; contact: number }> {
  const listIds = (await env.model('mailing.list').create(lists)).ids;
  const [contact] = (await env.model('mailing.contact').create([{ name: 'Ann', mobile: number, list_ids: [[6, 0, listIds]] }])).ids;
  const listModel = (await env.model('ir.model').search([['model', '=', 'mailing.list']])).ids[0];
  const mailing = await env.model('mailing.mailing').create([{
    subject: 'Promo', mailing_type: 'sms', mailing_model_id: listModel, contact_list_ids: [[6, 0, listIds]], body_plaintext: 'Hi', sms_allow_unsubscribe: true,
  }]);
  await mailing.call('action_send_sms');
  return { ...(await sentOf(env, mailing.ids[0])), lists: listIds, contact };
}

async function sentOf(env: Env, mailing: number): Promise<Sent> {
  const [row] = await env.cr.query<{ code: string; body: string }>(sql`
    SELECT t.sms_code AS code, s.body FROM mailing_trace t JOIN sms_sms s ON s.id = t.sms_id_int WHERE t.mass_mailing_id = ${mailing}`);
  return { mailing, ...row };
}

/** The csrf_token hidden input and the session cookie of a freshly loaded form. */
async function loadForm(t: RpcTestApp, path: string): Promise<{ token: string; cookie: string; html: string }> {
  const res = await request(t.app).get(path);
  expect(res.status).to.equal(200);
  const token = /name="csrf_token" value="([^"]+)"/.exec(res.text)?.[1];
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('session_id='));
  expect(token, 'csrf token').to.match(/^[0-9a-f]{40}o\d+$/);
  expect(cookie, 'session cookie').to.match(/^session_id=[\w-]+; Expires=.+; Max-Age=604800; HttpOnly; Path=\/$/);
  return { token: token!, cookie: cookie!.split(';')[0], html: res.text };
}

describe('rpc: SMS opt-out pages (/sms/<mailing>/<code>)', () => {
  let t: RpcTestApp;
  let sent: Awaited<ReturnType<typeof listMailing>>;
  before(async () => {
    t = await rpcTestApp();
    await t.env((env) => setParam(env, 'web.base.url', BASE));
    sent = await t.env((env) => listMailing(env, '+32 470 12 34 56', [{ name: 'Public <b>list</b>', is_public: true }, { name: 'Internal list', is_public: false }]));
  });
  after(async () => t.close());

  const page = () => `/sms/${sent.mailing}/${sent.code}`;
  const subscriptions = () => t.env((env) => env.cr.query<{ list_id: number; opt_out: boolean; opt_out_datetime: Date | null }>(
    sql`SELECT list_id, opt_out, opt_out_datetime FROM mailing_subscription WHERE contact_id = ${sent.contact} ORDER BY list_id`));

  it('the SMS carries the STOP line with its own trace code (as the Odoo 19 capture)', () => {
    // Odoo 19: "Hi\nSTOP SMS: http://localhost:8070/sms/1/0li"
    expect(readCapture('r2-sms-mailing-setup-and-send.txt')).to.include('"body": "Hi\\nSTOP SMS: http://localhost:8070/sms/1/0li"');
    expect(sent.code).to.match(/^[A-Za-z0-9]{3}$/);
    expect(sent.body).to.equal(`Hi\nSTOP SMS: ${BASE}/sms/${sent.mailing}/${sent.code}`);
  });

  it('GET shows the form: number field, hidden csrf_token / trace_code / mailing_id, posting to itself; no login, phone-ready', async () => {
    const { html } = await loadForm(t, page());
    expect(html).to.include(`<form action="/sms/${sent.mailing}/${sent.code}" method="post">`);
    expect(html).to.include('Please confirm your phone number to unsubscribe :');
    expect(html).to.match(/<input type="text" name="sms_number" id="sms_number" value="" placeholder="e.g. &quot;\+1 \(555\) 123-4567&quot;"[^>]* required>/);
    expect(html).to.include(`<input type="hidden" name="trace_code" value="${sent.code}">`);
    expect(html).to.include(`<input type="hidden" name="mailing_id" value="${sent.mailing}">`);
    expect(html).to.include('<button type="submit">Unsubscribe</button>');
    expect(html).to.include('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).not.to.include('<script');
  });

  it('an unknown code, or an unknown mailing, redirects (303) to /odoo on both routes', async () => {
    for (const path of [`/sms/${sent.mailing}/ZZZZZ`, `/sms/99999/${sent.code}`, `/sms/${sent.mailing}/unsubscribe/ZZZZZ?sms_number=%2B32470123456`, '/sms/99999999999/abc']) {
      const res = await request(t.app).get(path);
      expect(res.status, path).to.equal(303);
      expect(res.headers.location).to.equal('/odoo');
      expect(res.text).to.include('<title>Redirecting...</title>');
    }
    // not an integer mailing id: no such route
    expect((await request(t.app).get(`/sms/abc/${sent.code}`)).status).to.equal(404);
  });

  it('a POST without a valid CSRF token answers 400 "Session expired (invalid CSRF token)" and changes nothing', async () => {
    const { token, cookie } = await loadForm(t, page());
    const attempts = [
      request(t.app).post(page()).type('form').send({ sms_number: '+32470123456', trace_code: sent.code, mailing_id: String(sent.mailing) }),
      request(t.app).post(page()).type('form').send({ sms_number: '+32470123456', csrf_token: token }), // token of another session
      request(t.app).post(page()).set('Cookie', cookie).type('form').send({ sms_number: '+32470123456', csrf_token: `${'0'.repeat(40)}o${token.split('o')[1]}` }),
      request(t.app).post(`/sms/${sent.mailing}/unsubscribe/${sent.code}`).set('Cookie', cookie).type('form').send({ sms_number: '+32470123456' }),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect(res.status).to.equal(400);
      expect(res.text).to.include('400: Bad Request').and.include('Session expired (invalid CSRF token)');
    }
    expect((await subscriptions()).every((s) => !s.opt_out)).to.equal(true);
  });

  it('a wrong number, an unparsable one or one without country code show the form again with Odoo\'s messages', async () => {
    const { token, cookie } = await loadForm(t, page());
    const post = (n: string) => request(t.app).post(page()).set('Cookie', cookie).type('form').send({ sms_number: n, csrf_token: token, trace_code: sent.code, mailing_id: String(sent.mailing) });
    const cases: [string, string][] = [
      ['+32470999999', 'Oops! Number not found'],
      ['abc', 'Oops! The phone number seems to be incorrect. Please make sure to include the country code.'],
      ['0470123456', 'Oops! The phone number seems to be incorrect. Please make sure to include the country code.'],
    ];
    for (const [typed, message] of cases) {
      const res = await post(typed);
      expect(res.status, typed).to.equal(200);
      expect(res.text).to.include(`There was an error when trying to unsubscribe <strong>${typed}</strong>`).and.include(message);
      expect(res.text).to.include('name="csrf_token"');
    }
    // what is shown is escaped
    const res = await post('<img src=x onerror=alert(1)>');
    expect(res.text).to.include('&lt;img src=x onerror=alert(1)&gt;').and.not.include('<img');
    // an empty number: the form again, no error
    const empty = await post('   ');
    expect(empty.status).to.equal(200);
    expect(empty.text).not.to.include('There was an error');
    expect((await subscriptions()).every((s) => !s.opt_out)).to.equal(true);
  });

  it('the wrong number on the unsubscribe route changes nothing and says so (Odoo 19 claims "blacklisted")', async () => {
    const res = await request(t.app).get(`/sms/${sent.mailing}/unsubscribe/${sent.code}?sms_number=%2B32470999999`);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('Oops! Number not found').and.not.include('successfully');
    const none = await request(t.app).get(`/sms/${sent.mailing}/unsubscribe/${sent.code}`);
    expect(none.status).to.equal(200);
    expect(none.text).to.include('Please confirm your phone number').and.not.include('successfully');
    expect((await subscriptions()).every((s) => !s.opt_out)).to.equal(true);
    expect(await t.env((env) => env.model('phone.blacklist').withContext({ active_test: false }).searchCount([]))).to.equal(0);
  });

  it('the right number (typed with spaces) redirects to the unsubscribe route, which opts it out of the mailing\'s lists', async () => {
    const { token, cookie } = await loadForm(t, page());
    const res = await request(t.app).post(page()).set('Cookie', cookie).type('form')
      .send({ sms_number: ' +32 470 12 34 56 ', csrf_token: token, trace_code: sent.code, mailing_id: String(sent.mailing) });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/sms/${sent.mailing}/unsubscribe/${sent.code}?sms_number=%2B32470123456`);
    expect((await subscriptions()).every((s) => !s.opt_out), 'nothing changed yet').to.equal(true);

    const done = await request(t.app).get(res.headers.location).set('Cookie', cookie);
    expect(done.status).to.equal(200);
    expect(done.text).to.include('SMS Subscription').and.include('<strong>+32470123456</strong> has been successfully removed from');
    // public lists by (escaped) name, the others as "Mailing List"
    expect(done.text).to.include('<strong>Public &lt;b&gt;list&lt;/b&gt;</strong>').and.include('<strong>Mailing List</strong>').and.not.include('Internal list');
    const subs = await subscriptions();
    expect(subs.map((s) => s.opt_out)).to.deep.equal([true, true]);
    expect(subs.every((s) => s.opt_out_datetime)).to.equal(true);
    expect(await t.env((env) => env.model('phone.blacklist').withContext({ active_test: false }).searchCount([]))).to.equal(0);
  });

  it('a number no longer subscribed to the mailing\'s lists: nothing to remove, and the page says so', async () => {
    const other = await t.env(async (env) => {
      const o = await listMailing(env, '+32 470 77 77 77', [{ name: 'Left', is_public: true }]);
      await env.model('mailing.contact').browse([o.contact]).write({ list_ids: [[5, 0, 0]] });
      return o;
    });
    const res = await request(t.app).get(`/sms/${other.mailing}/unsubscribe/${other.code}?sms_number=%2B32470777777`);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('<strong>+32470777777</strong> is not subscribed to the lists of this mailing').and.not.include('successfully');
    expect(await t.env((env) => env.model('phone.blacklist').withContext({ active_test: false }).searchCount([]))).to.equal(0);
  });

  it('a mailing without lists blacklists the number, with Odoo\'s notes on the entry', async () => {
    const { mailing, code } = await t.env(async (env) => {
      const [partner] = (await env.model('res.partner').create([{ name: 'Bob Partner', phone: '+32470555111' }])).ids;
      const partnerModel = (await env.model('ir.model').search([['model', '=', 'res.partner']])).ids[0];
      const m = await env.model('mailing.mailing').create([{
        subject: 'Partners', mailing_type: 'sms', mailing_model_id: partnerModel, mailing_domain: `[('id', '=', ${partner})]`, body_plaintext: 'Hello partner', sms_allow_unsubscribe: true,
      }]);
      await m.call('action_send_sms');
      return sentOf(env, m.ids[0]);
    });
    const res = await request(t.app).post(`/sms/${mailing}/unsubscribe/${code}`).query({ sms_number: '+32470555111' })
      .set('Cookie', (await loadForm(t, `/sms/${mailing}/${code}`)).cookie).type('form').send({ csrf_token: 'x' });
    expect(res.status, 'POST needs the token on this route too').to.equal(400);
    const done = await request(t.app).get(`/sms/${mailing}/unsubscribe/${code}?sms_number=%2B32470555111`);
    expect(done.status).to.equal(200);
    expect(done.text).to.include('<strong>+32470555111</strong> has been successfully blacklisted');
    const { entries, notes, flags } = await t.env(async (env) => {
      const entries = await env.model('phone.blacklist').search([]);
      return {
        entries: await entries.fetch(['number', 'active']),
        notes: (await env.cr.query<{ body: string }>(sql`SELECT body FROM mail_message WHERE model = 'phone.blacklist' AND res_id = ${entries.ids[0]} ORDER BY id`)).map((r) => r.body),
        flags: (await env.model('res.partner').search([['name', '=', 'Bob Partner']]).then((p) => p.read(['phone_blacklisted'])))[0],
      };
    });
    expect(entries).to.deep.equal([{ id: entries[0].id, number: '+32470555111', active: true }]);
    expect(notes).to.deep.equal(['<p>Phone Blacklist created</p>', `<p>Blacklist through SMS Marketing unsubscribe (mailing ID: ${mailing} - model: Contact)</p>`]);
    expect(flags.phone_blacklisted).to.equal(true);
  });

  /** An opt-out SMS mailing to one partner (no lists: opting out blacklists the number). */
  const partnerMailing = (phone: string) => t.env(async (env) => {
    const [partner] = (await env.model('res.partner').create([{ name: `Partner ${phone}`, phone }])).ids;
    const partnerModel = (await env.model('ir.model').search([['model', '=', 'res.partner']])).ids[0];
    const m = await env.model('mailing.mailing').create([{
      subject: 'Partners', mailing_type: 'sms', mailing_model_id: partnerModel, mailing_domain: `[('id', '=', ${partner})]`, body_plaintext: 'Hello', sms_allow_unsubscribe: true,
    }]);
    await m.call('action_send_sms');
    return sentOf(env, m.ids[0]);
  });

  it('after a successful opt-out, submitting again (resubmit, back button, another tab) and reloading show the page again', async () => {
    const other = await t.env((env) => listMailing(env, '+32 470 88 88 88', [{ name: 'Again', is_public: true }]));
    const form = `/sms/${other.mailing}/${other.code}`;
    const { token, cookie } = await loadForm(t, form);
    const submit = async (csrf: string) => {
      const res = await request(t.app).post(form).set('Cookie', cookie).type('form').send({ sms_number: '+32 470 88 88 88', csrf_token: csrf, trace_code: other.code, mailing_id: String(other.mailing) });
      expect(res.status, res.text).to.equal(303);
      return res.headers.location as string;
    };
    const result = async (location: string) => {
      const res = await request(t.app).get(location).set('Cookie', cookie);
      expect(res.status).to.equal(200);
      expect(res.text).to.include('<strong>+32470888888</strong> has been successfully removed from').and.include('<strong>Again</strong>');
    };
    const done = await submit(token);
    await result(done);
    await result(done); // reload
    await result(await submit(token)); // the same form posted again
    const tab = await request(t.app).get(form).set('Cookie', cookie); // the STOP link opened again
    await result(await submit(/name="csrf_token" value="([^"]+)"/.exec(tab.text)![1]));
    const subs = await t.env((env) => env.cr.query<{ opt_out: boolean }>(sql`SELECT opt_out FROM mailing_subscription WHERE contact_id = ${other.contact}`));
    expect(subs).to.deep.equal([{ opt_out: true }]);
  });

  it('a returning visitor\'s form renews the session cookie its token is bound to', async () => {
    const { cookie } = await loadForm(t, page());
    const again = await request(t.app).get(page()).set('Cookie', cookie);
    const renewed = ([] as string[]).concat(again.headers['set-cookie'] ?? []).find((c) => c.startsWith('session_id='));
    expect(renewed, 'session cookie').to.match(new RegExp(`^${cookie}; Expires=.+; Max-Age=604800; HttpOnly; Path=/$`));
  });

  it('the same opt-out sent several times at once (a double tap) answers each with the page, never an error', async () => {
    const cases = [
      { sentTo: await partnerMailing('+32470555222'), number: '+32470555222', says: 'has been successfully blacklisted' },
      { sentTo: await t.env((env) => listMailing(env, '+32470555333', [{ name: 'Taps', is_public: true }])), number: '+32470555333', says: 'has been successfully removed from' },
    ];
    for (const { sentTo, number, says } of cases) {
      const form = `/sms/${sentTo.mailing}/${sentTo.code}`;
      const { token, cookie } = await loadForm(t, form);
      const answers = await Promise.all([0, 1, 2, 3].map(async () => {
        const posted = await request(t.app).post(form).set('Cookie', cookie).type('form').send({ sms_number: number, csrf_token: token });
        expect(posted.status).to.equal(303);
        return request(t.app).get(posted.headers.location).set('Cookie', cookie);
      }));
      for (const res of answers) {
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.include(`<strong>${number}</strong> ${says}`);
      }
    }
    const entries = await t.env((env) => env.model('phone.blacklist').search([['number', '=', '+32470555222']]).then((r) => r.fetch(['active'])));
    expect(entries.map((e) => e.active)).to.deep.equal([true]);
  });

  it('names the lists as Odoo 19 does: oldest list first (subscriptions by list_id DESC, i.e. mailing.list\'s create_date DESC reversed)', async () => {
    const other = await t.env(async (env) => {
      // ids: Beta < Charlie < Alpha; created: Charlie, then Alpha, then Beta
      const ids = (await env.model('mailing.list').create([{ name: 'Beta' }, { name: 'Charlie' }, { name: 'Alpha' }])).ids;
      const [beta, charlie, alpha] = ids;
      for (const [id, created] of [[charlie, '2024-01-01 09:00:00'], [alpha, '2025-01-01 09:00:00'], [beta, '2026-01-01 09:00:00']] as const) {
        await env.cr.execute(sql`UPDATE mailing_list SET create_date = ${created}::timestamp WHERE id = ${id}`);
      }
      const [contact] = (await env.model('mailing.contact').create([{ name: 'Ann', mobile: '+32 470 66 66 66', list_ids: [[6, 0, ids]] }])).ids;
      const listModel = (await env.model('ir.model').search([['model', '=', 'mailing.list']])).ids[0];
      const mailing = await env.model('mailing.mailing').create([{
        subject: 'Three', mailing_type: 'sms', mailing_model_id: listModel, contact_list_ids: [[6, 0, [alpha, beta, charlie]]], body_plaintext: 'Hi', sms_allow_unsubscribe: true,
      }]);
      await mailing.call('action_send_sms');
      return { ...(await sentOf(env, mailing.ids[0])), contact };
    });
    const res = await request(t.app).get(`/sms/${other.mailing}/unsubscribe/${other.code}?sms_number=%2B32470666666`);
    expect(res.status).to.equal(200);
    expect([...res.text.matchAll(/<li><strong>([^<]*)<\/strong><\/li>/g)].map((m) => m[1])).to.deep.equal(['Charlie', 'Alpha', 'Beta']);
  });

  it('lists created together (same create_date, where Odoo leaves the order to PostgreSQL) come in one order every time: the last created first', async () => {
    for (let run = 0; run < 3; run++) {
      const other = await t.env((env) => listMailing(env, `+32 470 66 66 7${run}`, [{ name: 'Zulu', is_public: true }, { name: 'Mike', is_public: true }, { name: 'Yankee', is_public: true }]));
      const res = await request(t.app).get(`/sms/${other.mailing}/unsubscribe/${other.code}?sms_number=%2B3247066667${run}`);
      expect([...res.text.matchAll(/<li><strong>([^<]*)<\/strong><\/li>/g)].map((m) => m[1])).to.deep.equal(['Yankee', 'Mike', 'Zulu']);
    }
  });

  it('opting out again: the subscriptions\' opt_out_datetime moves to now, nothing is logged (Odoo 19 recomputes it on every write of opt_out)', async () => {
    const other = await t.env((env) => listMailing(env, '+32 470 66 66 80', [{ name: 'Twice', is_public: true }, { name: 'Twice too', is_public: false }]));
    const url = `/sms/${other.mailing}/unsubscribe/${other.code}?sms_number=%2B32470666680`;
    const state = () => t.env(async (env) => ({
      subs: await env.cr.query<{ opt_out: boolean; when: string }>(sql`SELECT opt_out, to_char(opt_out_datetime, 'YYYY-MM-DD HH24:MI:SS') AS when FROM mailing_subscription WHERE contact_id = ${other.contact} ORDER BY list_id`),
      messages: Number((await env.cr.query<{ n: string }>(sql`SELECT count(*) AS n FROM mail_message`))[0].n),
      now: (await env.cr.query<{ now: string }>(sql`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS now`))[0].now,
    }));
    expect((await request(t.app).get(url)).status).to.equal(200);
    // the first opt-out was long ago
    await t.env((env) => env.cr.execute(sql`UPDATE mailing_subscription SET opt_out_datetime = '2025-03-01 10:00:00' WHERE contact_id = ${other.contact}`));
    const before = await state();
    expect(before.subs).to.deep.equal([{ opt_out: true, when: '2025-03-01 10:00:00' }, { opt_out: true, when: '2025-03-01 10:00:00' }]);
    const again = await request(t.app).get(url);
    expect(again.status).to.equal(200);
    expect(again.text).to.include('<strong>+32470666680</strong> has been successfully removed from').and.include('<strong>Twice</strong>');
    const after = await state();
    expect(after.subs.map((s) => s.opt_out)).to.deep.equal([true, true]);
    for (const s of after.subs) expect(s.when >= before.now && s.when <= after.now, `${s.when} between ${before.now} and ${after.now}`).to.equal(true);
    expect(after.messages).to.equal(before.messages);
  });

  it('opting out again of a mailing without lists: the entry stays as it is and Odoo\'s note is logged again', async () => {
    const { mailing, code } = await partnerMailing('+32470555444');
    const url = `/sms/${mailing}/unsubscribe/${code}?sms_number=%2B32470555444`;
    for (let i = 0; i < 2; i++) expect((await request(t.app).get(url)).text).to.include('<strong>+32470555444</strong> has been successfully blacklisted');
    const { entries, notes } = await t.env(async (env) => {
      const entries = await env.model('phone.blacklist').withContext({ active_test: false }).search([['number', '=', '+32470555444']]);
      return {
        entries: await entries.fetch(['active']),
        notes: (await env.cr.query<{ body: string }>(sql`SELECT body FROM mail_message WHERE model = 'phone.blacklist' AND res_id = ${entries.ids[0]} ORDER BY id`)).map((r) => r.body),
      };
    });
    expect(entries.map((e) => e.active)).to.deep.equal([true]);
    const note = `<p>Blacklist through SMS Marketing unsubscribe (mailing ID: ${mailing} - model: Contact)</p>`;
    expect(notes).to.deep.equal(['<p>Phone Blacklist created</p>', note, note]);
  });
});

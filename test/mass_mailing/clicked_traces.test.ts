// clicks_ratio's clicked traces on a database where other mailings hold most clicks: each mailing
// counts its own reached traces having a click (Odoo joins clicks to traces), whichever mailings
// are read together and whichever side the query starts from.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { clickedByMailing } from '../../models/mass_mailing/queries.ts';
import { sql } from '../../models/orm/sql.ts';

describe('mass_mailing: clicked traces of mailings among many clicks', () => {
  let t: TestRegistry;
  let history: number;
  let small: number;
  let other: number;
  let busy: number;
  let smallTraces: number[];
  let otherTraces: number[];
  const ratios = async (ids: number[]) =>
    Object.fromEntries((await t.call('mailing.mailing', 'read', [ids, ['clicks_ratio']])).map((r: { id: number; clicks_ratio: number }) => [r.id, r.clicks_ratio]));

  before(async () => {
    t = await testRegistry();
    await t.env(async (env) => {
      const mailing = async (name: string) => (await env.model('mailing.mailing').create({ sms_subject: name, mailing_type: 'sms', body_plaintext: `${name}: https://example.com/sale` })).ids[0];
      const [partner] = (await env.model('res.partner').create({ name: 'Clicker', phone: '+32470000009' })).ids;
      const traces = async (m: number, n: number) => (await env.model('mailing.trace').create(Array.from({ length: n }, () => ({
        trace_type: 'sms', model: 'res.partner', res_id: partner, mass_mailing_id: m, trace_status: 'sent', sent_datetime: '2026-03-01 10:00:00',
      })))).ids;
      const [link] = (await env.model('link.tracker').create({ url: 'https://example.com/sale' })).ids;
      // A click as the redirect records it: carrying the trace's mailing, the trace marked clicked.
      const click = async (m: number | false, trace: number, mark = true) => {
        await env.model('link.tracker.click').create({ link_id: link, mailing_trace_id: trace, mass_mailing_id: m });
        if (mark) await env.model('mailing.trace').browse([trace]).call('set_clicked');
      };
      [history, small, other, busy] = [await mailing('History'), await mailing('Small'), await mailing('Other'), await mailing('Busy')];
      // The history: every trace of an old mailing clicked, twice for most.
      for (const trace of await traces(history, 60)) {
        await click(history, trace);
        await click(history, trace, false);
      }
      // Small (20 traces): two clicked, one through a click made by hand without a mailing (not
      // marked clicked), one clicked then bounced, one marked clicked without any click.
      smallTraces = await traces(small, 20);
      await click(small, smallTraces[0]);
      await click(small, smallTraces[0], false);
      await click(false, smallTraces[1], false);
      await click(small, smallTraces[2]);
      await env.model('mailing.trace').browse([smallTraces[3]]).call('set_clicked');
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'bounce' WHERE id = ${smallTraces[2]}`);
      // Other (10 traces): one clicked, one through a click made by hand without a mailing.
      otherTraces = await traces(other, 10);
      await click(other, otherTraces[0]);
      await click(false, otherTraces[1], false);
      // Busy (10 traces): most clicked, the query reads its traces rather than looking clicks up.
      for (const trace of (await traces(busy, 10)).slice(0, 7)) await click(busy, trace);
    });
  });
  after(async () => t.close());

  it('each mailing counts its own reached traces having a click, read alone or with others', async () => {
    const expected = { [history]: 100, [small]: 10.53, [other]: 20, [busy]: 70 };
    expect(await ratios([history, small, other, busy])).to.deep.equal(expected);
    for (const id of [history, small, other, busy]) expect(await ratios([id])).to.deep.equal({ [id]: expected[id] });
    expect(await ratios([small, other])).to.deep.equal({ [small]: 10.53, [other]: 20 });
  });

  it('both sides of the query find the same traces', async () => {
    const ids = [history, small, other, busy];
    for (const fromClicks of [true, false]) {
      const rows = await t.env((env) => env.cr.query<{ id: number; n: number }>(clickedByMailing(ids, fromClicks)));
      expect(Object.fromEntries(rows.map((r) => [r.id, r.n]))).to.deep.equal({ [history]: 60, [small]: 2, [other]: 2, [busy]: 7 });
    }
  });

  it('a clicked trace deleted leaves the figures', async () => {
    await t.call('mailing.trace', 'unlink', [[smallTraces[0]]]);
    expect(await ratios([small])).to.deep.equal({ [small]: 5.56 });
    await t.call('mailing.trace', 'unlink', [[otherTraces[1]]]);
    expect(await ratios([other, small])).to.deep.equal({ [other]: 11.11, [small]: 5.56 });
  });
});

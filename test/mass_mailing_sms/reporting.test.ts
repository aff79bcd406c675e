// Reporting over RPC: read_group / formatted_read_group over mailing.trace and sms.sms with every
// date granularity of Odoo 19, several group-bys, aggregates and __count; each group's domain
// selects exactly the records it counts.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { partnerMailing } from '../helpers/mass_mailing_sms.ts';

const TIME = ['hour', 'day', 'week', 'month', 'quarter', 'year'];
const NUMBER = ['year_number', 'quarter_number', 'month_number', 'iso_week_number', 'day_of_year', 'day_of_month', 'day_of_week', 'hour_number', 'minute_number', 'second_number'];

// (sent_datetime UTC, trace_status)
const TRACES: [string, string][] = [
  ['2026-03-01 08:15:10', 'sent'], // a Sunday
  ['2026-03-01 08:45:00', 'bounce'],
  ['2026-03-01 21:05:00', 'sent'],
  ['2026-03-04 10:00:00', 'open'],
  ['2026-06-30 23:30:00', 'error'],
  ['2026-12-31 12:00:00', 'sent'],
];

describe('reporting: grouping traces and SMS by date, status and more', () => {
  let t: TestRegistry;
  let mailing: number;
  before(async () => {
    t = await testRegistry();
    const partners: number[] = await t.call('res.partner', 'create', [TRACES.map((_, i) => ({ name: `R${i}`, phone: `+3247012340${i}` }))]);
    mailing = await partnerMailing(t, partners, 'Hello');
    await t.env(async (env) => {
      const created = await env.model('mailing.trace').create(TRACES.map(([, status], i) => ({
        trace_type: 'sms', model: 'res.partner', res_id: partners[i], mass_mailing_id: mailing, trace_status: status,
      })));
      for (const [i, id] of created.ids.entries()) await env.cr.execute(`UPDATE mailing_trace SET sent_datetime = '${TRACES[i][0]}' WHERE id = ${id}`);
      const sms = await env.model('sms.sms').create(TRACES.map(([, status], i) => ({ number: `+3247012340${i}`, body: 'x', state: status === 'error' ? 'error' : 'sent', mailing_id: mailing })));
      for (const [i, id] of sms.ids.entries()) await env.cr.execute(`UPDATE sms_sms SET create_date = '${TRACES[i][0]}' WHERE id = ${id}`);
    });
  });
  after(async () => t.close());

  for (const g of [...TIME, ...NUMBER]) {
    it(`formatted_read_group by sent_datetime:${g} and trace_status: every group's domain finds its count`, async () => {
      const spec = `sent_datetime:${g}`;
      const groups = await t.call('mailing.trace', 'formatted_read_group', [[['mass_mailing_id', '=', mailing]]], { groupby: [spec, 'trace_status'], aggregates: ['__count', 'id:count_distinct'] });
      expect(groups.reduce((n: number, r: any) => n + r.__count, 0)).to.equal(TRACES.length);
      for (const r of groups) {
        expect(r.__count).to.equal(r['id:count_distinct']);
        const n = await t.call('mailing.trace', 'search_count', [['&', ['mass_mailing_id', '=', mailing], ...r.__extra_domain]]);
        expect(n, JSON.stringify(r)).to.equal(r.__count);
      }
    });
  }

  it('labels and values of each time granularity, as Odoo gives them (en_US, UTC)', async () => {
    const first = async (g: string) => {
      const [r] = await t.call('mailing.trace', 'formatted_read_group', [[['mass_mailing_id', '=', mailing]]], { groupby: [`sent_datetime:${g}`], aggregates: ['__count'] });
      return [r[`sent_datetime:${g}`], r.__count];
    };
    expect(await first('hour')).to.deep.equal([['2026-03-01 08:00:00', '08:00 01 Mar'], 2]);
    expect(await first('day')).to.deep.equal([['2026-03-01 00:00:00', '01 Mar 2026'], 3]);
    // weeks start on Sunday for en_US: Sunday 1 March and Wednesday 4 March share a week
    expect(await first('week')).to.deep.equal([['2026-03-01 00:00:00', 'W10 2026'], 4]);
    expect(await first('month')).to.deep.equal([['2026-03-01 00:00:00', 'March 2026'], 4]);
    expect(await first('quarter')).to.deep.equal([['2026-01-01 00:00:00', 'Q1 2026'], 4]);
    expect(await first('year')).to.deep.equal([['2026-01-01 00:00:00', '2026'], 6]);
    const pm = await t.call('mailing.trace', 'formatted_read_group', [[['mass_mailing_id', '=', mailing], ['sent_datetime', '>=', '2026-03-01 21:00:00'], ['sent_datetime', '<', '2026-03-01 22:00:00']]], { groupby: ['sent_datetime:hour'], aggregates: ['__count'] });
    expect(pm[0]['sent_datetime:hour'][1]).to.equal('09:00 01 Mar');
  });

  it('number granularities give numbers (day_of_week 0 = Sunday, ISO weeks)', async () => {
    const values = async (g: string) => (await t.call('mailing.trace', 'formatted_read_group', [[['mass_mailing_id', '=', mailing]]], { groupby: [`sent_datetime:${g}`], aggregates: ['__count'] }))
      .map((r: any) => [r[`sent_datetime:${g}`], r.__count]);
    expect(await values('day_of_week')).to.deep.equal([[0, 3], [2, 1], [3, 1], [4, 1]]);
    // 31 December 2026 is in ISO week 53
    expect(await values('iso_week_number')).to.deep.equal([[9, 3], [10, 1], [27, 1], [53, 1]]);
    expect(await values('quarter_number')).to.deep.equal([[1, 4], [2, 1], [4, 1]]);
    expect(await values('hour_number')).to.deep.equal([[8, 2], [10, 1], [12, 1], [21, 1], [23, 1]]);
  });

  it('read_group (legacy) with several group-bys, lazy=false, and a context time zone', async () => {
    const rows = await t.call('mailing.trace', 'read_group', [[['mass_mailing_id', '=', mailing]], ['__count'], ['sent_datetime:day', 'trace_status']], { lazy: false });
    expect(rows.map((r: any) => [r['sent_datetime:day'], r.trace_status, r.__count])).to.deep.equal([
      ['01 Mar 2026', 'bounce', 1], ['01 Mar 2026', 'sent', 2], ['04 Mar 2026', 'open', 1], ['30 Jun 2026', 'error', 1], ['31 Dec 2026', 'sent', 1],
    ]);
    // in Brussels, 23:30 UTC on 30 June is already 1 July
    const bxl = await t.call('mailing.trace', 'read_group', [[['mass_mailing_id', '=', mailing]], [], ['sent_datetime:day']], { context: { tz: 'Europe/Brussels' } });
    expect(bxl.map((r: any) => r['sent_datetime:day'])).to.include('01 Jul 2026');
    for (const r of bxl) expect(await t.call('mailing.trace', 'search_count', [r.__domain])).to.equal(r.sent_datetime_count);
  });

  it('sms.sms by creation day and state with counts', async () => {
    const rows = await t.call('sms.sms', 'formatted_read_group', [[['mailing_id', '=', mailing]]], { groupby: ['create_date:month', 'state'], aggregates: ['__count'], order: 'create_date:month asc' });
    expect(rows.map((r: any) => [r['create_date:month'][1], r.state, r.__count])).to.deep.equal([
      ['March 2026', 'sent', 4], ['June 2026', 'error', 1], ['December 2026', 'sent', 1],
    ]);
  });

  it('an unknown granularity is refused as Odoo does', async () => {
    let err: any;
    try {
      await t.call('mailing.trace', 'formatted_read_group', [[]], { groupby: ['sent_datetime:fortnight'], aggregates: ['__count'] });
    } catch (e) {
      err = e;
    }
    expect(err?.message).to.equal("Granularity specification isn't correct: 'fortnight'");
  });
});

// The per-day trace counts behind the report pages (mailing_trace_daily) stay equal to the traces
// whatever changes them: ORM writes, set-based SQL, deletes, concurrent transactions, a database
// whose traces predate the counts.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { compactTraceDaily, mailingTraceDailySchema, type TraceDailyCount } from '../../models/mass_mailing/queries.ts';
import { mailingFigures } from '../../models/mass_mailing_sms/report.ts';
import { sql } from '../../models/orm/sql.ts';
import type { Env } from '../../models/orm/env.ts';

type Key = string;
const key = (r: { status: string; reason: string | null; sent_day: string | null; click_day: string | null }): Key =>
  [r.status, r.reason ?? '-', r.sent_day ?? '-', r.click_day ?? '-'].join('|');

/** Straight from the traces: the truth the counts must match. */
async function fromTraces(env: Env, mailing: number): Promise<Map<Key, number>> {
  const rows = await env.cr.query<TraceDailyCount>(sql`
    SELECT trace_status AS status, failure_type AS reason, to_char(sent_datetime, 'YYYY-MM-DD') AS sent_day,
           to_char(links_click_datetime, 'YYYY-MM-DD') AS click_day, count(*)::int AS n
    FROM mailing_trace WHERE mass_mailing_id = ${mailing} GROUP BY 1, 2, 3, 4`);
  return new Map(rows.map((r) => [key(r), r.n]));
}

async function fromCounts(env: Env, mailing: number): Promise<Map<Key, number>> {
  const rows = await env.cr.query<TraceDailyCount>(compactTraceDaily([mailing]));
  return new Map(rows.map((r) => [key(r), r.n]));
}

async function expectEqual(t: TestRegistry, mailing: number): Promise<void> {
  const [truth, counts] = await t.env(async (env) => [await fromTraces(env, mailing), await fromCounts(env, mailing)]);
  expect(Object.fromEntries(counts)).to.deep.equal(Object.fromEntries(truth));
}

describe('mailing_trace_daily: the report pages\' trace counts', () => {
  let t: TestRegistry;
  let mailing: number;
  let partner: number;
  before(async () => {
    t = await testRegistry();
    [mailing, partner] = await t.env(async (env) => [
      (await env.model('mailing.mailing').create([{ subject: 'Counts', mailing_type: 'sms', body_plaintext: 'x' }])).ids[0],
      (await env.model('res.partner').create([{ name: 'R', phone: '+32470000001' }])).ids[0],
    ]);
  });
  after(async () => t.close());

  it('follows creates, writes, set-based updates and deletes', async () => {
    const ids = await t.env(async (env) => (await env.model('mailing.trace').create(
      Array.from({ length: 12 }, (_, i) => ({ trace_type: 'sms', model: 'res.partner', res_id: partner, mass_mailing_id: mailing, trace_status: i < 8 ? 'pending' : 'outgoing', sent_datetime: i < 8 ? `2026-03-0${1 + (i % 3)} 10:00:00` : false })),
    )).ids);
    await expectEqual(t, mailing);
    await t.env(async (env) => {
      await env.model('mailing.trace').browse(ids.slice(0, 3)).write({ trace_status: 'sent' });
      await env.model('mailing.trace').browse(ids.slice(3, 4)).write({ trace_status: 'bounce', failure_type: 'sms_number_format' });
      await env.cr.execute(sql`UPDATE mailing_trace SET links_click_datetime = '2026-03-04 08:00:00' WHERE id = ANY(${ids.slice(0, 2)}::int4[])`);
      await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'cancel', failure_type = 'sms_optout' WHERE id = ${ids[11]}`);
    });
    await expectEqual(t, mailing);
    await t.env(async (env) => {
      await env.model('mailing.trace').browse(ids.slice(9, 10)).unlink();
      await env.cr.execute(sql`UPDATE mailing_trace SET campaign_id = NULL WHERE id = ${ids[5]}`); // changes no count
    });
    await expectEqual(t, mailing);
    // the page shows them: 11 expected, 3 delivered + 1 bounce among the 8 sent, 2 clicked, 1 cancelled
    const [f] = await t.env((env) => mailingFigures(env, [mailing]));
    expect(f.stats).to.include({ expected: 11, sent: 8, delivered: 3, bounced: 1, clicked: 2, canceled: 1, scheduled: 2 });
    expect(f.perDay.map((d) => [d.day, d.sent])).to.deep.equal([['2026-03-01', 3], ['2026-03-02', 3], ['2026-03-03', 2], ['2026-03-04', 0]]);
  });

  it('stays exact under concurrent transactions and concurrent readers', async () => {
    const ids = await t.env(async (env) => (await env.model('mailing.trace').create(
      Array.from({ length: 40 }, () => ({ trace_type: 'sms', model: 'res.partner', res_id: partner, mass_mailing_id: mailing, trace_status: 'pending', sent_datetime: '2026-03-05 09:00:00' })),
    )).ids);
    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => t.env(async (env) => {
        const mine = ids.filter((_, j) => j % 8 === i);
        await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'sent' WHERE id = ANY(${mine.slice(0, 3)}::int4[])`);
        await env.cr.execute(sql`UPDATE mailing_trace SET trace_status = 'error', failure_type = 'sms_server' WHERE id = ANY(${mine.slice(3)}::int4[])`);
      })),
      ...Array.from({ length: 4 }, () => t.env((env) => mailingFigures(env, [mailing]))),
    ]);
    await expectEqual(t, mailing);
    const [f] = await t.env((env) => mailingFigures(env, [mailing]));
    expect(f.failedBy).to.deep.include({ reason: 'sms_server', label: 'Server Error', count: 16 });
  });

  it('deletes with their mailing, are folded by the daily vacuum, and are rebuilt for traces that predate them', async () => {
    const other = await t.env(async (env) => {
      const [m] = (await env.model('mailing.mailing').create([{ subject: 'Gone', mailing_type: 'sms', body_plaintext: 'x' }])).ids;
      await env.cr.execute(sql`INSERT INTO mailing_trace (trace_type, model, res_id, mass_mailing_id, trace_status)
        SELECT 'sms', 'res.partner', ${partner}, ${m}, 'outgoing' FROM generate_series(1, 5)`);
      return m;
    });
    await t.env((env) => env.model('mailing.mailing').browse([other]).unlink());
    await t.env((env) => env.model('ir.autovacuum').call('_run_vacuum_cleaner'));
    const left = await t.env((env) => env.cr.query(sql`SELECT count(*)::int AS n FROM mailing_trace_daily WHERE mass_mailing_id = ${other}`));
    expect(left[0].n).to.equal(0);
    const groups = await t.env(async (env) => (await env.cr.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM mailing_trace_daily WHERE mass_mailing_id = ${mailing}`))[0].n);
    expect(groups).to.equal((await t.env((env) => fromTraces(env, mailing))).size);
    // a database upgraded to this version: traces exist, the counts and triggers do not yet
    await t.env(async (env) => {
      await env.cr.execute('DROP TABLE mailing_trace_daily');
      for (const tg of ['insert', 'update', 'delete', 'truncate']) await env.cr.execute(`DROP TRIGGER mailing_trace_daily_${tg} ON mailing_trace`);
    });
    await t.env((env) => mailingTraceDailySchema(env.cr));
    await expectEqual(t, mailing);
  });
});

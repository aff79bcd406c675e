// Quiet hours (beyond Odoo): marketing SMS reach each recipient within the sending window of the
// recipient's local time, the zone read from the number. The clock is explicit: holds are computed
// for a given "now", and the queue's clock is advanced by moving the held SMS's times.

import { expect } from 'chai';
import { timezones } from 'libphonenumber-geo-carrier';
import { parsePhoneNumber } from 'libphonenumber-js';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { configureSmsEngine, type SmsEngine } from '../../models/sms/dispatch.ts';
import { claimOutgoing } from '../../models/sms/queries.ts';
import { sql } from '../../models/orm/sql.ts';
import { holdMailingSms, mailingQuietWindow } from '../../models/mass_mailing_sms/quiet_hours.ts';
import { mainZone, numberTimezones } from '../../models/tools/phone_timezone.ts';
import { isOpen, quietHoursNotBefore } from '../../models/tools/quiet_hours.ts';
import { fastSettings, setBalance } from '../helpers/sms.ts';
import { partnerMailing, tracesByRes } from '../helpers/mass_mailing_sms.ts';

const W = { start: 8, end: 21 };
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

describe('mass_mailing_sms: quiet hours', () => {
  describe('zones of numbers and the window, for a given now', () => {
    it('zones come from libphonenumber data: country, and area code where a country has several', async () => {
      for (const n of ['+12125550100', '+14155550100', '+32470123456', '+79161234567', '+81312345678', '+18005550100', '+447700900123']) {
        expect(numberTimezones(n), n).to.deep.equal(await timezones(parsePhoneNumber(n)));
      }
      expect(numberTimezones('+12125550100')).to.deep.equal(['America/New_York']);
      expect(numberTimezones('+14155550100')).to.deep.equal(['America/Los_Angeles']);
      expect(numberTimezones('+32470123456')).to.deep.equal(['Europe/Brussels']);
    });

    it('the opening follows daylight saving: 08:00 in Brussels is 07:00 UTC before the last Sunday of March, 06:00 UTC on it', () => {
      const be = ['Europe/Brussels'];
      expect(iso(quietHoursNotBefore(be, W, at('2026-03-21T22:00:00Z'), 'UTC'))).to.equal('2026-03-22T07:00:00.000Z');
      expect(iso(quietHoursNotBefore(be, W, at('2026-03-28T22:00:00Z'), 'UTC'))).to.equal('2026-03-29T06:00:00.000Z');
      // Inside the window: no wait; the end is excluded; a window across midnight.
      expect(quietHoursNotBefore(be, W, at('2026-03-30T12:00:00Z'), 'UTC')).to.equal(null);
      expect(iso(quietHoursNotBefore(be, W, at('2026-03-30T19:00:00Z'), 'UTC'))).to.equal('2026-03-31T06:00:00.000Z');
      expect(iso(quietHoursNotBefore(be, { start: 22, end: 6 }, at('2026-01-10T12:00:00Z'), 'UTC'))).to.equal('2026-01-10T21:00:00.000Z');
      // Half hours (float_time): 08:30 in Kolkata (UTC+5:30) is 03:00 UTC.
      expect(iso(quietHoursNotBefore(['Asia/Kolkata'], { start: 8.5, end: 21 }, at('2026-01-10T22:00:00Z'), 'UTC'))).to.equal('2026-01-11T03:00:00.000Z');
    });

    it('a number in several zones waits until the window is open in all of them, else its main zone decides', () => {
      const zones = numberTimezones('+18005550100')!;
      expect(zones.length).to.be.greaterThan(10);
      const now = at('2026-01-15T12:00:00Z');
      const nb = quietHoursNotBefore(zones, W, now, mainZone(zones))!;
      expect(nb.getTime()).to.be.greaterThan(now.getTime());
      for (const z of zones) expect(isOpen(z, W, nb.getTime()), z).to.equal(true);
      // One minute earlier, some zone is still closed: the first common open minute.
      expect(zones.some((z) => !isOpen(z, W, nb.getTime() - 60_000))).to.equal(true);
      // No common hour between New York and Tokyo for a one-hour window: the main zone decides.
      const narrow = { start: 9, end: 10 };
      expect(iso(quietHoursNotBefore(['America/New_York', 'Asia/Tokyo'], narrow, at('2026-01-15T12:00:00Z'), 'America/New_York'))).to.equal('2026-01-15T14:00:00.000Z');
      // No zone known at all: the window in UTC.
      expect(iso(quietHoursNotBefore([], W, at('2026-01-15T05:00:00Z'), 'UTC'))).to.equal('2026-01-15T08:00:00.000Z');
    });
  });

  describe('mailings', () => {
    let t: TestRegistry;
    let engine: SmsEngine;
    const read = async (id: number, fields: string[]) => (await t.call('mailing.mailing', 'read', [[id], fields]))[0];
    const held = async (mailingId: number) => {
      const { rows } = await t.registry.pool.query<{ number: string; nb: string | null }>(
        `SELECT number, to_char(not_before, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS nb FROM sms_sms WHERE mailing_id = $1`, [mailingId]);
      return Object.fromEntries(rows.map((r) => [r.number, r.nb]));
    };
    const partners = async (phones: string[]) => t.call('res.partner', 'create', [phones.map((phone, i) => ({ name: `QH ${i} ${phone}`, phone }))]);
    const setCompanyWindow = async (vals: Record<string, unknown>) => {
      const wizard = await t.call('res.config.settings', 'create', [vals]);
      await t.call('res.config.settings', 'execute', [[wizard]]);
    };

    before(async () => {
      t = await testRegistry();
      engine = configureSmsEngine(t.registry, { logger: testLogger() });
      await fastSettings(t.registry);
      await setBalance(t.registry, 1000);
    });
    after(async () => {
      await engine.stop();
      await t.close();
    });

    it('settings: off by default, 08:00-21:00 proposed; set per company, refused outside a day', async () => {
      const fresh = await t.call('res.config.settings', 'create', [{}]);
      const [defaults] = await t.call('res.config.settings', 'read', [[fresh], ['sms_quiet_hours_enabled', 'sms_quiet_hours_start', 'sms_quiet_hours_end']]);
      expect(defaults).to.include({ sms_quiet_hours_enabled: false, sms_quiet_hours_start: 8, sms_quiet_hours_end: 21 });
      await setCompanyWindow({ sms_quiet_hours_enabled: true, sms_quiet_hours_start: 8, sms_quiet_hours_end: 21 });
      const [c] = await t.call('res.company', 'read', [[1], ['sms_quiet_hours_enabled', 'sms_quiet_hours_start', 'sms_quiet_hours_end']]);
      expect(c).to.include({ sms_quiet_hours_enabled: true, sms_quiet_hours_start: 8, sms_quiet_hours_end: 21 });
      let err: unknown;
      try {
        await t.call('res.company', 'write', [[1], { sms_quiet_hours_end: 25 }]);
      } catch (e) {
        err = e;
      }
      expect((err as Error)?.constructor?.name).to.equal('ValidationError');
    });

    it('a mailing sent at 22:00 UTC reaches each recipient at the start of their window (three countries, one DST change)', async () => {
      await setCompanyWindow({ sms_quiet_hours_enabled: true, sms_quiet_hours_start: 8, sms_quiet_hours_end: 21 });
      const phones = ['+32470123456', '+79161234567', '+81312345678', '+12125550100', '+14155550100'];
      const ids = await partners(phones);
      // Prepared without holds, then held as at Saturday 28 March 2026 22:00 UTC (Brussels goes to summer time that night).
      const id = await partnerMailing(t, ids, 'Spring sale', { sms_quiet_hours: 'off' });
      await t.call('mailing.mailing', 'action_send_sms', [[id]]);
      await t.call('mailing.mailing', 'write', [[id], { sms_quiet_hours: 'company' }]);
      const sent22 = at('2026-03-28T22:00:00Z');
      await t.env(async (env) => {
        const mailing = env.model('mailing.mailing').browse([id]);
        expect(await holdMailingSms(env, id, (await mailingQuietWindow(mailing))!, sent22)).to.equal(3);
      });
      const holds = await held(id);
      expect(holds).to.deep.equal({
        '+32470123456': '2026-03-29T06:00:00Z', // 08:00 CEST, the first morning of summer time
        '+79161234567': '2026-03-29T05:00:00Z', // 08:00 Moscow
        '+81312345678': '2026-03-28T23:00:00Z', // 08:00 Tokyo
        '+12125550100': null, // 18:00 in New York
        '+14155550100': null, // 15:00 in San Francisco
      });
      expect(await read(id, ['sms_quiet_waiting_count', 'sms_quiet_waiting_until'])).to.include({ sms_quiet_waiting_count: 3, sms_quiet_waiting_until: '2026-03-29 06:00:00' });

      // The queue's clock: each held SMS is due `not_before - clock` from now.
      const original = new Map(Object.entries(holds).filter(([, v]) => v).map(([k, v]) => [k, Date.parse(v!)]));
      const byPartner = new Map<string, number>(ids.map((pid: number, i: number) => [phones[i], pid]));
      const reached = async (clock: string) => {
        const offset = Date.now() - Date.parse(clock);
        for (const [number, nb] of original) {
          await t.registry.pool.query(`UPDATE sms_sms SET not_before = $1::timestamptz AT TIME ZONE 'UTC' WHERE mailing_id = $2 AND number = $3 AND not_before IS NOT NULL`,
            [new Date(nb + offset + 1000).toISOString(), id, number]);
        }
        await engine.processQueue({});
        const traces = await tracesByRes(t, id);
        return phones.filter((p) => traces.get(byPartner.get(p)!)!.trace_status !== 'outgoing');
      };
      expect(await reached('2026-03-28T22:00:00Z')).to.deep.equal(['+12125550100', '+14155550100']);
      expect(await reached('2026-03-28T22:59:00Z')).to.deep.equal(['+12125550100', '+14155550100']);
      expect(await reached('2026-03-28T23:00:01Z')).to.deep.equal(['+81312345678', '+12125550100', '+14155550100']);
      expect(await reached('2026-03-29T05:00:01Z')).to.deep.equal(['+79161234567', '+81312345678', '+12125550100', '+14155550100']);
      expect(await read(id, ['sms_quiet_waiting_count', 'sms_quiet_waiting_until'])).to.include({ sms_quiet_waiting_count: 1 });
      // 07:00 UTC would be 08:00 in winter; the window opened an hour earlier.
      expect(await reached('2026-03-29T06:00:01Z')).to.deep.equal(phones);
      expect(await read(id, ['sms_quiet_waiting_count', 'sms_quiet_waiting_until'])).to.include({ sms_quiet_waiting_count: 0, sms_quiet_waiting_until: false });
    });

    it('US area codes: New York and San Francisco wait for their own 08:00', async () => {
      const ids = await partners(['+12125550111', '+14155550111']);
      const id = await partnerMailing(t, ids, 'Coast to coast', { sms_quiet_hours: 'off' });
      await t.call('mailing.mailing', 'action_send_sms', [[id]]);
      await t.env((env) => holdMailingSms(env, id, W, at('2026-01-15T12:00:00Z')));
      expect(await held(id)).to.deep.equal({ '+12125550111': '2026-01-15T13:00:00Z', '+14155550111': '2026-01-15T16:00:00Z' });
    });

    it('launching holds by the current clock; the mailing may have its own window or none; Send Directly and test SMS never wait', async () => {
      // A one-hour window starting three hours from now in Brussels: closed now, whatever the time of day.
      const h = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Brussels', hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
      const win = { sms_quiet_hours_start: (h + 3) % 24, sms_quiet_hours_end: (h + 4) % 24 };
      await setCompanyWindow({ sms_quiet_hours_enabled: true, ...win });
      const [p] = await partners(['+32470555001']);
      const before = Date.now();
      const queued = await partnerMailing(t, [p], 'Held');
      await t.call('mailing.mailing', 'action_send_sms', [[queued]]);
      const expected = quietHoursNotBefore(['Europe/Brussels'], { start: win.sms_quiet_hours_start, end: win.sms_quiet_hours_end }, new Date(before), 'UTC')!;
      expect(Object.values(await held(queued))).to.deep.equal([expected.toISOString().slice(0, 19) + 'Z']);
      await engine.processQueue({});
      expect([...(await tracesByRes(t, queued)).values()][0].trace_status).to.equal('outgoing');

      const own = await partnerMailing(t, [p], 'Own window', { sms_quiet_hours: 'custom', sms_quiet_hours_start: (h + 5) % 24, sms_quiet_hours_end: (h + 6) % 24 });
      await t.call('mailing.mailing', 'action_send_sms', [[own]]);
      const ownExpected = quietHoursNotBefore(['Europe/Brussels'], { start: (h + 5) % 24, end: (h + 6) % 24 }, new Date(before), 'UTC')!;
      expect(Object.values(await held(own))).to.deep.equal([ownExpected.toISOString().slice(0, 19) + 'Z']);

      const off = await partnerMailing(t, [p], 'No window', { sms_quiet_hours: 'off' });
      await t.call('mailing.mailing', 'action_send_sms', [[off]]);
      expect(Object.values(await held(off))).to.deep.equal([null]);

      const direct = await partnerMailing(t, [p], 'Direct', { sms_force_send: true });
      await t.call('mailing.mailing', 'action_send_sms', [[direct]]);
      expect([...(await tracesByRes(t, direct)).values()][0].trace_status).to.not.equal('outgoing');

      const wizard = await t.call('mailing.sms.test', 'create', [{ mailing_id: queued, numbers: '+32470555002' }]);
      await t.call('mailing.sms.test', 'action_send_sms', [[wizard]]);
      const { rows } = await t.registry.pool.query(`SELECT not_before FROM sms_sms WHERE number = '+32470555002'`);
      expect(rows.length).to.be.greaterThan(0);
      expect(rows.every((r) => r.not_before === null)).to.equal(true);
    });

    it('the queue claims held SMS through an index that leaves them out', async () => {
      const plan = await t.env(async (env) => {
        await env.cr.execute(sql`SET LOCAL enable_seqscan = off`);
        const q = claimOutgoing({ owner: 'explain', leaseMs: 1000, provider: 'sms', limit: 10 });
        return env.cr.query<{ 'QUERY PLAN': string }>(sql`EXPLAIN ${q}`);
      });
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).to.contain('sms_sms_ready_idx');
    });
  });
});

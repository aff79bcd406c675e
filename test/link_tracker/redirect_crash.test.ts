// A server killed with SIGKILL while visitors click: every redirect it answered has its click
// recorded (clicks are committed before the 301 leaves).

import { expect } from 'chai';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { sql } from '../../models/orm/sql.ts';
import { linkRedirects } from '../../models/link_tracker/redirect.ts';

const TRACES = 100_000;

describe('link_tracker: redirects survive a SIGKILL', function () {
  this.timeout(60_000);
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('no answered click is lost', async () => {
    const linkId = await t.call('link.tracker', 'create', [{ url: 'https://example.com/crash' }]);
    const [{ code }] = await t.call('link.tracker', 'read', [[linkId], ['code']]);
    // SMS traces 1..TRACES (sms_id_int = i), so each request clicks for its own recipient.
    await t.env((env) => env.cr.execute(sql`
      INSERT INTO mailing_trace (trace_type, model, res_id, sms_id_int, trace_status, create_uid, write_uid, create_date, write_date)
      SELECT 'sms', 'res.partner', i, i, 'sent', 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM generate_series(1, ${TRACES}::int4) AS i`));

    const script = fileURLToPath(new URL('./fixtures/redirect_child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, t.db.connectionString], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += String(d);
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error('child exited before listening')));
    });

    // Load generator: 10 keep-alive connections clicking distinct recipients until the child dies.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const answered: number[] = [];
    let next = 1;
    let dead = false;
    const click = (sms: number) => new Promise<number>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/r/${code}/s/${sms}`, agent, headers: { 'User-Agent': 'Mozilla/5.0 Firefox/128.0' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
    });
    const worker = async () => {
      while (!dead && next <= TRACES) {
        const sms = next++;
        if ((await click(sms)) === 301) answered.push(sms);
      }
    };
    const workers = Array.from({ length: 10 }, worker);
    // Kill in the middle of the load, once a good number of clicks went through.
    while (answered.length < 300) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    dead = true;
    await Promise.all(workers);
    agent.destroy();

    const rows = await t.env((env) => env.cr.query<{ sms: number }>(sql`
      SELECT tr.sms_id_int AS sms FROM link_tracker_click c JOIN mailing_trace tr ON tr.id = c.mailing_trace_id WHERE c.link_id = ${linkId}`));
    const recorded = new Set(rows.map((r) => r.sms));
    const lost = answered.filter((s) => !recorded.has(s));
    expect(answered.length).to.be.greaterThan(299);
    expect(lost).to.deep.equal([]);
    // At most the requests in flight at the kill were committed without being answered.
    expect(recorded.size - answered.length).to.be.within(0, 10);
    // The next instance brings the tracker's count up to the clicks the killed one recorded.
    await linkRedirects(t.registry).clicks.repairCounts();
    const [tracker] = await t.call('link.tracker', 'read', [[linkId], ['count']]);
    expect(tracker.count).to.equal(recorded.size);
  });
});

import { expect } from 'chai';
import { Registry } from '../../models/orm/registry.ts';
import { MODELS } from '../../models/index.ts';
import type { ModelSpec } from '../../models/orm/model.ts';
import type { RecordSet } from '../../models/orm/records.ts';
import { sql } from '../../models/orm/sql.ts';
import { callKw } from '../../models/orm/call_kw.ts';
import { nextCallAfter, runCronJob, setCronLogger } from '../../models/base/ir_cron.ts';
import { startCronRunner } from '../../server/cron.ts';
import { freshDatabase, testLogger, type FreshDatabase } from '../helpers/db.ts';

// A model only these tests know: its methods count their runs in a system parameter.
const bump = (self: RecordSet, key: string) =>
  self.env.cr.execute(sql`INSERT INTO ir_config_parameter (key, value) VALUES (${key}, '1') ON CONFLICT (key) DO UPDATE SET value = (ir_config_parameter.value::int + 1)::text`);
const TestJobs: ModelSpec = {
  _name: 'test.cron.jobs',
  _description: 'Cron test jobs',
  _abstract: true,
  methods: {
    _tick: { api: 'model', private: true, fn: (self: RecordSet) => bump(self, 'test.tick') },
    _slow: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet) => {
        await self.env.cr.query('SELECT pg_sleep(1.2)');
        await bump(self, 'test.slow');
      },
    },
    _boom: { api: 'model', private: true, fn: () => Promise.reject(new Error('boom')) },
  },
};

function testRegistryWithJobs(conn: string): Registry {
  return new Registry(conn, [...MODELS, TestJobs]).build().connect(6);
}

describe('ir.cron: scheduled actions', function () {
  this.timeout(20_000);
  let db: FreshDatabase;
  let registry: Registry;
  const call = (model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, uid = 2) =>
    registry.transaction({ uid }, (env) => callKw(env, model, method, args, kwargs)) as Promise<any>;
  const param = async (key: string) => Number((await registry.pool.query(`SELECT value FROM ir_config_parameter WHERE key = $1`, [key])).rows[0]?.value ?? 0);
  let modelId: number;
  const makeCron = async (method: string, vals: Record<string, unknown> = {}) =>
    call('ir.cron', 'create', [{ name: `Test ${method}`, model_id: modelId, code: `model.${method}()`, interval_number: 1, interval_type: 'days', ...vals }]);

  before(async () => {
    setCronLogger(testLogger());
    db = await freshDatabase();
    registry = testRegistryWithJobs(db.connectionString);
    const { rows } = await registry.pool.query(
      `INSERT INTO ir_model (model, name, "order", state) VALUES ('test.cron.jobs', 'Cron test jobs', 'id', 'base') RETURNING id`,
    );
    modelId = rows[0].id;
  });
  after(async () => {
    await registry.close();
    await db.drop();
  });

  it("ships Odoo's crons with their external ids, readable over RPC", async () => {
    const crons = await call('ir.cron', 'search_read', [[], ['name', 'cron_name', 'model_name', 'code', 'interval_number', 'interval_type', 'active', 'priority', 'user_id', 'xml_id', 'nextcall', 'failure_count']]);
    const byXml = Object.fromEntries(crons.map((c: any) => [c.xml_id, c]));
    expect(byXml['sms.ir_cron_sms_scheduler_action']).to.include({ name: 'SMS: SMS Queue Manager', model_name: 'sms.sms', code: 'model._process_queue()', interval_number: 24, interval_type: 'hours', active: true, failure_count: 0 });
    expect(byXml['sms.ir_cron_sms_scheduler_action'].user_id[0]).to.equal(1);
    expect(byXml['base.autovacuum_job']).to.include({ model_name: 'ir.autovacuum', code: 'model._run_vacuum_cleaner()', interval_type: 'days' });
    if (registry.has('mailing.mailing')) {
      expect(byXml['mass_mailing.ir_cron_mass_mailing_queue']).to.include({ name: 'Mail Marketing: Process queue', model_name: 'mailing.mailing', code: 'model._process_mass_mailing_queue()', interval_number: 1, interval_type: 'days', priority: 6 });
    }
    const ref = await call('ir.model.data', 'check_object_reference', ['sms', 'ir_cron_sms_scheduler_action']);
    expect(ref).to.deep.equal(['ir.cron', byXml['sms.ir_cron_sms_scheduler_action'].id]);
  });

  it('is editable over RPC, with Odoo-like checks', async () => {
    const id = await makeCron('_tick');
    expect(await call('ir.cron', 'write', [[id], { interval_number: 5, interval_type: 'minutes', active: false }])).to.equal(true);
    const [c] = await call('ir.cron', 'read', [[id], ['interval_number', 'interval_type', 'active', 'cron_name']]);
    expect(c).to.include({ interval_number: 5, interval_type: 'minutes', active: false, cron_name: 'Test _tick' });
    await expectRejected(call('ir.cron', 'write', [[id], { interval_number: 0 }]), 'The interval number must be a strictly positive number.');
    await expectRejected(call('ir.cron', 'write', [[id], { code: 'import os; os.system("rm -rf /")' }]), 'Scheduled action code must call one method');
  });

  it('method_direct_trigger runs the job now and reschedules it', async () => {
    const id = await makeCron('_tick', { nextcall: '2020-01-01 00:00:00' });
    const before = await param('test.tick');
    expect(await call('ir.cron', 'method_direct_trigger', [[id]])).to.equal(true);
    expect(await param('test.tick')).to.equal(before + 1);
    const [c] = await call('ir.cron', 'read', [[id], ['lastcall', 'nextcall']]);
    expect(c.lastcall).to.be.a('string');
    expect(c.nextcall > c.lastcall).to.equal(true); // stepped by whole days past now
    expect(c.nextcall.slice(11)).to.equal('00:00:00');
  });

  it('counts failures, and reports them from method_direct_trigger', async () => {
    const id = await makeCron('_boom');
    const res = await call('ir.cron', 'method_direct_trigger', [[id]]);
    expect(res).to.include({ type: 'ir.actions.client', tag: 'display_exception' });
    const [c] = await call('ir.cron', 'read', [[id], ['failure_count', 'first_failure_date', 'active']]);
    expect(c.failure_count).to.equal(1);
    expect(c.first_failure_date).to.be.a('string');
    expect(c.active).to.equal(true);
  });

  it('never runs one job twice at once across instances', async () => {
    const id = await makeCron('_slow');
    const other = testRegistryWithJobs(db.connectionString);
    try {
      const before = await param('test.slow');
      const [a, b] = await Promise.all([runCronJob(registry, id, { includeNotReady: true, owner: 'a' }), runCronJob(other, id, { includeNotReady: true, owner: 'b' })]);
      expect([a, b].filter((x) => x === null)).to.have.length(1);
      expect(await param('test.slow')).to.equal(before + 1);
      // While it runs, Odoo refuses edits.
      const running = runCronJob(registry, id, { includeNotReady: true });
      await new Promise((r) => setTimeout(r, 300));
      await expectRejected(call('ir.cron', 'write', [[id], { priority: 1 }]), 'Record cannot be modified right now');
      await expectRejected(call('ir.cron', 'method_direct_trigger', [[id]]), "Job 'Test _slow' already executing");
      await running;
    } finally {
      await other.close();
    }
  });

  it('the scheduler runs a due job within its tick, and triggers wake it', async () => {
    const at = new Date(Date.now() + 1500).toISOString().slice(0, 19).replace('T', ' ');
    const id = await makeCron('_tick', { nextcall: at });
    const before = await param('test.tick');
    const schedule = async () => (await registry.pool.query(
      `SELECT lastcall::text AS lastcall, nextcall::text AS nextcall, (SELECT count(*)::int FROM ir_cron_trigger WHERE cron_id = $1) AS triggers FROM ir_cron WHERE id = $1`,
      [id],
    )).rows[0] as { lastcall: string | null; nextcall: string; triggers: number };
    // The job's own write lands before the runner records the run: wait for the record.
    const until = async <T,>(read: () => Promise<T>, ok: (x: T) => boolean): Promise<T> => {
      for (let i = 0; i < 100; i++) {
        const x = await read();
        if (ok(x)) return x;
        await new Promise((r) => setTimeout(r, 50));
      }
      return read();
    };
    const runner = startCronRunner(registry, undefined, testLogger(), { tickSeconds: 1 });
    try {
      const t0 = Date.now();
      while ((await param('test.tick')) === before && Date.now() - t0 < 6000) await new Promise((r) => setTimeout(r, 50));
      expect(await param('test.tick')).to.equal(before + 1);
      // It ran once due, not before: recorded run at or after its date, next call a day later.
      const ran = await until(schedule, (x) => x.lastcall !== null);
      expect(ran.lastcall! >= at).to.equal(true);
      expect(ran.nextcall > at).to.equal(true);
      // Not due any more (next call tomorrow); a trigger runs it again, without moving its schedule.
      await registry.transaction({}, async (env) => {
        await env.model('ir.cron').browse([id]).call('_trigger');
      });
      const t1 = Date.now();
      while ((await param('test.tick')) === before + 1 && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 20));
      expect(await param('test.tick')).to.equal(before + 2);
      const woken = await until(schedule, (x) => x.triggers === 0);
      expect(woken.nextcall).to.equal(ran.nextcall);
      expect(woken.triggers).to.equal(0);
    } finally {
      await runner.stop();
    }
  });

  it('steps the next call by whole intervals, like Odoo', () => {
    expect(nextCallAfter('2024-01-31 10:00:00', '2024-03-01 09:00:00', 1, 'months')).to.equal('2024-03-29 10:00:00');
    expect(nextCallAfter('2024-01-01 00:00:00', '2024-01-01 00:07:30', 5, 'minutes')).to.equal('2024-01-01 00:10:00');
    expect(nextCallAfter('2020-01-01 06:00:00', '2024-06-01 07:00:00', 1, 'days')).to.equal('2024-06-02 06:00:00');
    expect(nextCallAfter('2024-01-01 00:00:00', '2024-01-01 00:00:00', 2, 'weeks')).to.equal('2024-01-15 00:00:00');
  });
});

async function expectRejected(p: Promise<unknown>, message: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.contain(message);
    return;
  }
  expect.fail(`expected an error containing ${message}`);
}

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { configureSmsEngine } from '../../models/sms/dispatch.ts';
import { loadSmsSettings, writeSmsSettings } from '../../models/sms/providers/settings.ts';
import { ValidationError } from '../../models/orm/exceptions.ts';
import { balance, fastSettings, recordHooks, setBalance } from '../helpers/sms.ts';

describe('sms: Odoo methods and settings over RPC', () => {
  let t: TestRegistry;
  const sms = async (ids: number[]) => t.call('sms.sms', 'read', [ids, ['state', 'failure_type', 'to_delete', 'number']]);

  before(async () => {
    t = await testRegistry();
    configureSmsEngine(t.registry, { logger: testLogger() });
  });
  after(async () => t.close());
  beforeEach(async () => {
    await fastSettings(t.registry, { sms_simulator_delivery_delay: 600_000 });
    await setBalance(t.registry, 1000);
  });

  it('provider settings: read with default_get, written with execute', async () => {
    const defaults = await t.call('res.config.settings', 'default_get', [['sms_batch_size', 'sms_rate_limit', 'sms_simulator_latency', 'sms_simulator_failure_mode']]);
    expect(defaults).to.deep.equal({ sms_batch_size: 500, sms_rate_limit: 0, sms_simulator_latency: 0, sms_simulator_failure_mode: 'none' });
    const id = await t.call('res.config.settings', 'create', [{ sms_rate_limit: 25, sms_simulator_latency: 40, sms_batch_size: 200 }]);
    // The company's provider: `iap` (Odoo's own service) is the built-in simulator here.
    expect((await t.call('res.config.settings', 'read', [[id], ['sms_provider']]))[0].sms_provider).to.equal('iap');
    expect(await t.call('res.config.settings', 'execute', [[id]])).to.deep.equal({ type: 'ir.actions.client', tag: 'reload' });
    const s = await loadSmsSettings(t.registry);
    expect(s).to.deep.include({ provider: 'simulator', rateLimit: 25, batchSize: 200 });
    expect(s.simulator.latencyMs).to.equal(40);
    const values = await t.call('res.config.settings', 'get_values', []);
    expect(values).to.include({ sms_rate_limit: 25, sms_simulator_latency: 40, sms_batch_size: 200 });
    const fields = await t.call('res.config.settings', 'fields_get', [['sms_simulator_failure_mode'], ['type', 'selection']]);
    expect(fields.sms_simulator_failure_mode.selection.map((x: string[]) => x[0])).to.deep.equal(['none', 'server_error', 'throttle', 'timeout']);
  });

  it('provider settings: a value out of bounds is refused with a ValidationError naming the setting, and nothing is stored', async () => {
    const before = await loadSmsSettings(t.registry);
    const id = await t.call('res.config.settings', 'create', [{ sms_batch_size: 0, sms_rate_limit: 5 }]);
    const err = await t.call('res.config.settings', 'execute', [[id]]).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as Error).message).to.equal("Invalid value for the setting 'SMS Batch Size' (sms_batch_size): must be >= 1, got 0.");
    expect(await loadSmsSettings(t.registry)).to.deep.equal(before);
    const direct = await writeSmsSettings(t.registry, { sms_dispatch_workers: -2 }).then(() => undefined, (e: unknown) => e);
    expect(direct).to.be.instanceOf(ValidationError);
    expect((direct as Error).message).to.contain("'Dispatch Workers' (sms_dispatch_workers): must be >= 1");
  });

  it('provider settings: a stored parameter that does not fit reads as the default', async () => {
    await t.registry.pool.query(
      `INSERT INTO ir_config_parameter (key, value) VALUES ('sms.session.batch.size', 'lots') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    );
    await writeSmsSettings(t.registry, {});
    expect((await loadSmsSettings(t.registry)).batchSize).to.equal(500);
    expect(await t.call('res.config.settings', 'get_values', [])).to.include({ sms_batch_size: 500 });
    await writeSmsSettings(t.registry, { sms_batch_size: null });
  });

  it('create wakes the SMS queue cron; send() sends before the call returns', async () => {
    const ids = await t.call('sms.sms', 'create', [[{ number: '+32470000001', body: 'Hi' }, { number: '+32470000002', body: 'Hi' }]]);
    const { rows } = await t.registry.pool.query(
      `SELECT count(*)::int AS n FROM ir_cron_trigger t JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = t.cron_id WHERE d.name = 'ir_cron_sms_scheduler_action'`,
    );
    expect(rows[0].n).to.be.greaterThan(0);
    expect(await t.call('sms.sms', 'send', [ids])).to.equal(null);
    const read = await sms(ids);
    expect(read.map((r: any) => [r.state, r.failure_type, r.to_delete])).to.deep.equal([['pending', false, true], ['pending', false, true]]);
  });

  it('resend_failed: Odoo notifications', async () => {
    const [a] = await t.call('sms.sms', 'create', [[{ number: '+15005550001', body: 'Hi' }]]);
    await t.call('sms.sms', 'send', [[a]]);
    expect((await sms([a]))[0]).to.include({ state: 'error', failure_type: 'sms_number_format' });
    const nothing = await t.call('sms.sms', 'resend_failed', [[]]);
    expect(nothing.params).to.deep.equal({ title: 'Warning', message: 'There are no SMS Text Messages to resend.', type: 'danger' });
    const again = await t.call('sms.sms', 'resend_failed', [[a]]);
    expect(again).to.deep.equal({ type: 'ir.actions.client', tag: 'display_notification', params: { title: 'Warning', message: 'The SMS Text Messages could not be resent.', type: 'danger' } });
    await t.call('sms.sms', 'write', [[a], { number: '+32470000003' }]);
    const ok = await t.call('sms.sms', 'resend_failed', [[a]]);
    expect(ok.params).to.deep.equal({ title: 'Success', message: '1 out of the 1 selected SMS Text Messages have successfully been resent.', type: 'success' });
    expect((await sms([a]))[0].state).to.equal('pending');
  });

  it('action_set_canceled / action_set_error / action_set_outgoing update the SMS and the hooks', async () => {
    const ids = await t.call('sms.sms', 'create', [[{ number: '+32470000004', body: 'x' }, { number: '+32470000005', body: 'y' }]]);
    const hooks = recordHooks();
    try {
      await t.call('sms.sms', 'action_set_canceled', [[ids[0]]]);
      await t.call('sms.sms', 'action_set_error', [[ids[1]], 'sms_blacklist']);
      expect((await sms(ids)).map((r: any) => [r.state, r.failure_type])).to.deep.equal([['canceled', false], ['error', 'sms_blacklist']]);
      await t.call('sms.sms', 'action_set_outgoing', [ids]);
      expect((await sms(ids)).map((r: any) => r.state)).to.deep.equal(['outgoing', 'outgoing']);
      expect(hooks.updates.map((u) => [u.smsId, u.state, u.failureType])).to.deep.equal([
        [ids[0], 'canceled', null],
        [ids[1], 'error', 'sms_blacklist'],
        [ids[0], 'outgoing', null],
        [ids[1], 'outgoing', null],
      ]);
    } finally {
      hooks.stop();
    }
    try {
      await t.call('sms.sms', 'action_set_error', [[ids[0]], 'nope']);
      expect.fail('should refuse an unknown failure type');
    } catch (e: any) {
      expect(e.odooName).to.equal('builtins.ValueError');
    }
    await t.call('sms.sms', 'action_set_canceled', [ids]);
  });

  it('estimate_cost for ids or a domain, following the editable price table', async () => {
    const ids = await t.call('sms.sms', 'create', [[
      { number: '+32470000006', body: 'x'.repeat(200) }, // BE, 2 segments
      { number: '+33612345678', body: 'Bonjour' }, // FR, 1
      { number: 'garbage', body: 'x' }, // costs nothing
    ]]);
    const est = await t.call('sms.sms', 'estimate_cost', [ids]);
    expect(est).to.include({ count: 3, billable: 2, invalid: 1, segments: 3, balance: 1000, sufficient: true, currency: 'credits' });
    expect(est.cost).to.be.closeTo(2 * 0.095 + 0.075, 1e-9);
    expect(est.countries).to.deep.equal([
      { country_code: 'BE', count: 1, segments: 2, cost: 0.19 },
      { country_code: 'FR', count: 1, segments: 1, cost: 0.075 },
    ]);
    const [be] = await t.call('sms.credit.price', 'search', [[['country_id.code', '=', 'BE']]]);
    await t.call('sms.credit.price', 'write', [[be], { price: 0.5 }]);
    const byDomain = await t.call('sms.sms', 'estimate_cost', [[]], { domain: [['id', 'in', ids.slice(0, 1)]] });
    expect(byDomain).to.include({ count: 1, cost: 1 });
    await t.call('sms.credit.price', 'write', [[be], { price: 0.095 }]);
    await setBalance(t.registry, 0.1);
    expect((await t.call('sms.sms', 'estimate_cost', [ids])).sufficient).to.equal(false);
    await t.call('sms.sms', 'action_set_canceled', [ids]);
  });

  it('credits: prices per country over RPC, add_credits on the account', async () => {
    const prices = await t.call('sms.credit.price', 'search_read', [[['country_id', '=', false]], ['display_name', 'price']]);
    expect(prices).to.have.length(1);
    expect(prices[0]).to.include({ display_name: 'Other countries', price: 0.1 });
    const [acc] = await t.call('sms.credit.account', 'search', [[]]);
    expect(await t.call('sms.credit.account', 'add_credits', [[acc], 25.5])).to.equal(1025.5);
    expect(await balance(t.registry)).to.equal(1025.5);
    try {
      await t.call('sms.credit.price', 'create', [{ price: 0.2 }]);
      expect.fail('a second default price must be refused');
    } catch (e: any) {
      expect(e.message).to.contain('Only one price');
    }
  });
});

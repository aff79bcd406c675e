import { expect } from 'chai';
import { xmlidToResId } from '../../models/base/ir_model_access.ts';
import { setParam } from '../../models/base/ir_config_parameter.ts';
import { loadSmsSettings } from '../../models/sms/providers/settings.ts';
import { twilioTestbed, NUMBERS, type TwilioTestbed } from '../helpers/twilio.ts';

const MANAGE_ACTION = { name: 'Manage Twilio SMS', res_model: 'sms.twilio.account.manage', res_id: false, context: {}, type: 'ir.actions.act_window', views: [[false, 'form']], view_mode: 'form', target: 'new' };

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('sms_twilio: settings, numbers and the manage wizard', function () {
  this.timeout(30_000);
  let b: TwilioTestbed;
  before(async () => {
    b = await twilioTestbed({ configure: false });
  });
  after(async () => b.close());

  it('the company sends through the simulator (`iap`) until Twilio is chosen', async () => {
    const [c] = await b.t.call('res.company', 'read', [[1], ['sms_provider', 'sms_twilio_account_sid', 'sms_twilio_auth_token', 'sms_twilio_number_ids']]);
    expect(c).to.include({ sms_provider: 'iap', sms_twilio_account_sid: false, sms_twilio_auth_token: false });
    expect((await loadSmsSettings(b.t.registry)).provider).to.equal('simulator');
    const id = await b.t.call('res.config.settings', 'create', [{ sms_provider: 'twilio' }]);
    await b.t.call('res.config.settings', 'execute', [[id]]);
    expect((await b.t.call('res.company', 'read', [[1], ['sms_provider']]))[0].sms_provider).to.equal('twilio');
    expect((await loadSmsSettings(b.t.registry)).provider).to.equal('twilio');
    expect(await b.t.call('res.config.settings', 'action_open_sms_twilio_account_manage', [[id]])).to.deep.equal(MANAGE_ACTION);
    await b.t.call('res.company', 'write', [[1], { sms_provider: 'iap' }]);
    expect((await loadSmsSettings(b.t.registry)).provider).to.equal('simulator');
  });

  it('account SID and auth token: settings administrators only', async () => {
    const mm = (await b.t.env((env) => xmlidToResId(env, 'mass_mailing.group_mass_mailing_user', 'res.groups'))) as number;
    const uid = await b.t.call('res.users', 'create', [{ name: 'Marketer', login: 'twilio-marketer', group_ids: [[6, 0, [mm]]] }]);
    await b.t.call('res.company', 'write', [[1], { sms_twilio_account_sid: b.fake.accountSid, sms_twilio_auth_token: 'secret-token-value' }]);
    const all = await b.t.call('res.company', 'read', [[1]], {}, uid);
    expect(all[0]).to.have.property('sms_provider');
    expect(all[0]).not.to.have.any.keys('sms_twilio_account_sid', 'sms_twilio_auth_token');
    const readErr = await rejects(b.t.call('res.company', 'read', [[1], ['sms_twilio_auth_token']], {}, uid));
    expect(readErr.message).to.equal('You do not have enough rights to access the field "sms_twilio_auth_token" on Companies (res.company). Please contact your system administrator.\n\nOperation: read');
    // Access rights (erp manager) allow writing companies, not these fields.
    const erp = (await b.t.env((env) => xmlidToResId(env, 'base.group_erp_manager', 'res.groups'))) as number;
    const manager = await b.t.call('res.users', 'create', [{ name: 'Manager', login: 'twilio-erp', group_ids: [[6, 0, [erp]]] }]);
    const writeErr = await rejects(b.t.call('res.company', 'write', [[1], { sms_twilio_auth_token: 'stolen' }], {}, manager));
    expect(writeErr.message).to.equal('You do not have enough rights to access the field "sms_twilio_auth_token" on Companies (res.company). Please contact your system administrator.\n\nOperation: write');
    await b.t.call('res.company', 'write', [[1], { sms_provider: 'iap' }], {}, manager);
    const [c] = await b.t.call('res.company', 'read', [[1], ['sms_twilio_auth_token']]);
    expect(c.sms_twilio_auth_token).to.equal('secret-token-value');
  });

  it('numbers: ordered by sequence, shown as "<number> (<country>)"; action_unlink re-opens the wizard', async () => {
    const [us, be] = await b.t.call('res.country', 'search', [[['code', 'in', ['US', 'BE']]]], { order: 'code desc' });
    const ids = await b.t.call('sms.twilio.number', 'create', [[{ number: '+3225550000', country_id: be, sequence: 2 }, { number: '+15005550006', country_id: us, sequence: 1 }]]);
    const rows = await b.t.call('sms.twilio.number', 'search_read', [[], ['number', 'country_code', 'sequence', 'company_id', 'display_name', 'rate_limit']]);
    expect(rows.map((r: any) => [r.number, r.country_code, r.display_name, r.company_id[0], r.rate_limit])).to.deep.equal([
      ['+15005550006', 'US', '+15005550006 (United States)', 1, 1],
      ['+3225550000', 'BE', '+3225550000 (Belgium)', 1, 1],
    ]);
    const err = await rejects(b.t.call('sms.twilio.number', 'create', [[{ number: '+3225550001' }]]));
    expect(err.message).to.match(/Missing required value for the field 'Country' \(country_id\)/);
    expect(await b.t.call('sms.twilio.number', 'action_unlink', [[ids[0]]])).to.deep.equal(MANAGE_ACTION);
    expect(await b.t.call('sms.twilio.number', 'search_count', [[]])).to.equal(1);
  });

  it('reload numbers: the SID is checked, then every page of the account replaces the list', async () => {
    const wiz = await b.t.call('sms.twilio.account.manage', 'create', [{}]);
    await b.t.call('sms.twilio.account.manage', 'write', [[wiz], { sms_twilio_account_sid: 'AC12345' }]);
    expect((await rejects(b.t.call('sms.twilio.account.manage', 'action_reload_numbers', [[wiz]]))).message).to.equal("Invalid Twilio Account SID: must start with 'AC' and be 34 characters long.");
    await b.t.call('sms.twilio.account.manage', 'write', [[wiz], { sms_twilio_account_sid: `AC${'0'.repeat(31)}!` }]);
    expect((await rejects(b.t.call('sms.twilio.account.manage', 'action_reload_numbers', [[wiz]]))).message).to.equal("Invalid Twilio Account SID: must only contain alphanumeric characters after 'AC'.");
    await b.t.call('sms.twilio.account.manage', 'write', [[wiz], { sms_twilio_account_sid: b.fake.accountSid, sms_twilio_auth_token: b.fake.authToken }]);
    // 120 numbers: three pages of 50.
    b.fake.numbers = [...NUMBERS.map((n) => n.number), ...Array.from({ length: 117 }, (_, i) => `+3247${String(2000000 + i)}`)];
    const action = await b.t.call('sms.twilio.account.manage', 'action_reload_numbers', [[wiz]]);
    expect(action).to.deep.include({ res_model: 'sms.twilio.account.manage', res_id: wiz, target: 'new' });
    const rows = await b.t.call('sms.twilio.number', 'search_read', [[], ['number', 'country_code']]);
    expect(rows).to.have.length(120);
    expect(rows.slice(0, 3).map((r: any) => [r.number, r.country_code])).to.deep.equal(NUMBERS.map((n) => [n.number, n.country]));
    expect((await b.t.call('sms.twilio.account.manage', 'read', [[wiz], ['sms_twilio_number_ids']]))[0].sms_twilio_number_ids).to.have.length(120);
  });

  it('reload numbers: Twilio errors become notifications and keep the numbers', async () => {
    const wiz = await b.t.call('sms.twilio.account.manage', 'create', [{}]);
    await b.t.call('sms.twilio.account.manage', 'write', [[wiz], { sms_twilio_auth_token: 'wrong-token' }]);
    expect(await b.t.call('sms.twilio.account.manage', 'action_reload_numbers', [[wiz]])).to.deep.equal({
      type: 'ir.actions.client', tag: 'display_notification', params: { title: 'Twilio SMS', message: 'Error: Authenticate', type: 'danger', sticky: false },
    });
    await b.t.call('sms.twilio.account.manage', 'write', [[wiz], { sms_twilio_auth_token: b.fake.authToken }]);
    await b.t.env((env) => setParam(env, 'sms_twilio.api_url', 'http://127.0.0.1:9'));
    const res = await b.t.call('sms.twilio.account.manage', 'action_reload_numbers', [[wiz]]);
    expect(res.params).to.deep.equal({ title: 'Twilio SMS', message: 'An error occurred while fetching the numbers.', type: 'danger', sticky: false });
    await b.t.env((env) => setParam(env, 'sms_twilio.api_url', b.fake.url));
    expect(await b.t.call('sms.twilio.number', 'search_count', [[]])).to.equal(120);
  });

  it('send test: needs a number, reports the sender or Odoo failure text', async () => {
    const wiz = await b.t.call('sms.twilio.account.manage', 'create', [{}]);
    expect((await rejects(b.t.call('sms.twilio.account.manage', 'action_send_test', [[wiz]]))).message).to.equal('Please set the number to which you want to send a test SMS.');
    await b.t.call('sms.twilio.account.manage', 'write', [[wiz], { test_number: '+32 470 12 34 56' }]);
    const ok = await b.t.call('sms.twilio.account.manage', 'action_send_test', [[wiz]]);
    expect(ok.params).to.include({ message: 'The SMS has been sent from +3225550000 (Belgium)', type: 'success' });
    expect(b.fake.sentTo('+32470123456').map((m) => [m.from, m.body])).to.deep.equal([['+3225550000', 'This is a test SMS from Odoo']]);
    await b.t.call('sms.twilio.account.manage', 'write', [[wiz], { test_number: '+15005550001' }]);
    const bad = await b.t.call('sms.twilio.account.manage', 'action_send_test', [[wiz]]);
    expect(bad.params).to.include({ message: "Wrong Number Format: The number you're trying to reach is not correctly formatted", type: 'danger' });
    expect(await b.t.call('sms.twilio.account.manage', 'action_save', [[wiz]])).to.deep.equal({ type: 'ir.actions.act_window_close' });
  });
});

// Trigger semantics of automation rules: update rules with watched fields and a "before update"
// domain, deletion rules, archive rules, refused triggers, and the rules' own writes.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('base_automation: triggers and filters', () => {
  let t: TestRegistry;
  let contactModel: number;
  let template: number;

  const bodiesTo = async (number: string): Promise<string[]> =>
    (await t.registry.pool.query(`SELECT body FROM sms_sms WHERE number = $1 ORDER BY id`, [number])).rows.map((r) => r.body);

  async function rule(vals: Record<string, unknown>, method = 'sms'): Promise<number> {
    return t.call('base.automation', 'create', [{
      name: 'Rule', model_id: contactModel, ...vals,
      action_server_ids: [[0, 0, { name: 'Send', model_id: contactModel, state: 'sms', sms_template_id: template, sms_method: method }]],
    }]);
  }

  before(async () => {
    t = await testRegistry();
    [contactModel] = await t.call('ir.model', 'search', [[['model', '=', 'mailing.contact']]]);
    template = await t.call('sms.template', 'create', [{ name: 'T', model_id: contactModel, body: '{{ object.name }} now has {{ object.mobile }}' }]);
  });
  after(async () => t.close());

  it('on update: only when a watched field changes, and only for records matching the before-update domain', async () => {
    const [mobileField] = await t.call('ir.model.fields', 'search', [[['model', '=', 'mailing.contact'], ['name', '=', 'mobile']]]);
    const id = await rule({ trigger: 'on_write', trigger_field_ids: [[6, 0, [mobileField]]], filter_pre_domain: "[('mobile', '=', False)]" });
    const c = await t.call('mailing.contact', 'create', [{ name: 'Ann' }]);
    await t.call('mailing.contact', 'write', [[c], { name: 'Anna' }]);
    expect(await bodiesTo('+32470400001')).to.deep.equal([]);
    await t.call('mailing.contact', 'write', [[c], { mobile: '+32470400001' }]);
    expect(await bodiesTo('+32470400001')).to.deep.equal(['Anna now has +32470400001']);
    // Had a number before the update: the before-update domain excludes it.
    await t.call('mailing.contact', 'write', [[c], { mobile: '+32470400002' }]);
    expect(await bodiesTo('+32470400002')).to.deep.equal([]);
    await t.call('base.automation', 'unlink', [[id]]);
  });

  it('on create and edit with a note: runs on the creation and on each later update', async () => {
    const id = await rule({ trigger: 'on_create_or_write', filter_domain: "[('mobile', '!=', False)]" }, 'note');
    const c = await t.call('mailing.contact', 'create', [{ name: 'Ben', mobile: '+32470400003' }]);
    expect(await bodiesTo('+32470400003')).to.deep.equal(['Ben now has +32470400003']);
    const notes = await t.call('mail.message', 'search_read', [[['model', '=', 'mailing.contact'], ['res_id', '=', c], ['message_type', '=', 'sms']], ['body']]);
    expect(notes.map((m: { body: string }) => m.body)).to.deep.equal(['<p>Ben now has +32470400003</p>']);
    await t.call('mailing.contact', 'write', [[c], { name: 'Benny' }]);
    expect(await bodiesTo('+32470400003')).to.deep.equal(['Ben now has +32470400003', 'Benny now has +32470400003']);
    await t.call('base.automation', 'unlink', [[id]]);
  });

  it('records created together are handled each on its own: the same number twice gets two SMS', async () => {
    const id = await rule({ trigger: 'on_create' });
    await t.call('mailing.contact', 'create', [[{ name: 'Gus', mobile: '+32470400007' }, { name: 'Gwen', mobile: '+32470400007' }]]);
    expect(await bodiesTo('+32470400007')).to.deep.equal(['Gus now has +32470400007', 'Gwen now has +32470400007']);
    await t.call('base.automation', 'unlink', [[id]]);
  });

  it('on deletion: the rule runs before the records go', async () => {
    const id = await rule({ trigger: 'on_unlink' });
    const c = await t.call('mailing.contact', 'create', [{ name: 'Cleo', mobile: '+32470400004' }]);
    await t.call('mailing.contact', 'unlink', [[c]]);
    expect(await bodiesTo('+32470400004')).to.deep.equal(['Cleo now has +32470400004']);
    await t.call('base.automation', 'unlink', [[id]]);
  });

  it('on archive: the active field is watched and the domain set', async () => {
    const [partnerModel] = await t.call('ir.model', 'search', [[['model', '=', 'res.partner']]]);
    const partnerTemplate = await t.call('sms.template', 'create', [{ name: 'P', model_id: partnerModel, body: 'Bye {{ object.name }}' }]);
    const id = await t.call('base.automation', 'create', [{
      name: 'Archived', model_id: partnerModel, trigger: 'on_archive',
      action_server_ids: [[0, 0, { name: 'Send', model_id: partnerModel, state: 'sms', sms_template_id: partnerTemplate }]],
    }]);
    const [r] = await t.call('base.automation', 'read', [[id], ['filter_domain', 'trigger_field_ids']]);
    expect(r.filter_domain).to.equal("[('active', '=', False)]");
    expect(r.trigger_field_ids).to.have.length(1);
    const p = await t.call('res.partner', 'create', [{ name: 'Dan', phone: '+32470400005' }]);
    await t.call('res.partner', 'write', [[p], { name: 'Daniel' }]);
    await t.call('res.partner', 'write', [[p], { active: false }]);
    expect(await bodiesTo('+32470400005')).to.deep.equal(['Bye Daniel']);
    await t.call('base.automation', 'unlink', [[id]]);
  });

  it('a rule whose action writes the records it runs on does not trigger itself again', async () => {
    const id = await t.call('base.automation', 'create', [{
      name: 'Normalise', model_id: contactModel, trigger: 'on_create_or_write',
      action_server_ids: [
        [0, 0, { name: 'Rename', model_id: contactModel, state: 'object_write', update_path: 'name', value: 'Checked', sequence: 1 }],
        [0, 0, { name: 'Send', model_id: contactModel, state: 'sms', sms_template_id: template, sequence: 2 }],
      ],
    }]);
    const c = await t.call('mailing.contact', 'create', [{ name: 'Fay', mobile: '+32470400006' }]);
    const [{ name }] = await t.call('mailing.contact', 'read', [[c], ['name']]);
    expect(name).to.equal('Checked');
    // One run on the creation: the rename inside it did not start the rule again.
    expect(await bodiesTo('+32470400006')).to.deep.equal(['Checked now has +32470400006']);
    await t.call('mailing.contact', 'write', [[c], { name: 'Fay again' }]);
    expect(await bodiesTo('+32470400006')).to.deep.equal(['Checked now has +32470400006', 'Checked now has +32470400006']);
    await t.call('base.automation', 'unlink', [[id]]);
  });

  it('two schedulers checking time rules at once send each occurrence once', async () => {
    const [writeDate] = await t.call('ir.model.fields', 'search', [[['model', '=', 'mailing.contact'], ['name', '=', 'write_date']]]);
    const id = await rule({ trigger: 'on_time', trg_date_id: writeDate, trg_date_range: 30, trg_date_range_type: 'minutes' });
    const c = await t.call('mailing.contact', 'create', [{ name: 'Hal', mobile: '+32470400008' }]);
    await t.registry.pool.query(`UPDATE mailing_contact SET write_date = write_date - interval '1 hour' WHERE id = $1`, [c]);
    const check = () => t.registry.transaction({ uid: 1, su: true }, (env) => env.model('base.automation').call('_check'));
    await Promise.all([check(), check(), check()]);
    await check();
    expect(await bodiesTo('+32470400008')).to.deep.equal(['Hal now has +32470400008']);
    await t.call('base.automation', 'unlink', [[id]]);
  });

  it('refuses triggers it does not run, and domains that are not literals', async () => {
    const refused = async (vals: Record<string, unknown>) => {
      try {
        await rule(vals);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(await refused({ trigger: 'on_change' })).to.equal('The trigger "On UI change" (on_change) is not supported by this server (it runs Python code in the form view).');
    expect(await refused({ trigger: 'on_message_received' })).to.equal('The trigger "On incoming message" (on_message_received) is not supported by this server.');
    expect(await refused({ trigger: 'on_create', filter_domain: "[('create_date', '>', context_today())]" })).to.match(/^Invalid apply on domain .*Only literal domains are supported\.$/);
    expect(await t.call('base.automation', 'search_count', [[]])).to.equal(0);
  });

  it('other server action types are refused when run, with a clear error', async () => {
    const action = await t.call('ir.actions.server', 'create', [{ name: 'Update', model_id: contactModel, state: 'object_create' }]);
    const c = await t.call('mailing.contact', 'create', [{ name: 'Eve' }]);
    let error = '';
    try {
      await t.call('ir.actions.server', 'run', [[action]], { context: { active_model: 'mailing.contact', active_id: c, active_ids: [c] } });
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).to.equal('Server action "Update": the type "Create Record" (object_create) is not supported by this server.');
  });
});

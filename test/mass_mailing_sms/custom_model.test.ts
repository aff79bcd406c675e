// A model outside the product (a CRM-like lead) becomes SMS-capable by declaring its number
// fields: numbers are sanitised per record country, the customer's number is the fallback.

import { expect } from 'chai';
import { Registry } from '../../models/orm/registry.ts';
import { MODELS } from '../../models/index.ts';
import type { ModelSpec } from '../../models/orm/model.ts';
import { initSchema } from '../../models/orm/schema.ts';
import { reflectModels } from '../../models/base/ir_model.ts';
import { callKw } from '../../models/orm/call_kw.ts';
import { registerSmsRecipientModel } from '../../models/mass_mailing_sms/recipients.ts';
import { freshDatabase, type FreshDatabase } from '../helpers/db.ts';

const Lead: ModelSpec = {
  _name: 'test.sms.lead',
  _description: 'Test Lead',
  fields: {
    name: { type: 'char', string: 'Name' },
    phone: { type: 'char', string: 'Phone' },
    mobile: { type: 'char', string: 'Mobile' },
    country_id: { type: 'many2one', comodel: 'res.country', string: 'Country' },
    partner_id: { type: 'many2one', comodel: 'res.partner', string: 'Customer' },
  },
};

describe('mass_mailing_sms: any model with phone fields', () => {
  let db: FreshDatabase;
  let registry: Registry;
  const call = (model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
    registry.transaction({ uid: 2 }, (env) => callKw(env, model, method, args, kwargs)) as Promise<any>;

  before(async () => {
    db = await freshDatabase();
    registry = new Registry(db.connectionString, [...MODELS, Lead]).build().connect(3);
    await registry.sudo(async (env) => {
      await initSchema(registry, env.cr);
      await reflectModels(env);
    });
    registerSmsRecipientModel('test.sms.lead', { numberFields: ['mobile', 'phone'], partnerField: 'partner_id' });
  });
  after(async () => {
    await registry.close();
    await db.drop();
  });

  it('sanitises with the record country, falls back on the customer, renders its fields', async () => {
    const [be] = await call('res.country', 'search', [[['code', '=', 'BE']]]);
    const [fr] = await call('res.country', 'search', [[['code', '=', 'FR']]]);
    const customer = await call('res.partner', 'create', [{ name: 'Customer', phone: '+32 476 00 00 01' }]);
    const ids: number[] = await call('test.sms.lead', 'create', [[
      { name: 'National BE', mobile: '0470 11 22 33', country_id: be },
      { name: 'Phone FR', phone: '06 12 34 56 78', country_id: fr },
      { name: 'Bad, with customer', mobile: 'n/a', partner_id: customer },
      { name: 'Bad', mobile: 'n/a' },
      { name: 'Nothing' },
    ]]);
    const model = (await call('ir.model', 'search', [[['model', '=', 'test.sms.lead']]]))[0];
    const mailing = await call('mailing.mailing', 'create', [{ subject: 'Leads', mailing_type: 'sms', mailing_model_id: model, body_plaintext: 'Dear {{ object.name }}' }]);
    expect((await call('mailing.mailing', 'read', [[mailing], ['mailing_domain']]))[0].mailing_domain).to.equal('[]');
    await call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const traces = await call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['res_id', 'trace_status', 'failure_type', 'sms_number', 'sms_id_int']]);
    const byRes = new Map(traces.map((t: any) => [t.res_id, t]));
    expect(byRes.get(ids[0])).to.include({ trace_status: 'outgoing', sms_number: '+32470112233' });
    expect(byRes.get(ids[1])).to.include({ trace_status: 'outgoing', sms_number: '+33612345678' });
    expect(byRes.get(ids[2])).to.include({ trace_status: 'outgoing', sms_number: '+32476000001' });
    expect(byRes.get(ids[3])).to.include({ trace_status: 'cancel', failure_type: 'sms_number_format', sms_number: 'n/a' });
    expect(byRes.get(ids[4])).to.include({ trace_status: 'cancel', failure_type: 'sms_number_missing', sms_number: false });
    const sms = await call('sms.sms', 'search_read', [[['mailing_id', '=', mailing]], ['number', 'body', 'partner_id']], { order: 'id' });
    expect(sms.map((s: any) => [s.number, s.body, s.partner_id && s.partner_id[0]])).to.deep.equal([
      ['+32470112233', 'Dear National BE', false],
      ['+33612345678', 'Dear Phone FR', false],
      ['+32476000001', 'Dear Bad, with customer', customer],
    ]);
  });

  it('a model with neither phone nor customer field is refused', async () => {
    const model = (await call('ir.model', 'search', [[['model', '=', 'utm.stage']]]))[0];
    const mailing = await call('mailing.mailing', 'create', [{ subject: 'Stages', mailing_type: 'sms', mailing_model_id: model, body_plaintext: 'x' }]);
    let err: any;
    try {
      await call('mailing.mailing', 'action_send_sms', [[mailing]]);
    } catch (e) {
      err = e;
    }
    expect(err?.odooName).to.equal('odoo.exceptions.UserError');
    expect(err.message).to.equal('Unsupported Campaign Stage for mass SMS');
  });
});

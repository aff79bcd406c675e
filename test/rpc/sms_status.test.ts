import { expect } from 'chai';
import request from 'supertest';
import { rpcTestApp, type RpcTestApp } from '../helpers/rpc.ts';
import { sql } from '../../models/orm/sql.ts';
import { callKw } from '../../models/orm/call_kw.ts';

describe('rpc: /sms/status delivery reports', () => {
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(async () => t.close());

  const post = (params: unknown) =>
    request(t.app).post('/sms/status').set('Content-Type', 'application/json').send({ jsonrpc: '2.0', method: 'call', params, id: 1 });

  it('marks handed-over SMS delivered or failed, ignores unknown uuids', async () => {
    const [a, b] = await t.env(async (env) => {
      const recs = await env.model('sms.sms').create([{ number: '+32456000001', body: 'x' }, { number: '+32456000002', body: 'y' }]);
      await env.cr.execute(sql`UPDATE sms_sms SET state = 'pending' WHERE id = ANY(${recs.ids}::int4[])`);
      return recs.fetch(['uuid']);
    });
    const res = await post({ message_statuses: [
      { sms_status: 'delivered', uuids: [a.uuid] },
      { sms_status: 'not_delivered', uuids: [b.uuid, 'f'.repeat(32)] },
    ] });
    expect(res.status).to.equal(200);
    expect(res.body.result).to.equal('OK');
    const rows = await t.env((env) => env.model('sms.sms').withContext({ active_test: false }).browse([a.id as number, b.id as number]).fetch(['state', 'failure_type']));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(a.id)!.state).to.equal('sent');
    expect(byId.get(b.id)!.state).to.equal('error');
  });

  it('bad parameters (empty uuids, bad uuid or status) are a UserError, and change nothing', async () => {
    const [a] = await t.env(async (env) => {
      const recs = await env.model('sms.sms').create([{ number: '+32456000003', body: 'z' }]);
      await env.cr.execute(sql`UPDATE sms_sms SET state = 'pending' WHERE id = ANY(${recs.ids}::int4[])`);
      return recs.fetch(['uuid']);
    });
    for (const bad of [
      [{ sms_status: 'delivered', uuids: [] }],
      [{ sms_status: 'delivered', uuids: [a.uuid] }, { sms_status: 'delivered', uuids: ['nope'] }],
      [{ sms_status: 'not-a-word', uuids: [a.uuid] }],
    ]) {
      const res = await post({ message_statuses: bad });
      expect(res.status).to.equal(200);
      expect(res.body.error.data.name).to.equal('odoo.exceptions.UserError');
      expect(res.body.error.data.message).to.equal('Bad parameters');
    }
    const [row] = await t.env((env) => env.model('sms.sms').browse([a.id as number]).fetch(['state']));
    expect(row.state).to.equal('pending');
  });

  describe('mailing traces follow the reports (sms.tracker)', () => {
    let mailing: number;
    let sms: { id: number; uuid: string; partner_id: [number, string] }[];
    const call = (model: string, method: string, args: unknown[], kwargs = {}): Promise<any> => t.env((env) => callKw(env, model, method, args, kwargs));
    const traceOf = async (i: number) =>
      (await call('mailing.trace', 'search_read', [[['sms_id_int', '=', sms[i].id]], ['trace_status', 'failure_type', 'failure_reason']]))[0];

    before(async () => {
      const partners = await call('res.partner', 'create', [[1, 2, 3, 4].map((i) => ({ name: `Report ${i}`, phone: `+32 472 00 01 0${i}` }))]);
      const [modelId] = await call('ir.model', 'search', [[['model', '=', 'res.partner']]]);
      mailing = await call('mailing.mailing', 'create', [{ subject: 'Reports', mailing_type: 'sms', mailing_model_id: modelId, body_plaintext: 'Hi', mailing_domain: `[('id', 'in', ${JSON.stringify(partners)})]` }]);
      await call('mailing.mailing', 'action_launch', [[mailing]]);
      await t.env((env) => env.model('mailing.mailing').call('_process_mass_mailing_queue'));
      sms = await call('sms.sms', 'search_read', [[['mailing_id', '=', mailing]], ['uuid', 'partner_id']], { order: 'id' });
      expect(sms).to.have.length(4);
      // handed to the provider
      await t.env((env) => env.cr.execute(sql`UPDATE sms_sms SET state = 'pending' WHERE mailing_id = ${mailing}`));
    });

    it('an invalid destination is a bounce, even after a delivery report', async () => {
      await post({ message_statuses: [{ sms_status: 'invalid_destination', uuids: [sms[0].uuid] }, { sms_status: 'delivered', uuids: [sms[1].uuid] }] });
      expect(await traceOf(0)).to.deep.include({ trace_status: 'bounce', failure_type: 'sms_invalid_destination', failure_reason: false });
      expect(await traceOf(1)).to.deep.include({ trace_status: 'sent', failure_type: false });
      const res = await post({ message_statuses: [{ sms_status: 'invalid_destination', uuids: [sms[1].uuid] }] });
      expect(res.body.result).to.equal('OK');
      expect(await traceOf(1)).to.deep.include({ trace_status: 'bounce', failure_type: 'sms_invalid_destination' });
      const stats = (await call('mailing.mailing', 'read', [[mailing], ['bounced']]))[0];
      expect(stats.bounced).to.equal(2);
    });

    it('other delivery errors keep their type; unknown statuses are `unknown` with the status as reason', async () => {
      await post({ message_statuses: [{ sms_status: 'expired', uuids: [sms[2].uuid] }, { sms_status: 'server_error', uuids: [sms[3].uuid] }] });
      expect(await traceOf(2)).to.deep.include({ trace_status: 'error', failure_type: 'sms_expired', failure_reason: false });
      expect(await traceOf(3)).to.deep.include({ trace_status: 'error', failure_type: 'unknown', failure_reason: 'server_error' });
    });

    it('an error is not final: a later `sent` report moves the trace on', async () => {
      await post({ message_statuses: [{ sms_status: 'sent', uuids: [sms[3].uuid] }] });
      expect(await traceOf(3)).to.deep.include({ trace_status: 'pending', failure_type: false, failure_reason: false });
    });
  });
});

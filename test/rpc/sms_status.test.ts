import { expect } from 'chai';
import request from 'supertest';
import { rpcTestApp, type RpcTestApp } from './helpers.ts';
import { sql } from '../../models/orm/sql.ts';

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

  it('answers bad parameters with the TypeError Odoo 19 gives', async () => {
    const res = await post({ message_statuses: [{ sms_status: 'delivered', uuids: [] }] });
    expect(res.status).to.equal(200);
    expect(res.body.error.code).to.equal(0);
    expect(res.body.error.data.name).to.equal('builtins.TypeError');
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import { testLogger } from '../helpers/db.ts';
import { ADMIN_PASSWORD, jsonrpc, rpcTestApp, type RpcTestApp } from '../helpers/rpc.ts';
import { loadConfig } from '../../server/config.ts';

describe('server operations: GET /web/health', () => {
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(() => t.close());

  it('answers Odoo\'s {"status": "pass"} without touching the database', async () => {
    const res = await request(t.app).get('/web/health');
    expect(res.status).to.equal(200);
    expect(res.text).to.equal('{"status":"pass"}');
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('with db_server_status, probes the database and the schema', async () => {
    const res = await request(t.app).get('/web/health?db_server_status=1');
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.text)).to.deep.equal({ status: 'pass', db_server_status: true });
  });

  it('answers 503 "fail" when the database cannot be reached', async () => {
    const registry = createRegistry('postgresql://nobody@127.0.0.1:1/nowhere', 1);
    try {
      const app = createApp(registry, { dbName: 'nowhere', adminPassword: 'x', maxBodySize: 1 << 20 }, testLogger());
      const res = await request(app).get('/web/health?db_server_status=true');
      expect(res.status).to.equal(503);
      expect(JSON.parse(res.text)).to.deep.equal({ status: 'fail', db_server_status: false });
      // the liveness form stays up: the process itself is fine
      expect((await request(app).get('/web/health')).status).to.equal(200);
    } finally {
      await registry.close();
    }
  });

  it('answers 503 when a model table is missing (schema not brought up to date)', async () => {
    await t.env(async (env) => {
      await env.cr.query('ALTER TABLE sms_tracker RENAME TO sms_tracker_moved');
    });
    try {
      const res = await request(t.app).get('/web/health?db_server_status=1');
      expect(res.status).to.equal(503);
      expect(JSON.parse(res.text)).to.deep.equal({ status: 'fail', db_server_status: false });
    } finally {
      await t.env(async (env) => {
        await env.cr.query('ALTER TABLE sms_tracker_moved RENAME TO sms_tracker');
      });
    }
  });
});

describe('server operations: GET /metrics', () => {
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(() => t.close());

  it('counts requests by route pattern and status, SMS by state and the queue depth', async () => {
    await t.env(async (env) => {
      await env.model('sms.sms').create([{ number: '+32456000001', body: 'a' }, { number: '+32456000002', body: 'b' }]);
    });
    await jsonrpc(t.app, 'common', 'version', []);
    await request(t.app).post('/json/2/res.partner/search').set('Content-Type', 'application/json').send('{}');
    await request(t.app).get('/no/such/page?x=1');
    const res = await request(t.app).get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/plain/);
    expect(res.text).to.include('http_requests_total{method="POST",route="/jsonrpc",status="200"} 1');
    // the pattern, not the model and method of the URL
    expect(res.text).to.include('http_requests_total{method="POST",route="/json/2/:model/:method",status="401"} 1');
    expect(res.text).to.include('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(res.text).to.not.include('/no/such/page');
    expect(res.text).to.include('sms_sms{state="outgoing"} 2');
    expect(res.text).to.include('sms_sms{state="sent"} 0');
    expect(res.text).to.include('sms_queue_depth 2');
    expect(res.text).to.include('# TYPE sms_provider_request_duration_seconds histogram');
  });

  it('asks for METRICS_TOKEN as a bearer token when it is configured', async () => {
    const app = createApp(t.registry, { dbName: t.dbName, adminPassword: ADMIN_PASSWORD, maxBodySize: 1 << 20, metricsToken: 's3cret-token' }, testLogger());
    expect((await request(app).get('/metrics')).status).to.equal(401);
    expect((await request(app).get('/metrics').set('Authorization', 'Bearer wrong')).status).to.equal(401);
    const ok = await request(app).get('/metrics').set('Authorization', 'Bearer s3cret-token');
    expect(ok.status).to.equal(200);
    expect(ok.text).to.include('sms_queue_depth');
  });

  it('reads METRICS_TOKEN from the environment (unset: open)', () => {
    expect(loadConfig({}).metricsToken).to.equal(undefined);
    expect(loadConfig({ METRICS_TOKEN: 'abc' }).metricsToken).to.equal('abc');
  });
});

// The server behind PgBouncer in transaction pooling (DATABASE_POOLER=transaction), started by the
// test in front of the run's PostgreSQL with 3 server connections: the protocols, a campaign send,
// link-code cache invalidation through the direct LISTEN route (DATABASE_DIRECT_URL), contact
// imports taking turns, and more concurrent calls than server connections.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import request from 'supertest';
import { liveServer, type LiveServer } from '../helpers/live_server.ts';
import { ADMIN_PASSWORD, executeKw, jsonrpc, makeApiKey, xmlrpc } from '../helpers/rpc.ts';
import { pgbouncerInstalled, startPgBouncer, PGBOUNCER, type PgBouncer } from '../helpers/pgbouncer.ts';
import { testCluster, testLogger } from '../helpers/db.ts';
import { fastSettings, waitFor } from '../helpers/sms.ts';
import { DEFAULT_REGISTRY_CONFIG } from '../../models/orm/config.ts';
import { LISTENER_APPLICATION_NAME } from '../../models/orm/notify.ts';
import { configureSmsEngine, type SmsEngine } from '../../models/sms/dispatch.ts';
import type { SimulatorProvider } from '../../models/sms/providers/simulator.ts';
import { linkRedirects } from '../../models/link_tracker/redirect.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import { createApp } from '../../server/app.ts';
import { importContacts } from '../../models/mass_mailing/import_contacts.ts';
import type { ImportRecord } from '../../models/tools/csv_import.ts';

const POOL_SIZE = 3;
const PYTHON = '/usr/bin/python3';
const COMPAT = fileURLToPath(new URL('../compat/', import.meta.url));
const missing = pgbouncerInstalled() ? '' : ` (skipped: ${PGBOUNCER} is missing, apt-get install pgbouncer)`;

describe(`server: behind PgBouncer in transaction pooling${missing}`, function () {
  this.timeout(180_000);
  let bouncer: PgBouncer;
  let s: LiveServer;
  let engine: SmsEngine;
  const call = async (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) => {
    const body = await executeKw(s, model, method, args, kwargs);
    if (body.error) throw new Error(`${body.error.data.name}: ${body.error.data.message}`);
    return body.result;
  };

  before(async function () {
    if (!pgbouncerInstalled()) {
      if (process.env.CI) throw new Error(`${PGBOUNCER} is missing (apt-get install pgbouncer)`);
      this.skip();
    }
    bouncer = await startPgBouncer({ poolSize: POOL_SIZE });
    s = await liveServer({
      connectionString: (db) => bouncer.route(db.connectionString),
      config: (db) => ({ ...DEFAULT_REGISTRY_CONFIG, databasePooler: 'transaction', databaseDirectUrl: db.connectionString }),
      poolSize: 10,
    });
    engine = configureSmsEngine(s.registry, { logger: testLogger() });
    await fastSettings(s.registry);
  });
  after(async () => {
    await engine?.stop();
    await s?.close();
    await bouncer?.stop();
  });

  it('the registry really goes through PgBouncer', async () => {
    const [{ port }] = (await s.registry.pool.query<{ port: string }>(`SELECT current_setting('port') AS port`)).rows;
    expect(new URL(s.registry.connectionString).port).to.equal(String(bouncer.port));
    expect(port).to.not.equal(String(bouncer.port));
    expect(await bouncer.pools(s.dbName)).to.have.length(1);
  });

  it('version, authenticate, execute_kw CRUD and search_read over XML-RPC, JSON-RPC and JSON-2', async () => {
    const version = await xmlrpc(s.app, '/xmlrpc/2/common', 'version', []);
    expect(version.value).to.include({ server_version: '19.0' });
    const uid = await xmlrpc(s.app, '/xmlrpc/2/common', 'authenticate', [s.dbName, 'admin', ADMIN_PASSWORD, {}]);
    expect(uid.value).to.equal(2);
    const exec = (method: string, args: unknown[], kw: Record<string, unknown> = {}) =>
      xmlrpc(s.app, '/xmlrpc/2/object', 'execute_kw', [s.dbName, 2, ADMIN_PASSWORD, 'res.partner', method, args, kw]);
    const created = await exec('create', [{ name: 'Through the pooler', phone: '+32 470 11 22 33' }]);
    expect(created.value).to.be.a('number');
    expect((await exec('write', [[created.value], { name: 'Renamed in the pooler' }])).value).to.equal(true);
    const found = await exec('search_read', [[['id', '=', created.value]]], { fields: ['name', 'phone'] });
    expect(found.value).to.deep.equal([{ id: created.value, name: 'Renamed in the pooler', phone: '+32 470 11 22 33' }]);

    const viaJson = await jsonrpc(s.app, 'common', 'version', []);
    expect(viaJson.result.server_version).to.equal('19.0');
    const jsonCreated = await call('res.partner', 'create', [{ name: 'JSON partner' }]);
    expect(await call('res.partner', 'read', [[jsonCreated], ['name']])).to.deep.equal([{ id: jsonCreated, name: 'JSON partner' }]);
    expect(await call('res.partner', 'unlink', [[jsonCreated]])).to.equal(true);
    expect(await call('res.partner', 'search_count', [[['id', '=', jsonCreated]]])).to.equal(0);

    const key = await makeApiKey(s, 2, ADMIN_PASSWORD, 'pooler');
    const res = await request(s.app).post('/json/2/res.partner/search_read').set('Content-Type', 'application/json').set('Authorization', `bearer ${key}`)
      .send(JSON.stringify({ domain: [['id', '=', created.value]], fields: ['name'] }));
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.text)).to.deep.equal([{ id: created.value, name: 'Renamed in the pooler' }]);
    expect((await exec('unlink', [[created.value]])).value).to.equal(true);
  });

  it("Python's xmlrpc.client runs the official external API docs flow over HTTP", async function () {
    if (!existsSync(PYTHON)) {
      if (process.env.CI) throw new Error(`${PYTHON} is missing`);
      this.skip();
    }
    const out = await new Promise<any>((resolve, reject) => {
      execFile(PYTHON, [COMPAT + 'xmlrpc_docs_flow.py', s.url, s.dbName, 'admin', ADMIN_PASSWORD], { timeout: 120_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });
    expect(out.uid).to.equal(2);
    expect(out.create).to.be.a('number');
    expect(out.write).to.equal(true);
    expect(out.unlink).to.equal(true);
    expect(out.after_unlink).to.deep.equal([]);
  });

  it('a campaign: list and contacts, mailing sent, every SMS sent by the simulator, traces sent', async () => {
    const list = await call('mailing.list', 'create', [{ name: 'Pooled list' }]);
    const contacts = await call('mailing.contact', 'create', [Array.from({ length: 12 }, (_, i) => ({ name: `Pooled ${i}`, mobile: `+32 470 55 00 ${String(i).padStart(2, '0')}`, list_ids: [[4, list]] }))]);
    const mailing = await call('mailing.mailing', 'create', [{ subject: 'Pooled', mailing_type: 'sms', contact_list_ids: [[6, 0, [list]]], body_plaintext: 'Hello from behind the pooler' }]);
    await call('mailing.mailing', 'action_send_sms', [[mailing]]);
    const sim = engine.provider('simulator') as SimulatorProvider;
    const sms = () => call('sms.sms', 'search_read', [[['mailing_id', '=', mailing]], ['state', 'number']]) as Promise<{ state: string; number: string }[]>;
    await waitFor(async () => {
      await engine.processQueue({});
      await sim.deliverDue();
      return (await sms()).every((x) => x.state === 'sent');
    }, 30_000, 100);
    const sent = await sms();
    expect(sent).to.have.length(12);
    expect(new Set(sent.map((x) => x.number)).size).to.equal(12);
    const traces = await call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['res_id', 'trace_status']]);
    expect(traces).to.have.length(12);
    expect(traces.map((x: { res_id: number }) => x.res_id).sort((a: number, b: number) => a - b)).to.deep.equal([...contacts].sort((a: number, b: number) => a - b));
    expect(traces.every((x: { trace_status: string }) => x.trace_status === 'sent')).to.equal(true);
  });

  it('link-code cache: invalidated through the direct LISTEN connection; without a direct URL the cache stays off', async () => {
    const { admin } = await testCluster();
    const id = await call('link.tracker', 'create', [{ url: 'https://example.com/before' }]);
    const [{ code }] = await call('link.tracker', 'read', [[id], ['code']]);
    const cache = linkRedirects(s.registry).cache;
    // The LISTEN session (the registry's listener, models/orm/notify.ts) is on PostgreSQL itself, not behind the pooler.
    await waitFor(async () => (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2`, [s.dbName, `${LISTENER_APPLICATION_NAME} %`])).rowCount === 1);
    const target = async (app = s.app) => (await request(app).get(`/r/${code}`).set('User-Agent', 'bot')).headers.location;
    expect(await target()).to.equal('https://example.com/before');
    expect(cache.size).to.be.greaterThan(0);
    await call('link.tracker', 'write', [[id], { url: 'https://example.com/after' }]);
    await waitFor(async () => (await target()) === 'https://example.com/after', 5000, 20);

    // A second instance behind the pooler without DATABASE_DIRECT_URL: right answers, nothing cached.
    const other = createRegistry(s.registry.connectionString, 2, { config: { ...DEFAULT_REGISTRY_CONFIG, databasePooler: 'transaction', databaseDirectUrl: undefined } });
    try {
      const app = createApp(other, { dbName: s.dbName, adminPassword: ADMIN_PASSWORD, maxBodySize: 1 << 20 }, testLogger());
      expect(await target(app)).to.equal('https://example.com/after');
      await call('link.tracker', 'write', [[id], { url: 'https://example.com/again' }]);
      expect(await target(app)).to.equal('https://example.com/again');
      expect(linkRedirects(other).cache.size).to.equal(0);
    } finally {
      await other.close();
    }
  });

  it('contact imports take turns through the pooler', async () => {
    let waited = 0;
    let signal!: () => void;
    const otherWaits = new Promise<void>((resolve) => (signal = resolve));
    const onWait = () => {
      waited++;
      signal();
    };
    async function* rows(prefix: string): AsyncIterable<ImportRecord> {
      yield { line: 1, cells: ['name', 'mobile'] };
      // The import holding the lock goes on once the other one waits for it (or after 20 s).
      await Promise.race([otherWaits, new Promise((r) => setTimeout(r, 20_000))]);
      for (let i = 0; i < 30; i++) yield { line: i + 2, cells: [`${prefix} ${i}`, `+32 471 ${prefix === 'A' ? 10 : 20} ${String(i).padStart(2, '0')} 00`] };
    }
    const [a, b] = await Promise.all([
      importContacts(s.registry, rows('A'), { list: 'Pooled import A', batchSize: 7, onWait }),
      importContacts(s.registry, rows('B'), { list: 'Pooled import B', batchSize: 7, onWait }),
    ]);
    expect(a.created).to.equal(30);
    expect(b.created).to.equal(30);
    expect(waited).to.equal(1);
    expect(await call('mailing.contact', 'search_count', [[['list_ids.name', 'in', ['Pooled import A', 'Pooled import B']]]])).to.equal(60);
  });

  it(`more concurrent calls than its ${POOL_SIZE} server connections: all answered, no server connection held afterwards`, async () => {
    const ids = await call('res.partner', 'create', [Array.from({ length: 40 }, (_, i) => ({ name: `Concurrent ${i}` }))]);
    const answers = await Promise.all(ids.map((id: number, i: number) =>
      i % 2 ? call('res.partner', 'read', [[id], ['name']]) : call('res.partner', 'write', [[id], { name: `Concurrent ${i} written` }]),
    ));
    answers.forEach((a, i) => expect(a).to.deep.equal(i % 2 ? [{ id: ids[i], name: `Concurrent ${i}` }] : true));
    await waitFor(async () => (await bouncer.pools(s.dbName)).every((p) => Number(p.sv_active) === 0 && Number(p.cl_waiting) === 0), 5000);
    for (const p of await bouncer.pools(s.dbName)) {
      expect(Number(p.sv_active) + Number(p.sv_idle) + Number(p.sv_used) + Number(p.sv_tested) + Number(p.sv_login)).to.be.at.most(POOL_SIZE);
    }
  });
});

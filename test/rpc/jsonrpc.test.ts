import { expect } from 'chai';
import { parseCapture, type Capture } from '../helpers/odoo19.ts';
import request from 'supertest';
import { ADMIN_PASSWORD, executeKw, jsonrpc, rpcTestApp, type RpcTestApp } from '../helpers/rpc.ts';


/** A JSON-RPC capture: its request body (our db and password) and its parsed answer. */
function capture(name: string, dbName: string): Capture {
  const c = parseCapture(name);
  return {
    ...c,
    request: c.request.replace(/"odoo19"/g, JSON.stringify(dbName)).replace(/"admin", "admin"/, `"admin", ${JSON.stringify(ADMIN_PASSWORD)}`).replace(/, 2, "admin"/, `, 2, ${JSON.stringify(ADMIN_PASSWORD)}`),
  };
}

async function replay(t: RpcTestApp, name: string): Promise<{ status: number; headers: Record<string, any>; text: string; expected: ReturnType<typeof capture> }> {
  const c = capture(name, t.dbName);
  const ct = name === 'jsonrpc-wrong-content-type.txt' ? 'text/plain' : 'application/json';
  const res = await request(t.app).post('/jsonrpc').set('Content-Type', ct).send(c.request);
  return { status: res.status, headers: res.headers, text: res.text, expected: c };
}

describe('JSON-RPC /jsonrpc', () => {
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(async () => t.close());

  // captures whose answer depends on models or fields this build may not have yet
  const needs: Record<string, (t: RpcTestApp) => boolean> = {
    'jsonrpc-object-required-missing.txt': (t) => t.registry.has('mailing.list'),
    'jsonrpc-object-search_read-classic_write.txt': (t) => t.registry.get('res.partner').fields.has('company_id'),
  };

  for (const name of [
    'jsonrpc-common-version.txt',
    'jsonrpc-common-authenticate-ok.txt',
    'jsonrpc-common-authenticate-bad.txt',
    'jsonrpc-object-wrong-password.txt',
    'jsonrpc-object-unknown-model.txt',
    'jsonrpc-object-unknown-field.txt',
    'jsonrpc-object-private-method.txt',
    'jsonrpc-object-bad-order.txt',
    'jsonrpc-object-bad-domain.txt',
    'jsonrpc-object-write-returns.txt',
    'jsonrpc-object-required-missing.txt',
    'jsonrpc-object-search_read-classic_write.txt',
    'jsonrpc-object-name_search.txt',
  ]) {
    it(`answers like ${name}`, async function () {
      if (needs[name] && !needs[name](t)) this.skip();
      const { status, headers, text, expected } = await replay(t, name);
      expect(status).to.equal(expected.status);
      expect(headers['content-type']).to.equal(expected.headers['Content-Type']);
      const mine = JSON.parse(text);
      const theirs = JSON.parse(expected.response);
      if (name === 'jsonrpc-object-required-missing.txt') {
        // the capture kept only the last line of a multi-line exception in `debug`; we keep it whole
        expect(mine.error.data.debug.endsWith(theirs.error.data.debug.split('\n').slice(-2).join('\n'))).to.equal(true);
        mine.error.data.debug = theirs.error.data.debug;
      }
      expect(mine).to.deep.equal(theirs);
    });
  }

  it('load=_classic_write gives many2one ids', async () => {
    const parent = (await executeKw(t, 'res.partner', 'create', [{ name: 'Parent Co', is_company: true }])).result;
    const child = (await executeKw(t, 'res.partner', 'create', [{ name: 'Child', parent_id: parent }])).result;
    const body = await executeKw(t, 'res.partner', 'search_read', [[['id', '=', child]]], { fields: ['name', 'parent_id'], load: '_classic_write' });
    expect(body.result).to.deep.equal([{ id: child, name: 'Child', parent_id: parent }]);
  });

  it('db.list gives our database only', async () => {
    const body = await jsonrpc(t.app, 'db', 'list', []);
    expect(body).to.deep.equal({ jsonrpc: '2.0', id: 7, result: [t.dbName] });
  });

  it('create returns an int for a dict and a list for a list (captures)', async function () {
    if (!t.registry.has('mailing.list')) throw new Error('mailing.list is not registered');
    const one = await executeKw(t, 'mailing.list', 'create', [{ name: 'capture list' }]);
    expect(one.result).to.be.a('number');
    const many = await executeKw(t, 'mailing.list', 'create', [[{ name: 'capture list 2' }]]);
    expect(many.result).to.be.an('array').with.length(1);
  });

  it('malformed JSON: HTTP 400 "Invalid JSON data" (capture)', async () => {
    const { status, headers, text, expected } = await replay(t, 'jsonrpc-malformed.txt');
    expect(status).to.equal(400);
    expect(headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(text).to.equal(expected.response.replace(/\n$/, ''));
  });

  it('wrong content type: HTTP 415 with the Accept header (capture)', async () => {
    const { status, headers, text, expected } = await replay(t, 'jsonrpc-wrong-content-type.txt');
    expect(status).to.equal(415);
    expect(headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(headers.accept).to.equal('application/json, application/json-rpc');
    expect(text).to.equal(expected.response);
  });

  it('a None result leaves out "result"; ids are echoed unchanged', async () => {
    const body = await jsonrpc(t.app, 'object', 'execute_kw', [t.dbName, 2, ADMIN_PASSWORD, 'res.partner', 'check_access_rights', ['read']], 1795764923262);
    expect(body).to.deep.equal({ jsonrpc: '2.0', id: 1795764923262 });
    const s = await jsonrpc(t.app, 'common', 'version', [], 'abc');
    expect(s.id).to.equal('abc');
    const res = await request(t.app).post('/jsonrpc').set('Content-Type', 'application/json').send({ jsonrpc: '2.0', method: 'call', params: { service: 'common', method: 'version', args: [] } });
    expect(res.body.id).to.equal(null);
    expect(res.body.result.server_version).to.equal('19.0');
  });

  it('version has exactly the 4 keys', async () => {
    const body = await jsonrpc(t.app, 'common', 'version', []);
    expect(body.result).to.deep.equal({ server_version: '19.0', server_version_info: [19, 0, 0, 'final', 0, ''], server_serie: '19.0', protocol_version: 1 });
  });

  it('params must be an object; "" is accepted for offset/limit/order/context', async () => {
    const res = await request(t.app).post('/jsonrpc').set('Content-Type', 'application/json').send({ jsonrpc: '2.0', method: 'call', params: ['common', 'version', []], id: 3 });
    expect(res.status).to.equal(200);
    expect(res.body.error.code).to.equal(0);
    expect(res.body.error.data.name).to.equal('builtins.TypeError');
    const body = await executeKw(t, 'res.partner', 'search_read', [[['id', '=', 3]]], { fields: ['name'], offset: '', limit: '', order: '', context: '' });
    expect(body.result).to.deep.equal([{ id: 3, name: 'Administrator' }]);
  });

  it('unknown service: builtins.KeyError; unknown model: UserError; unknown method: AttributeError', async () => {
    expect((await jsonrpc(t.app, 'report', 'x', [])).error.data.name).to.equal('builtins.KeyError');
    const m = await executeKw(t, 'res.partner', 'nope', [[]]);
    expect(m.error.data.name).to.equal('builtins.AttributeError');
    expect(m.error.data.message).to.equal("The method 'res.partner.nope' does not exist");
  });

  it('unknown database on authenticate: an error, not false', async () => {
    const body = await jsonrpc(t.app, 'common', 'authenticate', ['no_such_db', 'admin', ADMIN_PASSWORD, {}]);
    expect(body.error.code).to.equal(0);
    expect(body.error.data.name).to.equal('psycopg2.OperationalError');
  });

  it('a 10 MB body: a JSON-RPC error (HTTP 200), not a stack trace', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'common', method: 'version', args: ['x'.repeat(10 * 1024 * 1024)] }, id: 1 });
    const res = await request(t.app).post('/jsonrpc').set('Content-Type', 'application/json').send(big);
    expect(res.status).to.equal(200);
    expect(res.body.error.code).to.equal(0);
    expect(res.body.error.message).to.equal('Odoo Server Error');
    expect(res.body.error.data.name).to.equal('werkzeug.exceptions.RequestEntityTooLarge');
    expect(res.text).not.to.match(/at .*\.ts:\d+/);
  });

  it('a body that is JSON but not an object: 400 "Invalid JSON-RPC data"', async () => {
    const res = await request(t.app).post('/jsonrpc').set('Content-Type', 'application/json').send('[1, 2]');
    expect(res.status).to.equal(400);
    expect(res.text).to.equal('Invalid JSON-RPC data');
  });
});

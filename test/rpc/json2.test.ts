import { expect } from 'chai';
import { captureJson } from '../helpers/odoo19.ts';
import request from 'supertest';
import { ADMIN_PASSWORD, createUser, executeKw, makeApiKey, rpcTestApp, xmlrpc, type RpcTestApp } from '../helpers/rpc.ts';


describe('JSON-2 /json/2/<model>/<method>', () => {
  let t: RpcTestApp;
  let adminKey: string | undefined;
  before(async () => {
    t = await rpcTestApp();
    adminKey = await makeApiKey(t, 2, ADMIN_PASSWORD, 'json2 tests');
  });
  after(async () => t.close());

  const json2 = (path: string, body: unknown, key?: string, headers: Record<string, string> = {}) => {
    let r = request(t.app).post(path).set('Content-Type', 'application/json');
    if (key) r = r.set('Authorization', `bearer ${key}`);
    for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
    return r.send(typeof body === 'string' ? body : JSON.stringify(body));
  };

  it('no key: 401 with the Bearer challenge (capture json2-no-key.txt)', async () => {
    const expected = captureJson('json2-no-key.txt');
    const res = await json2('/json/2/res.partner/search_read', { domain: [], fields: ['name'], limit: 1 });
    expect(res.status).to.equal(401);
    // sent as werkzeug does ("Bearer " with a trailing space); HTTP parsers trim it on reading
    expect(res.headers['www-authenticate'].trim()).to.equal('Bearer');
    expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).to.deep.equal(expected);
  });

  it('an invalid key: 401 "Invalid apikey"', async () => {
    const res = await json2('/json/2/res.partner/search_read', { domain: [] }, '0123456789abcdef0123456789abcdef01234567');
    expect(res.status).to.equal(401);
    expect(res.headers['www-authenticate'].trim()).to.equal('Bearer');
    expect(res.body.message).to.equal('Invalid apikey');
    expect(res.body.arguments).to.deep.equal(['Invalid apikey', 401]);
  });

  it('other /json/2 paths: 404 with the hint', async () => {
    for (const [method, path] of [['get', '/json/2'], ['post', '/json/2/res.partner'], ['get', '/json/2/res.partner/search'], ['post', '/json/2/a/b/c']] as const) {
      const res = await request(t.app)[method](path);
      expect(res.status, `${method} ${path}`).to.equal(404);
      expect(res.body.name).to.equal('werkzeug.exceptions.NotFound');
      expect(res.body.message).to.equal('Did you mean POST /json/2/<model>/<method>?');
    }
  });

  it('bad bodies: 400 for unparseable JSON or a non-object, 415 for another content type', async () => {
    const bad = await json2('/json/2/res.partner/search', 'not json', adminKey);
    expect(bad.status).to.equal(400);
    expect(bad.body.name).to.equal('werkzeug.exceptions.BadRequest');
    expect(bad.body.message).to.match(/^could not parse the body as json: /);
    const nul = await json2('/json/2/res.partner/search', 'null', adminKey);
    expect(nul.status).to.equal(400);
    expect(nul.body.message).to.equal('could not parse the body, expecting a json object');
    const list = await json2('/json/2/res.partner/search', '[1, 2]', adminKey);
    expect(list.status).to.equal(400);
    expect(list.body.message).to.equal('could not parse the body, expecting a json object');
    const ctx = await json2('/json/2/res.partner/search', { domain: [], context: ['fr_FR'] }, adminKey);
    expect(ctx.status).to.equal(422);
    expect(ctx.body.message).to.equal('context must be a JSON object');
    const form = await request(t.app).post('/json/2/res.partner/search').set('Authorization', `bearer ${adminKey}`).type('form').send({ domain: '[]' });
    expect(form.status).to.equal(415);
  });

  it('a 10 MB body: 413 with a JSON body', async () => {
    const res = await json2('/json/2/res.partner/search', { domain: [], pad: 'x'.repeat(10 * 1024 * 1024) }, adminKey);
    expect(res.status).to.equal(413);
    expect(res.body.name).to.equal('werkzeug.exceptions.RequestEntityTooLarge');
  });

  describe('with an API key made over RPC', function () {
    before(function () {
      if (!adminKey) throw new Error('no API key could be made over RPC');
    });

    it('works as bearer on search_read, with named arguments', async () => {
      const res = await json2('/json/2/res.partner/search_read', { domain: [['id', '=', 3]], fields: ['name'] }, adminKey);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(res.body).to.deep.equal([{ id: 3, name: 'Administrator' }]);
      // the scheme is case-insensitive; a matching X-Odoo-Database is fine
      const again = await request(t.app).post('/json/2/res.partner/search_count').set('Content-Type', 'application/json')
        .set('Authorization', `Bearer ${adminKey}`).set('X-Odoo-Database', t.dbName).send('{"domain": []}');
      expect(again.status).to.equal(200);
      expect(again.body).to.be.a('number');
    });

    it('works as password on XML-RPC and JSON-RPC', async () => {
      expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', [t.dbName, 'admin', adminKey, {}])).value).to.equal(2);
      const res = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, 2, adminKey, 'res.partner', 'search', [[['id', '=', 3]]]]);
      expect(res.value).to.deep.equal([3]);
      expect((await executeKw(t, 'res.partner', 'search', [[['id', '=', 3]]], undefined, 2, adminKey)).result).to.deep.equal([3]);
    });

    it('statuses: 404 unknown model/method, 403 private, 422 ids on a model method or bad arguments, ids for record methods', async () => {
      const model = await json2('/json/2/no.such.model/search', {}, adminKey);
      expect(model.status).to.equal(404);
      expect(model.body.message).to.equal("the model 'no.such.model' does not exist");
      const method = await json2('/json/2/res.partner/nope', {}, adminKey);
      expect(method.status).to.equal(404);
      const priv = await json2('/json/2/res.partner/exists', { ids: [3] }, adminKey);
      expect(priv.status).to.equal(403);
      expect(priv.body.name).to.equal('odoo.exceptions.AccessError');
      const ids = await json2('/json/2/res.partner/create', { ids: [1], vals_list: [{ name: 'X' }] }, adminKey);
      expect(ids.status).to.equal(422);
      expect(ids.body.message).to.equal('cannot call res.partner.create with ids');
      const kw = await json2('/json/2/res.partner/search_count', { bogus_kwarg: 1 }, adminKey);
      expect(kw.status).to.equal(422);
      const created = await json2('/json/2/res.partner/create', { vals_list: [{ name: 'J2' }] }, adminKey);
      expect(created.status).to.equal(200);
      expect(created.body).to.be.an('array').with.length(1);
      const write = await json2('/json/2/res.partner/write', { ids: created.body, vals: { email: 'j2@example.com' } }, adminKey);
      expect(write.body).to.equal(true);
      const read = await json2('/json/2/res.partner/read', { ids: created.body, fields: ['email'], context: { lang: 'en_US' } }, adminKey);
      expect(read.body).to.deep.equal([{ id: created.body[0], email: 'j2@example.com' }]);
      const user = await json2('/json/2/res.partner.category/create', { vals_list: [{}] }, adminKey);
      expect(user.status).to.equal(422);
      expect(user.body.name).to.equal('odoo.exceptions.ValidationError');
    });

    it('an X-Odoo-Database naming another database: 404', async () => {
      const res = await json2('/json/2/res.partner/search', { domain: [] }, adminKey, { 'X-Odoo-Database': 'other' });
      expect(res.status).to.equal(404);
    });

    it('a revoked key and an expired key are refused', async () => {
      await createUser(t, 'keyuser', 'keyuser-pw');
      const uid = (await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', [t.dbName, 'keyuser', 'keyuser-pw', {}])).value as number;
      const revoked = (await makeApiKey(t, uid, 'keyuser-pw', 'to revoke'))!;
      const expiring = (await makeApiKey(t, uid, 'keyuser-pw', 'to expire'))!;
      expect((await json2('/json/2/res.partner/search_count', { domain: [] }, revoked)).status).to.equal(200);
      expect((await json2('/json/2/res.partner/search_count', { domain: [] }, expiring)).status).to.equal(200);
      // revoke through RPC, as the owner
      const keys = await executeKw(t, 'res.users.apikeys', 'search', [[['name', '=', 'to revoke']]], undefined, uid, 'keyuser-pw');
      const removed = await executeKw(t, 'res.users.apikeys', 'remove', [keys.result], undefined, uid, 'keyuser-pw');
      expect(removed.error).to.equal(undefined);
      const r1 = await json2('/json/2/res.partner/search_count', { domain: [] }, revoked);
      expect(r1.status).to.equal(401);
      expect(r1.body.message).to.equal('Invalid apikey');
      const x1 = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, uid, revoked, 'res.partner', 'search_count', [[]]]);
      expect(x1.fault?.faultCode).to.equal(3);
      // expire the other one (nobody can create an already expired key: move its date back)
      await t.env((env) => env.cr.execute("UPDATE res_users_apikeys SET expiration_date = (now() at time zone 'utc') - interval '1 hour' WHERE name = 'to expire'"));
      const r2 = await json2('/json/2/res.partner/search_count', { domain: [] }, expiring);
      expect(r2.status).to.equal(401);
      const x2 = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, uid, expiring, 'res.partner', 'search_count', [[]]]);
      expect(x2.fault?.faultCode).to.equal(3);
    });
  });
});

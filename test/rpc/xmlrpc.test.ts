import { expect } from 'chai';
import { parseCapture } from '../helpers/odoo19.ts';
import request from 'supertest';
import { ADMIN_PASSWORD, createUser, executeKw, rpcTestApp, xmlrpc, xmlrpcRaw, type RpcTestApp } from '../helpers/rpc.ts';


/** Request body and response body of a capture file (the DB name replaced by ours). */
function capture(name: string, dbName: string): { request: string; response: string } {
  const { request, response } = parseCapture(name);
  return { request: `${request}\n`.replace(/odoo19/g, dbName).replace('<string>admin</string>', `<string>${ADMIN_PASSWORD}</string>`), response };
}

describe('XML-RPC /xmlrpc/2 and /xmlrpc', () => {
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(async () => t.close());

  it('common.version answers the capture byte for byte', async () => {
    const c = capture('xmlrpc-common-version.txt', t.dbName);
    const res = await xmlrpcRaw(t.app, '/xmlrpc/2/common', c.request);
    expect(res.status).to.equal(200);
    expect(res.contentType).to.equal('text/xml; charset=utf-8');
    expect(res.text).to.equal(c.response);
  });

  it('authenticate returns the uid, false for a wrong password, and needs its 4th argument', async () => {
    expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', [t.dbName, 'admin', ADMIN_PASSWORD, {}])).value).to.equal(2);
    expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', [t.dbName, 'admin', 'nope', {}])).value).to.equal(false);
    const missing = await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', [t.dbName, 'admin', ADMIN_PASSWORD]);
    expect(missing.fault?.faultCode).to.equal(1);
    expect(missing.fault?.faultString).to.match(/TypeError: exp_authenticate\(\) missing 1 required positional argument: 'user_agent_env'\n$/);
    expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'login', [t.dbName, 'admin', ADMIN_PASSWORD])).value).to.equal(2);
  });

  it('authenticate on an unknown database is an error (fault 1), not false', async () => {
    const res = await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', ['no_such_db', 'admin', ADMIN_PASSWORD, {}]);
    expect(res.status).to.equal(200);
    expect(res.fault?.faultCode).to.equal(1);
    expect(res.fault?.faultString).to.match(/psycopg2\.OperationalError: .*database "no_such_db" does not exist\n$/);
  });

  it('about, set_loglevel and an unknown common method', async () => {
    expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'about', [])).value).to.equal('See http://openerp.com');
    expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'about', [true])).value).to.deep.equal(['See http://openerp.com', '19.0']);
    expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'set_loglevel', ['debug'])).value).to.equal(true);
    const res = await xmlrpc(t.app, '/xmlrpc/2/common', 'nope', []);
    expect(res.fault?.faultCode).to.equal(1);
    expect(res.fault?.faultString).to.match(/\nException: Method not found: nope\n$/);
  });

  it('wrong password: fault 3 "Access Denied" (capture)', async () => {
    const c = capture('xmlrpc-object-wrong-password.txt', t.dbName);
    const res = await xmlrpcRaw(t.app, '/xmlrpc/2/object', c.request);
    expect(res.text).to.equal(c.response);
    const empty = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, 2, '', 'res.partner', 'search', [[]]]);
    expect(empty.fault).to.deep.equal({ faultCode: 3, faultString: 'Access Denied' });
  });

  it('unknown model: fault 2 (capture)', async () => {
    const c = capture('xmlrpc-object-unknown-model.txt', t.dbName);
    expect((await xmlrpcRaw(t.app, '/xmlrpc/2/object', c.request)).text).to.equal(c.response);
  });

  it('private method and exists(): fault 4 (captures)', async () => {
    for (const name of ['xmlrpc-object-private-method.txt', 'xmlrpc-object-access-error-exists.txt']) {
      const c = capture(name, t.dbName);
      expect((await xmlrpcRaw(t.app, '/xmlrpc/2/object', c.request)).text).to.equal(c.response);
    }
  });

  it('bad order: fault 2 UserError (capture)', async () => {
    const c = capture('xmlrpc-object-user-error-order.txt', t.dbName);
    expect((await xmlrpcRaw(t.app, '/xmlrpc/2/object', c.request)).text).to.equal(c.response);
  });

  it('a None result: fault 1 "cannot marshal None" (capture)', async () => {
    const c = capture('xmlrpc-object-none-result.txt', t.dbName);
    expect((await xmlrpcRaw(t.app, '/xmlrpc/2/object', c.request)).text).to.equal(c.response);
  });

  it('read answers like the capture (missing ids dropped, false/0/[] values)', async () => {
    const c = capture('xmlrpc-object-read.txt', t.dbName);
    const res = await xmlrpcRaw(t.app, '/xmlrpc/2/object', c.request);
    expect(res.status).to.equal(200);
    const [rec] = res.value as Record<string, unknown>[];
    expect(Object.keys(rec!)).to.deep.equal(['id', 'name', 'country_id', 'category_id', 'create_date', 'color']);
    expect(rec).to.include({ id: 3, name: 'Administrator', country_id: false, color: 0 });
    expect(rec!.category_id).to.deep.equal([]);
    expect(rec!.create_date).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('unknown field: fault 1 ValueError; unknown method: fault 1 AttributeError', async () => {
    const field = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, 2, ADMIN_PASSWORD, 'res.partner', 'read', [[1], ['no_such_field']]]);
    expect(field.fault?.faultCode).to.equal(1);
    expect(field.fault?.faultString).to.equal("Traceback (most recent call last):\n  [server stack frames omitted]\nValueError: Invalid field 'no_such_field' on 'res.partner'\n");
    const method = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, 2, ADMIN_PASSWORD, 'res.partner', 'name_get', [[1]]]);
    expect(method.fault?.faultCode).to.equal(1);
    expect(method.fault?.faultString).to.match(/\nAttributeError: The method 'res.partner.name_get' does not exist\n$/);
  });

  it('any verb other than execute/execute_kw: NameError fault 1', async () => {
    const res = await xmlrpc(t.app, '/xmlrpc/2/object', 'exec_workflow', [t.dbName, 2, ADMIN_PASSWORD, 'res.partner', 'x', 1]);
    expect(res.fault?.faultCode).to.equal(1);
    expect(res.fault?.faultString).to.match(/\nNameError: Method not available exec_workflow\n$/);
  });

  it('execute (positional) and execute_kw with a string uid and "" for offset/limit/order/context', async () => {
    const ids = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute', [t.dbName, '2', ADMIN_PASSWORD, 'res.partner', 'search', [['id', '=', 3]]]);
    expect(ids.value).to.deep.equal([3]);
    // what node's xmlrpc sends for `undefined`: an empty <value/>, read as ""
    const body = `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params>
<param><value><string>${t.dbName}</string></value></param><param><value><string>2</string></value></param>
<param><value><string>${ADMIN_PASSWORD}</string></value></param><param><value><string>res.partner</string></value></param>
<param><value><string>search_read</string></value></param>
<param><value><array><data><value><array><data><value><array><data><value><string>id</string></value><value><string>=</string></value><value><int>3</int></value></data></array></value></data></array></value></data></array></value></param>
<param><value><struct><member><name>fields</name><value><array><data><value><string>name</string></value></data></array></value></member>
<member><name>offset</name><value/></member><member><name>limit</name><value/></member><member><name>order</name><value/></member><member><name>context</name><value/></member></struct></value></param>
</params></methodCall>`;
    const res = await xmlrpcRaw(t.app, '/xmlrpc/2/object', body);
    expect(res.fault).to.equal(undefined);
    expect(res.value).to.deep.equal([{ id: 3, name: 'Administrator' }]);
    const bad = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, 'abc', ADMIN_PASSWORD, 'res.partner', 'search', [[]]]);
    expect(bad.fault?.faultString).to.match(/\nValueError: invalid literal for int\(\) with base 10: 'abc'\n$/);
  });

  it('missing rights: AccessError fault 4 for a user without groups (once access rights exist)', async function () {
    // explicitly no groups at all (not even the default internal-user group)
    await createUser(t, 'nogroups', 'nogroups-pw', { group_ids: [[6, 0, []]] });
    const uid = (await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', [t.dbName, 'nogroups', 'nogroups-pw', {}])).value;
    expect(uid).to.be.a('number');
    if (!t.registry.accessChecker) throw new Error('no access-rights layer installed');
    const res = await xmlrpc(t.app, '/xmlrpc/2/object', 'execute_kw', [t.dbName, uid, 'nogroups-pw', 'res.partner', 'search_read', [[]], { fields: ['name'] }]);
    expect(res.fault?.faultCode).to.equal(4);
    const json = await executeKw(t, 'res.partner', 'create', [{ name: 'forbidden' }], undefined, uid, 'nogroups-pw');
    expect(json.error.data.name).to.equal('odoo.exceptions.AccessError');
  });

  it('malformed XML: the capture\'s fault 1 ExpatError', async () => {
    const c = capture('xmlrpc-malformed.txt', t.dbName);
    const res = await xmlrpcRaw(t.app, '/xmlrpc/2/object', c.request.replace(/\n$/, ''));
    expect(res.status).to.equal(200);
    expect(res.text).to.equal(c.response);
  });

  it('a DOCTYPE / entity bomb is refused with a fault, nothing expanded', async () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<methodCall><methodName>version</methodName><params><param><value><string>&lol3;</string></value></param></params></methodCall>`;
    const res = await xmlrpcRaw(t.app, '/xmlrpc/2/common', bomb);
    expect(res.status).to.equal(200);
    expect(res.fault?.faultCode).to.equal(1);
    expect(res.fault?.faultString).to.match(/ExpatError: DTDs and entity declarations are forbidden/);
  });

  it('a 10 MB body: fault 1 RequestEntityTooLarge at HTTP 200', async () => {
    const big = `<?xml version="1.0"?><methodCall><methodName>version</methodName><params><param><value><string>${'x'.repeat(10 * 1024 * 1024)}</string></value></param></params></methodCall>`;
    const res = await xmlrpcRaw(t.app, '/xmlrpc/2/common', big);
    expect(res.status).to.equal(200);
    expect(res.fault?.faultCode).to.equal(1);
    expect(res.fault?.faultString).to.equal(
      'Traceback (most recent call last):\n  [server stack frames omitted]\nwerkzeug.exceptions.RequestEntityTooLarge: 413 Request Entity Too Large: The data value transmitted exceeds the capacity limit.\n',
    );
  });

  it('legacy /xmlrpc/<service> puts a string in faultCode', async () => {
    const denied = await xmlrpc(t.app, '/xmlrpc/object', 'execute_kw', [t.dbName, 2, 'nope', 'res.partner', 'search', [[]]]);
    expect(denied.fault).to.deep.equal({ faultCode: 'AccessDenied', faultString: 'Access Denied' });
    const user = await xmlrpc(t.app, '/xmlrpc/object', 'execute_kw', [t.dbName, 2, ADMIN_PASSWORD, 'no.model', 'search', [[]]]);
    expect(user.fault).to.deep.equal({ faultCode: "warning -- UserError\n\nObject no.model doesn't exist", faultString: '' });
    expect((await xmlrpc(t.app, '/xmlrpc/common', 'version', [])).value).to.have.property('server_version', '19.0');
  });

  it('an unknown service is a KeyError; GET is 405', async () => {
    const res = await xmlrpc(t.app, '/xmlrpc/2/report', 'render_report', []);
    expect(res.fault?.faultCode).to.equal(1);
    expect(res.fault?.faultString).to.match(/\nKeyError: 'report'\n$/);
    const get = await request(t.app).get('/xmlrpc/2/common');
    expect(get.status).to.equal(405);
  });

  it('db service: list, db_exist, server_version, list_lang; management needs the master password', async () => {
    expect((await xmlrpc(t.app, '/xmlrpc/2/db', 'list', [])).value).to.deep.equal([t.dbName]);
    expect((await xmlrpc(t.app, '/xmlrpc/2/db', 'db_exist', [t.dbName])).value).to.equal(true);
    expect((await xmlrpc(t.app, '/xmlrpc/2/db', 'db_exist', ['other'])).value).to.equal(false);
    expect((await xmlrpc(t.app, '/xmlrpc/2/db', 'server_version', [])).value).to.equal('19.0');
    expect((await xmlrpc(t.app, '/xmlrpc/2/db', 'list_lang', [])).value).to.deep.equal([['en_US', 'English (US)']]);
    const wrong = await xmlrpc(t.app, '/xmlrpc/2/db', 'drop', ['wrong', t.dbName]);
    expect(wrong.fault).to.deep.equal({ faultCode: 3, faultString: 'Access Denied' });
    const drop = await xmlrpc(t.app, '/xmlrpc/2/db', 'drop', [ADMIN_PASSWORD, t.dbName]);
    expect(drop.fault?.faultCode).to.equal(2);
    expect(drop.fault?.faultString).to.match(/not supported/);
    const dump = await xmlrpc(t.app, '/xmlrpc/2/db', 'dump', [ADMIN_PASSWORD, t.dbName, 'zip']);
    expect(dump.fault?.faultCode).to.equal(2);
    const countries = (await xmlrpc(t.app, '/xmlrpc/2/db', 'list_countries', [ADMIN_PASSWORD])).value as string[][];
    expect(countries).to.deep.include(['BE', 'Belgium']);
    const unknown = await xmlrpc(t.app, '/xmlrpc/2/db', 'nope', []);
    expect(unknown.fault?.faultString).to.match(/\nKeyError: 'Method not found: nope'\n$/);
    // still usable afterwards
    expect((await xmlrpc(t.app, '/xmlrpc/2/common', 'authenticate', [t.dbName, 'admin', ADMIN_PASSWORD, {}])).value).to.equal(2);
  });
});

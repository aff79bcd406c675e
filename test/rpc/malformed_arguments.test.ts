// Regression tests for what the fuzz (test/rpc/fuzz.test.ts) found: malformed arguments answered
// with Odoo's (or Python's) exception and wording, never a JavaScript or PostgreSQL text.

import { expect } from 'chai';
import request from 'supertest';
import { ADMIN_PASSWORD, executeKw, jsonrpc, makeApiKey, rpcTestApp, type RpcTestApp } from '../helpers/rpc.ts';

describe('rpc: malformed arguments get Odoo-shaped errors', () => {
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(() => t.close());

  const error = async (model: unknown, method: unknown, args: unknown[], kwargs?: Record<string, unknown>, uid: unknown = 2) => {
    const body = await executeKw(t, model as string, method as string, args, kwargs, uid);
    expect(body.error, JSON.stringify(body.result)).to.exist;
    return { name: body.error.data.name as string, message: body.error.data.message as string };
  };

  it('check_access_rights with an unknown mode: Odoo\'s AssertionError', async () => {
    for (const mode of ['delete', ['read'], 7]) {
      expect(await error('res.partner', 'check_access_rights', [mode])).to.deep.equal({ name: 'builtins.AssertionError', message: 'Invalid access mode' });
    }
  });

  it('read_group groupby: a number is a TypeError, `name::anything` is refused with parse_read_group_spec\'s message', async () => {
    expect(await error('res.partner', 'read_group', [[], ['name'], 5])).to.deep.equal({ name: 'builtins.TypeError', message: "'int' object is not iterable" });
    expect(await error('res.partner', 'read_group', [[], ['name'], [5]])).to.deep.equal({ name: 'builtins.TypeError', message: "expected string or bytes-like object, got 'int'" });
    const spec = await error('res.partner', 'read_group', [[], ['name'], ['name::anything']]);
    expect(spec.name).to.equal('builtins.ValueError');
    expect(spec.message).to.match(/^Invalid aggregate\/groupby specification 'name::anything'\.\n- Valid aggregate specification looks like/);
    const agg = await error('res.partner', 'formatted_read_group', [[], ['name'], ['id:sum:x']]);
    expect(agg.message).to.match(/^Invalid aggregate\/groupby specification 'id:sum:x'/);
  });

  it('name_search with a dict domain: the Domain() TypeError', async () => {
    const e = await error('res.partner', 'name_search', ['a', { x: 1 }]);
    expect(e.name).to.equal('builtins.TypeError');
    expect(e.message).to.equal("Domain() invalid argument type for domain: {'x': 1}");
  });

  it('fields that are not field names: Python\'s errors, never "[object Object]"', async () => {
    expect(await error('res.partner', 'read', [[3], [{ a: 1 }]])).to.deep.equal({ name: 'builtins.TypeError', message: "unhashable type: 'dict'" });
    expect(await error('res.partner', 'read', [[3], { nope: 1 }])).to.deep.equal({ name: 'builtins.ValueError', message: "Invalid field 'nope' on 'res.partner'" });
    expect(await error('res.partner', 'read', [[3], 5])).to.deep.equal({ name: 'builtins.TypeError', message: "'int' object is not iterable" });
    expect(await error('res.partner', 'search_read', [[]], { order: ['name'] })).to.deep.equal({ name: 'builtins.TypeError', message: "expected string or bytes-like object, got 'list'" });
  });

  it('model and method that are not strings: what env.get() and get_public_method() raise', async () => {
    expect(await error(['res.partner'], 'search', [[]])).to.deep.equal({ name: 'builtins.TypeError', message: "unhashable type: 'list'" });
    expect(await error(5, 'search', [[]])).to.deep.equal({ name: 'odoo.exceptions.UserError', message: "Object 5 doesn't exist" });
    expect(await error('res.partner', { a: 1 }, [[]])).to.deep.equal({ name: 'builtins.AttributeError', message: "'dict' object has no attribute 'startswith'" });
  });

  it('limits and offsets: only non-negative ints (a nested list is not 1)', async () => {
    expect(await error('res.partner', 'search', [[]], { limit: [[1]] })).to.deep.equal({ name: 'builtins.ValueError', message: 'Invalid limit: [[1]]' });
    expect(await error('res.partner', 'search', [[]], { offset: -1 })).to.deep.equal({ name: 'builtins.ValueError', message: 'Invalid offset: -1' });
    const huge = await executeKw(t, 'res.partner', 'search', [[]], { limit: 1e21 });
    expect(huge.result).to.be.an('array');
  });

  it('ids beyond the id column: missing records (read) and no match (search), never a PostgreSQL range error', async () => {
    const e = await error('res.partner', 'read', [[2 ** 40], ['name']]);
    expect(e.name).to.equal('odoo.exceptions.MissingError');
    expect(e.message).to.match(/^Record does not exist or has been deleted\.\n\(Record: res\.partner\(1099511627776,\), User: 2\)$/);
    expect((await executeKw(t, 'res.partner', 'search', [[['id', 'in', [2 ** 40, 1e21]]]])).result).to.deep.equal([]);
    expect((await executeKw(t, 'res.partner', 'search_count', [[['id', '>', 1e300]]])).result).to.equal(0);
    expect((await executeKw(t, 'res.partner', 'search_count', [[['id', '<', 2.5]]])).result).to.be.a('number');
  });

  it('a uid of 2**40 is AccessDenied', async () => {
    expect(await error('res.partner', 'search', [[]], undefined, 2 ** 40)).to.deep.equal({ name: 'odoo.exceptions.AccessDenied', message: 'Access Denied' });
  });

  it('a NUL character in a value: psycopg2\'s ValueError, not the database\'s encoding error', async () => {
    expect(await error('res.partner', 'search', [[['name', '=', 'a\u0000b']]])).to.deep.equal({ name: 'builtins.ValueError', message: 'A string literal cannot contain NUL (0x00) characters.' });
    expect(await error('res.partner', 'create', [{ name: 'a\u0000b' }])).to.deep.equal({ name: 'builtins.ValueError', message: 'A string literal cannot contain NUL (0x00) characters.' });
  });

  it('create/write values that are not dicts, and name_create of a non-string, are TypeErrors', async () => {
    expect(await error('mailing.contact', 'create', [true])).to.deep.equal({ name: 'builtins.TypeError', message: 'create() values must be a dict, got True' });
    expect(await error('res.partner', 'write', [[3], ['name']])).to.deep.equal({ name: 'builtins.TypeError', message: "write() values must be a dict, got ['name']" });
    expect(await error('utm.campaign', 'name_create', [['a']])).to.deep.equal({ name: 'builtins.TypeError', message: "expected string or bytes-like object, got 'list'" });
  });

  it('copy of a record that does not exist: MissingError', async () => {
    for (const model of ['res.groups', 'res.users', 'mailing.list', 'res.partner']) {
      expect((await error(model, 'copy', [[999999]])).name, model).to.equal('odoo.exceptions.MissingError');
    }
  });

  it('an unknown time zone in the context falls back to UTC', async () => {
    const body = await executeKw(t, 'res.partner', 'read_group', [[], ['create_date'], ['create_date:day']], { context: { tz: "'; DROP" } });
    expect(body.error).to.equal(undefined);
    expect(body.result).to.be.an('array');
  });

  it('JSON-RPC: nesting deeper than 200 levels is a RecursionError; the id is echoed unless it is the deep part', async () => {
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    const params = await jsonrpc(t.app, 'object', 'execute_kw', [t.dbName, 2, ADMIN_PASSWORD, 'res.partner', 'search', [deep(1000)]], 'my-id');
    expect(params.id).to.equal('my-id');
    expect(params.error.data.name).to.equal('builtins.RecursionError');
    expect(params.error.data.message).to.equal('maximum recursion depth exceeded while decoding a JSON array from a unicode string');
    const body = `{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":${'['.repeat(10_000)}1${']'.repeat(10_000)}}`;
    const res = await request(t.app).post('/jsonrpc').set('Content-Type', 'application/json').send(body);
    expect(res.status).to.equal(200);
    const answer = JSON.parse(res.text);
    expect(answer.id).to.equal(null);
    expect(answer.error.data.name).to.equal('builtins.RecursionError');
  });

  it('XML-RPC: deep nesting is a RecursionError fault', async () => {
    const v = (n: number) => '<value><array><data>'.repeat(n) + '<value><int>1</int></value>' + '</data></array></value>'.repeat(n);
    const xml = `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params><param><value><string>${t.dbName}</string></value></param><param><value><int>2</int></value></param><param><value><string>${ADMIN_PASSWORD}</string></value></param><param><value><string>res.partner</string></value></param><param><value><string>search</string></value></param><param>${v(3000)}</param></params></methodCall>`;
    const res = await request(t.app).post('/xmlrpc/2/object').set('Content-Type', 'text/xml').send(xml);
    expect(res.status).to.equal(200);
    expect(res.text).to.include('RecursionError: maximum recursion depth exceeded');
  });

  it('JSON-2: an unparseable body is explained in Python\'s json wording', async () => {
    const key = await makeApiKey(t, 2, ADMIN_PASSWORD, 'malformed');
    const send = (body: string) => request(t.app).post('/json/2/res.partner/search').set('Content-Type', 'application/json').set('Authorization', `bearer ${key}`).send(body);
    const cases: [string, string][] = [
      ['not json', 'Expecting value: line 1 column 1 (char 0)'],
      ["{'a': 1}", 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
      ['{"domain": [] "limit": 1}', "Expecting ',' delimiter: line 1 column 15 (char 14)"],
      ['{"domain": []} x', 'Extra data: line 1 column 16 (char 15)'],
      ['['.repeat(5000) + ']'.repeat(5000), 'maximum recursion depth exceeded while decoding a JSON array from a unicode string'],
    ];
    for (const [body, message] of cases) {
      const res = await send(body);
      expect(res.status, body.slice(0, 20)).to.equal(400);
      expect(res.body.message).to.equal(`could not parse the body as json: ${message}`);
    }
  });
});

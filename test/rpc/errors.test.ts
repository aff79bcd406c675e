import { expect } from 'chai';
import { parseCapture } from '../helpers/odoo19.ts';
import {
  AccessDenied,
  AccessError,
  LockError,
  MissingError,
  NotFound,
  OdooError,
  PyAttributeError,
  PyKeyError,
  PyTypeError,
  PyValueError,
  RedirectWarning,
  SessionExpiredException,
  UserError,
  ValidationError,
} from '../../models/orm/exceptions.ts';
import {
  HttpException,
  json2BadJson,
  json2Unauthorized,
  jsonRpcInvalidJson,
  parseJsonRpcBody,
  toJson2Error,
  toJsonRpcError,
  toXmlRpcFault,
  unsupportedMediaType,
  werkzeugErrorPage,
} from '../../rpc/errors.ts';
import { serializeFault } from '../../rpc/xmlrpc_codec.ts';


const capture = parseCapture;

const capturedError = (name: string) =>
  (JSON.parse(capture(name).response) as { error: { code: number; message: string; data: Record<string, unknown> } }).error;

const TB = 'Traceback (most recent call last):\n  [server stack frames omitted]\n';
const PRIVATE = "Private methods (such as 'res.partner._private') cannot be called remotely.";
const ORDER = 'Invalid "order" specified (name; drop). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)';

describe('rpc/errors toXmlRpcFault (/xmlrpc/2)', () => {
  it('maps Odoo exceptions to the captured fault codes and strings', () => {
    const cases: [unknown, string][] = [
      [new AccessError(PRIVATE), 'xmlrpc-object-private-method.txt'],
      [new AccessError("Private methods (such as 'res.partner.exists') cannot be called remotely."), 'xmlrpc-object-access-error-exists.txt'],
      [new UserError("Object no.such.model doesn't exist"), 'xmlrpc-object-unknown-model.txt'],
      [new UserError(ORDER), 'xmlrpc-object-user-error-order.txt'],
      [new AccessDenied(), 'xmlrpc-object-wrong-password.txt'],
    ];
    for (const [err, file] of cases) {
      const { faultCode, faultString } = toXmlRpcFault(err);
      expect(serializeFault(faultCode, faultString)).to.equal(capture(file).response);
    }
  });

  it('uses Odoo order: RedirectWarning 2, AccessError 4, AccessDenied 3, UserError family 2, else 1', () => {
    expect(toXmlRpcFault(new RedirectWarning('go')).faultCode).to.equal(2);
    expect(toXmlRpcFault(new AccessError('no')).faultCode).to.equal(4);
    expect(toXmlRpcFault(new AccessDenied()).faultCode).to.equal(3);
    for (const E of [UserError, ValidationError, MissingError, LockError]) {
      expect(toXmlRpcFault(new E('m'))).to.deep.equal({ faultCode: 2, faultString: 'm' });
    }
    expect(toXmlRpcFault(new PyValueError("Invalid field 'x' on 'res.partner'"))).to.deep.equal({
      faultCode: 1,
      faultString: `${TB}ValueError: Invalid field 'x' on 'res.partner'\n`,
    });
    expect(toXmlRpcFault(new NotFound()).faultString).to.equal(
      `${TB}werkzeug.exceptions.NotFound: 404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.\n`,
    );
  });

  it('renders str(exc) like Python: KeyError repr, multi-arg tuple', () => {
    expect(toXmlRpcFault(new PyKeyError('foo')).faultString).to.equal(`${TB}KeyError: 'foo'\n`);
    expect(toXmlRpcFault(new RedirectWarning('Set a company', 42, 'Go', null)).faultString).to.equal("('Set a company', 42, 'Go', None)");
  });

  it('hides JS bugs behind a Python-like exception line and logs them', () => {
    const logged: unknown[] = [];
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const fault = toXmlRpcFault(bug, false, (e) => logged.push(e));
    expect(fault.faultCode).to.equal(1);
    expect(fault.faultString).to.equal(`${TB}TypeError: Cannot read properties of undefined (reading 'id')\n`);
    expect(fault.faultString).not.to.match(/\bat |\.ts|node_modules/);
    expect(logged).to.deep.equal([bug]);
    // Odoo exceptions are expected: not logged as bugs
    toXmlRpcFault(new UserError('x'), false, (e) => logged.push(e));
    expect(logged).to.have.length(1);
  });

  it('maps JS error classes and thrown non-errors to Python names', () => {
    const last = (err: unknown) => toXmlRpcFault(err).faultString.split('\n').at(-2);
    expect(last(new RangeError('bad'))).to.equal('ValueError: bad');
    expect(last(new SyntaxError('Unexpected token'))).to.equal('ValueError: Unexpected token');
    expect(last(new ReferenceError('x is not defined'))).to.equal('NameError: x is not defined');
    expect(last(new RangeError('Maximum call stack size exceeded'))).to.equal('RecursionError: Maximum call stack size exceeded');
    expect(last(new Error('boom'))).to.equal('Exception: boom');
    expect(last('a string')).to.equal('Exception: a string');
    const pg = Object.assign(new Error('duplicate key value violates unique constraint "x_uniq"'), { code: '23505', severity: 'ERROR' });
    expect(last(pg)).to.equal('psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "x_uniq"');
  });
});

describe('rpc/errors toXmlRpcFault (legacy /xmlrpc)', () => {
  it('puts Odoo string codes in faultCode', () => {
    expect(toXmlRpcFault(new RedirectWarning('r'), true)).to.deep.equal({ faultCode: 'warning -- Warning\n\nr', faultString: '' });
    expect(toXmlRpcFault(new MissingError('m'), true)).to.deep.equal({ faultCode: 'warning -- MissingError\n\nm', faultString: '' });
    expect(toXmlRpcFault(new AccessError('a'), true)).to.deep.equal({ faultCode: 'warning -- AccessError\n\na', faultString: '' });
    expect(toXmlRpcFault(new AccessDenied(), true)).to.deep.equal({ faultCode: 'AccessDenied', faultString: 'Access Denied' });
    expect(toXmlRpcFault(new UserError('u'), true)).to.deep.equal({ faultCode: 'warning -- UserError\n\nu', faultString: '' });
    expect(toXmlRpcFault(new ValidationError('v'), true)).to.deep.equal({ faultCode: 'warning -- UserError\n\nv', faultString: '' });
    expect(toXmlRpcFault(new PyValueError('bad'), true)).to.deep.equal({ faultCode: 'bad', faultString: `${TB}ValueError: bad\n` });
  });
});

describe('rpc/errors toJsonRpcError', () => {
  it('matches the captured error objects', () => {
    const cases: [OdooError, string][] = [
      [new AccessError(PRIVATE), 'jsonrpc-object-private-method.txt'],
      [new UserError("Object no.such.model doesn't exist"), 'jsonrpc-object-unknown-model.txt'],
      [new UserError(ORDER.replace('(name; drop)', '(name; drop table x)')), 'jsonrpc-object-bad-order.txt'],
      [new PyValueError("Invalid operator in condition ('name', 'bogus_op', 'x')"), 'jsonrpc-object-bad-domain.txt'],
      [new PyValueError("Invalid field 'no_such_field' on 'res.partner'"), 'jsonrpc-object-unknown-field.txt'],
      [new AccessDenied(), 'jsonrpc-object-wrong-password.txt'],
    ];
    for (const [err, file] of cases) {
      expect(toJsonRpcError(err), file).to.deep.equal(capturedError(file));
    }
  });

  it('keeps a multi-line message whole (the capture only kept the last debug line)', () => {
    const msg = capturedError('jsonrpc-object-required-missing.txt');
    const mine = toJsonRpcError(new ValidationError(msg.data.message as string));
    expect({ ...mine, data: { ...mine.data, debug: '' } }).to.deep.equal({ ...msg, data: { ...msg.data, debug: '' } });
    expect(mine.data.debug).to.equal(`${TB}odoo.exceptions.ValidationError: ${msg.data.message as string}`);
    expect(mine.data.debug.endsWith((msg.data.debug as string).split('\n').slice(-2).join('\n'))).to.equal(true);
  });

  it('uses code 404 for NotFound and 100 for an expired session', () => {
    const nf = toJsonRpcError(new NotFound());
    expect(nf.code).to.equal(404);
    expect(nf.message).to.equal('404: Not Found');
    expect(nf.data.name).to.equal('werkzeug.exceptions.NotFound');
    expect(nf.data.message).to.match(/^404 Not Found: The requested URL was not found/);
    expect(nf.data.arguments).to.deep.equal([]);
    const se = toJsonRpcError(new SessionExpiredException());
    expect(se).to.deep.include({ code: 100, message: 'Odoo Session Expired' });
    expect(se.data).to.deep.equal({
      name: 'odoo.http.SessionExpiredException',
      message: 'Session expired',
      arguments: ['Session expired'],
      context: {},
      debug: `${TB}odoo.http.SessionExpiredException: Session expired\n`,
    });
  });

  it('names builtins and unexpected JS errors, code 0, with context', () => {
    expect(toJsonRpcError(new PyKeyError('zz'))).to.deep.equal({
      code: 0,
      message: 'Odoo Server Error',
      data: { name: 'builtins.KeyError', message: 'zz', arguments: ['zz'], context: {}, debug: `${TB}KeyError: 'zz'\n` },
    });
    expect(toJsonRpcError(new PyTypeError('t')).data.name).to.equal('builtins.TypeError');
    expect(toJsonRpcError(new PyAttributeError('a')).data.name).to.equal('builtins.AttributeError');
    const logged: unknown[] = [];
    const bug = toJsonRpcError(new Error('kaput'), { lang: 'en_US' }, (e) => logged.push(e));
    expect(bug.data).to.deep.equal({
      name: 'builtins.Exception',
      message: 'kaput',
      arguments: ['kaput'],
      context: { lang: 'en_US' },
      debug: `${TB}Exception: kaput\n`,
    });
    expect(logged).to.have.length(1);
    const withCtx = new UserError('x');
    withCtx.context = { active_id: 3 };
    expect(toJsonRpcError(withCtx, { lang: 'fr_FR' }).data.context).to.deep.equal({ active_id: 3 });
  });

  it('joins multiple args in data.message (exception_to_unicode)', () => {
    const err = toJsonRpcError(new RedirectWarning('Set a company', 42, 'Go'));
    expect(err.data.message).to.equal('Set a company\n42\nGo');
    expect(err.data.arguments).to.deep.equal(['Set a company', 42, 'Go']);
  });
});

describe('rpc/errors JSON-RPC raw HTTP answers', () => {
  it('answers a non-JSON body with the captured 400', () => {
    const cap = capture('jsonrpc-malformed.txt');
    const res = parseJsonRpcBody(cap.request);
    expect(res.ok).to.equal(false);
    if (res.ok) return;
    expect(res.answer.status).to.equal(cap.status);
    expect(res.answer.headers).to.deep.equal(cap.headers);
    expect(res.answer.body).to.equal(cap.response.replace(/\n$/, ''));
    expect(parseJsonRpcBody('')).to.deep.equal({ ok: false, answer: jsonRpcInvalidJson() });
  });

  it('answers JSON that is not an object with "Invalid JSON-RPC data"', () => {
    for (const body of ['[1]', 'null', '"x"', '3']) {
      const res = parseJsonRpcBody(body);
      expect(res.ok).to.equal(false);
      if (!res.ok) expect(res.answer).to.deep.equal({ status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: 'Invalid JSON-RPC data' });
    }
    expect(parseJsonRpcBody(Buffer.from('{"jsonrpc":"2.0","params":{}}'))).to.deep.equal({ ok: true, request: { jsonrpc: '2.0', params: {} } });
  });

  it('answers a wrong Content-Type with the captured 415 page and Accept header', () => {
    const cap = capture('jsonrpc-wrong-content-type.txt');
    const res = unsupportedMediaType('/jsonrpc');
    expect(res.status).to.equal(415);
    expect(res.headers).to.deep.equal(cap.headers);
    expect(res.body).to.equal(cap.response);
    expect(unsupportedMediaType('/web/dataset/call_kw', 'jsonrpc', false).body).to.contain('[&#39;http&#39;, &#39;json2&#39;]');
    expect(unsupportedMediaType('/json/2/res.partner/search', 'json2').headers.Accept).to.equal('application/json');
  });

  it('renders werkzeug pages for other statuses', () => {
    const page = werkzeugErrorPage(404);
    expect(page.status).to.equal(404);
    expect(page.body).to.contain('<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL');
  });
});

describe('rpc/errors toJson2Error', () => {
  it('answers a missing key with the captured 401', () => {
    const cap = capture('json2-no-key.txt');
    const res = json2Unauthorized();
    expect(res.status).to.equal(401);
    expect(res.headers).to.deep.equal({ 'WWW-Authenticate': cap.headers['WWW-Authenticate'] });
    expect(res.body).to.deep.equal(JSON.parse(cap.response));
  });

  it('uses the JSON-2 status table', () => {
    const status = (err: unknown) => toJson2Error(err).status;
    expect(status(new AccessDenied())).to.equal(403);
    expect(status(new AccessError('a'))).to.equal(403);
    expect(status(new MissingError('m'))).to.equal(404);
    expect(status(new LockError('l'))).to.equal(409);
    expect(status(new UserError('u'))).to.equal(422);
    expect(status(new ValidationError('v'))).to.equal(422);
    expect(status(new SessionExpiredException())).to.equal(403);
    expect(status(new RedirectWarning('r'))).to.equal(500);
    expect(status(new PyValueError('v'))).to.equal(500);
    expect(status(new Error('bug'))).to.equal(500);
    expect(status(new NotFound("the model 'x' does not exist"))).to.equal(404);
    expect(status(new HttpException(422, 'cannot call res.partner.search with ids'))).to.equal(422);
  });

  it('serializes Odoo exceptions and werkzeug ones like Json2Dispatcher.handle_error', () => {
    expect(toJson2Error(new AccessDenied()).body).to.deep.equal({
      name: 'odoo.exceptions.AccessDenied',
      message: 'Access Denied',
      arguments: ['Access Denied'],
      context: {},
      debug: 'odoo.exceptions.AccessDenied: Access Denied\n',
    });
    expect(toJson2Error(new NotFound("the model 'x' does not exist"))).to.deep.equal({
      status: 404,
      headers: {},
      body: {
        name: 'werkzeug.exceptions.NotFound',
        message: "the model 'x' does not exist",
        arguments: ["the model 'x' does not exist", 404],
        context: {},
        debug: `${TB}werkzeug.exceptions.NotFound: 404 Not Found: the model 'x' does not exist\n`,
      },
    });
    const bad = json2BadJson('Expecting value: line 1 column 1 (char 0)');
    expect(bad.status).to.equal(400);
    expect(bad.body.name).to.equal('werkzeug.exceptions.BadRequest');
    expect(bad.body.message).to.equal('could not parse the body as json: Expecting value: line 1 column 1 (char 0)');
  });
});

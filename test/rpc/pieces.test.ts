// Unit tests of the protocol pieces that need no database: the session cookie, the deprecation notice,
// Python-like argument checks, and how the app answers errors raised outside the handlers.

import { expect } from 'chai';
import request from 'supertest';
import { requestSessionId, sessionCookie } from '../../rpc/session.ts';
import { DeprecationNotice } from '../../rpc/deprecation.ts';
import { checkArity, pyInt } from '../../rpc/services.ts';
import { createApp } from '../../server/app.ts';
import { Registry } from '../../models/orm/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { decodeXmlRpcResponse } from '../helpers/rpc.ts';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../server/log.ts';

describe('rpc pieces', () => {
  it('the cookie is session_id=<sid> first, 7 days, HttpOnly, Path=/', () => {
    const c = sessionCookie('abc', Date.UTC(2026, 0, 1));
    expect(c).to.equal('session_id=abc; Expires=Thu, 08 Jan 2026 00:00:00 GMT; Max-Age=604800; HttpOnly; Path=/');
    const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
    expect(requestSessionId(req({ cookie: 'a=1; session_id=xyz; b=2' }))).to.equal('xyz');
    expect(requestSessionId(req({ 'x-openerp-session-id': 'hdr' }))).to.equal('hdr');
    expect(requestSessionId(req({}))).to.equal(undefined);
  });

  it('the deprecation notice is logged once per client every 10 minutes', () => {
    const lines: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => lines.push(args) } as unknown as Logger;
    let now = 0;
    const notice = new DeprecationNotice(logger, 600_000, () => now);
    notice.warn('xmlrpc', '/xmlrpc/2/object', '1.2.3.4', 'Python-xmlrpc/3.11');
    notice.warn('xmlrpc', '/xmlrpc/2/object', '1.2.3.4', 'Python-xmlrpc/3.11');
    notice.warn('jsonrpc', '/jsonrpc', '1.2.3.4', 'Python-xmlrpc/3.11');
    notice.warn('xmlrpc', '/xmlrpc/2/object', '5.6.7.8', 'Python-xmlrpc/3.11');
    expect(lines).to.have.length(3);
    now = 600_001;
    notice.warn('xmlrpc', '/xmlrpc/2/object', '1.2.3.4', 'Python-xmlrpc/3.11');
    expect(lines).to.have.length(4);
    expect((lines[3]![0] as Record<string, unknown>).suppressedSinceLastNotice).to.equal(1);
    expect(String(lines[0]![1])).to.match(/deprecated in Odoo 19/);
  });

  it('Python int() and arity messages', () => {
    expect(pyInt('2')).to.equal(2);
    expect(pyInt(' 2 ')).to.equal(2);
    expect(pyInt(2.9)).to.equal(2);
    expect(pyInt(true)).to.equal(1);
    expect(() => pyInt('x')).to.throw("invalid literal for int() with base 10: 'x'");
    expect(() => pyInt(null)).to.throw("int() argument must be a string, a bytes-like object or a real number, not 'NoneType'");
    expect(() => checkArity('f', [], ['a', 'b'])).to.throw("f() missing 2 required positional arguments: 'a' and 'b'");
    expect(() => checkArity('f', [1, 2], ['a'])).to.throw('f() takes 1 positional argument but 2 were given');
    expect(() => checkArity('execute_kw', [1, 2, 3, 4, 5], ['obj', 'method', 'args'], ['kw'], 2)).to.throw('execute_kw() takes from 5 to 6 positional arguments but 7 were given');
  });

  describe('errors raised outside the handlers are answered in the route\'s protocol', () => {
    // a registry whose database cannot be reached (connection refused)
    const registry = new Registry('postgresql://nobody@127.0.0.1:1/none').connect(1);
    const app = createApp(registry, { dbName: 'db', adminPassword: 'x', maxBodySize: 1024 * 1024 }, testLogger());
    after(() => registry.close());

    it('XML-RPC: a bad %-escape in the URL is a fault at HTTP 200', async () => {
      const res = await request(app).post('/xmlrpc/2/%E0%A4%A').set('Content-Type', 'text/xml').send('<methodCall/>');
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('text/xml; charset=utf-8');
      const { fault } = decodeXmlRpcResponse(res.text);
      expect(fault?.faultCode).to.equal(1);
      expect(fault?.faultString).to.match(/werkzeug\.exceptions\.BadRequest: 400 Bad Request/);
    });

    it('JSON-2: the same is a 400 JSON body', async () => {
      const res = await request(app).post('/json/2/%E0%A4%A/search').set('Content-Type', 'application/json').send('{}');
      expect(res.status).to.equal(400);
      expect(res.body.name).to.equal('werkzeug.exceptions.BadRequest');
    });

    it('JSON-RPC routes that need no database: version_info, and 415 for a wrong content type', async () => {
      const v = await request(app).post('/web/webclient/version_info').set('Content-Type', 'application/json').send('{"jsonrpc":"2.0","method":"call","params":{},"id":5}');
      expect(v.body).to.deep.equal({ jsonrpc: '2.0', id: 5, result: { server_version: '19.0', server_version_info: [19, 0, 0, 'final', 0, ''], server_serie: '19.0', protocol_version: 1 } });
      const wrong = await request(app).post('/web/dataset/call_kw').set('Content-Type', 'text/plain').send('{}');
      expect(wrong.status).to.equal(415);
    });

    it('a database failure is an Odoo-shaped error, never a JS stack trace', async () => {
      const res = await request(app).post('/jsonrpc').set('Content-Type', 'application/json')
        .send(JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'common', method: 'authenticate', args: ['db', 'admin', 'pw', {}] }, id: 1 }));
      expect(res.status).to.equal(200);
      expect(res.body.error.code).to.equal(0);
      expect(res.body.error.message).to.equal('Odoo Server Error');
      expect(res.body.error.data.debug).to.match(/^Traceback \(most recent call last\):\n {2}\[server stack frames omitted\]\n/);
      expect(res.text).not.to.match(/\.ts:\d+/);
    });

    it('logout redirects to same-site paths only', async () => {
      const ok = await request(app).post('/web/session/logout?redirect=/web/login');
      expect(ok.status).to.equal(303);
      expect(ok.headers.location).to.equal('/web/login');
      const evil = await request(app).post('/web/session/logout?redirect=//evil.example');
      expect(evil.headers.location).to.equal('/odoo');
    });
  });
});

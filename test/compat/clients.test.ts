// Real, unmodified Odoo clients against the real server (createApp on an ephemeral port, fresh
// database): Python's xmlrpc.client running the official docs flow, OdooRPC (Debian's
// python3-odoorpc, run with /usr/bin/python3), and the npm clients odoo-await, odoo-xmlrpc and
// @fernandoslim/odoo-jsonrpc. Each client must complete its whole flow.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import OdooAwait from 'odoo-await';
import fernandoPkg from '@fernandoslim/odoo-jsonrpc';
import { liveServer, type LiveServer } from '../helpers/live_server.ts';
import { ADMIN_PASSWORD, makeApiKey } from '../helpers/rpc.ts';

const require = createRequire(import.meta.url);
// a CommonJS module whose class is its `default` export
const OdooJSONRpc = ((fernandoPkg as any).default ?? fernandoPkg) as typeof fernandoPkg.default;
const PYTHON = '/usr/bin/python3';
const HERE = fileURLToPath(new URL('.', import.meta.url));

function runPython(script: string, args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [HERE + script, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
      else {
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`${script} printed no JSON:\n${stdout}\n${stderr}`));
        }
      }
    });
  });
}

function pythonHas(module: string): Promise<boolean> {
  if (!existsSync(PYTHON)) return Promise.resolve(false);
  return new Promise((resolve) => execFile(PYTHON, ['-c', `import ${module}`], (err) => resolve(!err)));
}

describe('compatibility with real Odoo clients', function () {
  this.timeout(180_000);
  let s: LiveServer;
  before(async () => {
    s = await liveServer();
  });
  after(async () => s?.close());

  it('Python xmlrpc.client: the official external API docs flow', async function () {
    if (!existsSync(PYTHON)) {
      if (process.env.CI) throw new Error(`${PYTHON} is missing`);
      this.skip();
    }
    const out = await runPython('xmlrpc_docs_flow.py', [s.url, s.dbName, 'admin', ADMIN_PASSWORD]);
    expect(out.version).to.deep.equal({ server_version: '19.0', server_version_info: [19, 0, 0, 'final', 0, ''], server_serie: '19.0', protocol_version: 1 });
    expect(out.uid).to.equal(2);
    expect(out.can_read).to.equal(true);
    expect(out.search.length).to.be.at.least(3);
    expect(out.search_page).to.have.length(1);
    expect(out.search_count).to.equal(out.search.length);
    expect(out.read_all_fields).to.be.greaterThan(10);
    expect(out.read_fields[0]).to.have.all.keys('id', 'name', 'country_id', 'comment');
    expect(out.fields_get_name).to.deep.equal({ string: 'Name', type: 'char' });
    expect(out.search_read.length).to.be.at.most(5);
    expect(out.create).to.be.a('number');
    expect(out.create_list).to.be.an('array').with.length(1);
    expect(out.write).to.equal(true);
    expect(out.display_name).to.deep.equal([{ id: out.create, display_name: 'Newer partner' }]);
    expect(out.name_search).to.deep.include([out.create, 'Newer partner']);
    expect(out.unlink).to.equal(true);
    expect(out.after_unlink).to.deep.equal([]);
    expect(out.faults).to.deep.equal({
      wrong_password: [3, 'Access Denied'],
      unknown_model: [2, "Object no.such.model doesn't exist"],
      private_method: [4, "Private methods (such as 'res.partner._private') cannot be called remotely."],
      unknown_field: [1, "ValueError: Invalid field 'no_such_field' on 'res.partner'"],
      none_result: [1, 'TypeError: cannot marshal None unless allow_none is enabled'],
      too_large: [1, 'werkzeug.exceptions.RequestEntityTooLarge: 413 Request Entity Too Large: The data value transmitted exceeds the capacity limit.'],
    });
  });

  it('OdooRPC (python3-odoorpc): login, search, browse, write, relational reads', async function () {
    if (!(await pythonHas('odoorpc'))) {
      if (process.env.CI) throw new Error(`OdooRPC is not importable by ${PYTHON}: install python3-odoorpc`);
      console.log(`      (skipped: ${PYTHON} has no odoorpc module; apt-get install python3-odoorpc)`);
      this.skip();
    }
    const out = await runPython('odoorpc_flow.py', ['127.0.0.1', String(s.port), s.dbName, 'admin', ADMIN_PASSWORD]);
    expect(out.version).to.equal('19.0');
    expect(out.db_list).to.deep.equal([s.dbName]);
    expect(out.user_name).to.equal('Administrator');
    expect(out.context).to.deep.equal({ lang: 'en_US', tz: 'Europe/Brussels', uid: 2 });
    expect(out.has_partner_model).to.equal(true);
    expect(out.search).to.have.length(2);
    expect(out.browse_name).to.equal('OdooRPC Child');
    expect(out.parent_name).to.equal('OdooRPC Parent');
    expect(out.parent_country).to.equal('BE');
    expect(out.children).to.deep.equal(['OdooRPC Child']);
    expect(out.email_after_set).to.equal('changed@example.com');
    expect(out.function).to.equal('Tester');
    expect(out.companies).to.include('OdooRPC Parent');
    expect(out.error).to.equal("Invalid field 'no_such_field' on 'res.partner'");
    expect(out.after_unlink).to.deep.equal([]);
  });

  it('odoo-await: connect, create, read, update, searchRead with options, getFields, delete', async () => {
    const odoo = new OdooAwait({ baseUrl: 'http://127.0.0.1', port: s.port, db: s.dbName, username: 'admin', password: ADMIN_PASSWORD });
    expect(await odoo.connect()).to.equal(2);
    const id = await odoo.create('res.partner', { name: 'Await Partner', email: 'await@example.com', is_company: true });
    expect(id).to.be.a('number');
    const [rec] = await odoo.read<any>('res.partner', id, ['name', 'email']);
    expect(rec).to.deep.equal({ id, name: 'Await Partner', email: 'await@example.com' });
    const all = await odoo.read<any>('res.partner', [id]);
    expect(all[0].name).to.equal('Await Partner');
    expect(await odoo.update('res.partner', id, { email: 'new@example.com' })).to.equal(true);
    // unset options travel as empty <value/> ("") and must be accepted
    const rows = await odoo.searchRead<any>('res.partner', { is_company: true }, ['name', 'email'], { limit: 5 });
    expect(rows.find((r: any) => r.id === id)).to.deep.equal({ id, name: 'Await Partner', email: 'new@example.com' });
    const paged = await odoo.searchRead<any>('res.partner', [['is_company', '=', true]], ['name'], { offset: 0, limit: 1, order: 'name desc' });
    expect(paged).to.have.length(1);
    expect(await odoo.search('res.partner', { name: 'Await Partner' })).to.deep.equal([id]);
    const fieldsEmpty = await odoo.getFields('res.partner');
    expect(fieldsEmpty.name).to.deep.equal({}); // attributes: [] gives empty descriptions, as in Odoo
    const fields = await odoo.getFields('res.partner', ['type', 'string']);
    expect(fields.name).to.deep.equal({ type: 'char', string: 'Name' });
    expect(await odoo.delete('res.partner', id)).to.equal(true);
    expect(await odoo.search('res.partner', { name: 'Await Partner' })).to.deep.equal([]);
    const bad = new OdooAwait({ baseUrl: 'http://127.0.0.1', port: s.port, db: s.dbName, username: 'admin', password: 'wrong' });
    const refused = await bad.connect().then(() => undefined, (e: unknown) => e);
    // authenticate answered False (no uid) for the wrong password, which odoo-await reports so.
    expect(refused).to.equal('Error connecting to database. This is probably due to invalid credentials.');
  });

  it('odoo-xmlrpc: connect + execute_kw search_read/create/write/unlink', async () => {
    const Odoo = require('odoo-xmlrpc');
    const odoo = new Odoo({ url: 'http://127.0.0.1', port: s.port, db: s.dbName, username: 'admin', password: ADMIN_PASSWORD });
    const p = <T>(fn: (cb: (err: any, value: T) => void) => void): Promise<T> =>
      new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
    expect(await p((cb) => odoo.connect(cb))).to.equal(2);
    const id = await p<number>((cb) => odoo.execute_kw('res.partner', 'create', [[{ name: 'XmlRpc Partner' }]], cb));
    expect(id).to.be.a('number');
    expect(await p((cb) => odoo.execute_kw('res.partner', 'write', [[[id], { email: 'x@example.com' }]], cb))).to.equal(true);
    // its README's positional form: search_read [domain, fields, offset, limit]
    const rows = await p<any[]>((cb) => odoo.execute_kw('res.partner', 'search_read', [[[['id', '=', id]], ['name', 'email'], 0, 5]], cb));
    expect(rows).to.deep.equal([{ id, name: 'XmlRpc Partner', email: 'x@example.com' }]);
    expect(await p((cb) => odoo.execute_kw('res.partner', 'check_access_rights', [['read', false]], cb))).to.equal(true);
    expect(await p((cb) => odoo.execute_kw('res.partner', 'unlink', [[[id]]], cb))).to.equal(true);
    // exec_workflow no longer exists in Odoo: a fault 1, reported as an error
    const err = await p((cb) => odoo.exec_workflow('res.partner', 'x', [1], cb)).then(() => null, (e: any) => e);
    expect(err?.faultCode).to.equal(1);
  });

  it('@fernandoslim/odoo-jsonrpc: credentials mode (session cookie + call_kw)', async () => {
    const odoo = new OdooJSONRpc({ baseUrl: 'http://127.0.0.1', port: s.port, db: s.dbName, username: 'admin', password: ADMIN_PASSWORD });
    const auth: any = await odoo.connect();
    expect(auth.uid).to.equal(2);
    expect(auth.username).to.equal('admin');
    expect(odoo.sessionId).to.be.a('string').and.not.include('=');
    const id = await odoo.create('res.partner', { name: 'Fernando Partner' });
    expect(id).to.be.a('number');
    const [rec] = await odoo.read<any>('res.partner', id, ['name']);
    expect(rec).to.deep.equal({ id, name: 'Fernando Partner' });
    expect(await odoo.update('res.partner', id, { email: 'f@example.com' })).to.equal(true);
    const rows = await odoo.searchRead<any>('res.partner', [['id', '=', id]], ['name', 'email'], { limit: 3, order: 'name' });
    expect(rows).to.deep.equal([{ id, name: 'Fernando Partner', email: 'f@example.com' }]);
    expect(await odoo.search('res.partner', [['id', '=', id]])).to.deep.equal([id]);
    const fields = await odoo.getFields('res.partner');
    expect(fields.name.type).to.equal('char');
    expect(await odoo.delete('res.partner', id)).to.equal(true);
    let message = '';
    await odoo.call_kw('res.partner', 'read', [[1], ['no_such_field']]).catch((e: Error) => (message = e.message));
    expect(message).to.equal("Invalid field 'no_such_field' on 'res.partner'");
    // a session made elsewhere works too (session mode)
    const again = new OdooJSONRpc({ baseUrl: 'http://127.0.0.1', port: s.port, db: s.dbName, sessionId: odoo.sessionId });
    const info: any = await again.connect();
    expect(info.uid).to.equal(2);
  });

  it('@fernandoslim/odoo-jsonrpc: API-key mode (/jsonrpc)', async function () {
    const key = await makeApiKey(s, 2, ADMIN_PASSWORD, 'odoo-jsonrpc');
    if (!key) throw new Error('no API key could be made over RPC');
    const odoo = new OdooJSONRpc({ baseUrl: 'http://127.0.0.1', port: s.port, db: s.dbName, username: 'admin', apiKey: key });
    const auth: any = await odoo.connect();
    expect(auth).to.deep.equal({ uid: 2 });
    const id = await odoo.create('res.partner', { name: 'Key Partner' });
    const [rec] = await odoo.read<any>('res.partner', id, ['name']);
    expect(rec.name).to.equal('Key Partner');
    expect(await odoo.delete('res.partner', id)).to.equal(true);
  });
});

import { expect } from 'chai';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { makeTempDir } from '../helpers/db.ts';
import { registerImportCommands, runContactsImport, openCsv, guessDelimiter } from '../../server/cli/import.ts';
import { importContacts, importGaps, type ContactImportResult } from '../../models/mass_mailing/import_contacts.ts';
import { sql } from '../../models/orm/sql.ts';

describe('mass_mailing: import contacts (set-based, idempotent)', function () {
  this.timeout(30_000);
  let t: TestRegistry;
  let dir: string;
  let printed: string[];

  before(async () => {
    t = await testRegistry();
    dir = await makeTempDir('import-contacts');
  });
  after(async () => {
    await t.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function csv(name: string, lines: string[]): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, lines.join('\n') + '\n');
    return file;
  }
  async function run(file: string, list: string, opts: { country?: string; batchSize?: number } = {}): Promise<ContactImportResult> {
    printed = [];
    return runContactsImport(t.registry, file, { list, ...opts }, { progressStream: null, out: (l) => printed.push(l) });
  }
  async function counts(): Promise<{ contacts: number; subscriptions: number }> {
    return t.env(async (env) => (await env.cr.query<{ contacts: number; subscriptions: number }>(sql`
      SELECT (SELECT count(*) FROM mailing_contact)::int AS contacts, (SELECT count(*) FROM mailing_subscription)::int AS subscriptions`))[0]);
  }

  const MAIN = [
    'Name,Mobile,E-mail,Country,First Name,Last Name,Company Name,Tags', // 1
    'Alice,+32 470 12 34 56,alice@example.com,BE,,,,"vip, news"', // 2  new
    ',06 12 34 56 78,,France,Bob,Martin,ACME,', // 3  new, name from first/last, French number
    'Carol,12345,,,,,,', // 4  flagged (kept as typed)
    'Dave,,,,,,,', // 5  skipped: nothing to reach him
    'Eve,+32470000001,eve@example.com,BE,,,,,extra', // 6  skipped: shifted columns
    'Frank,,FRANK@Example.com,,,,,', // 7  new, email only
    '"Gina ""G""",0470 55 66 77,,,,,,', // 8  new, national number read in --country BE
    'Hank,"+32 470 99 88 77,,,,,,', // 9  skipped: quote never closed
    'Ivy,+32 470 11 11 11,,Atlantis,,,,', // 10 new, unknown country reported
    'Alice B,+32470123456,,,,,,news', // 11 same number as line 2: updated
    '', // 12 blank: ignored
    'Jo,not a number,jo@example.com,,,,,', // 13 new, flagged, identified by email
    ',,nobody,,,,,', // 14 skipped: no number and an invalid email
  ];

  it('registers `import contacts` and `import blacklist`', () => {
    const program = new Command();
    registerImportCommands(program);
    const imp = program.commands.find((c) => c.name() === 'import')!;
    expect(imp.commands.map((c) => c.name())).to.deep.equal(['contacts', 'blacklist']);
    expect(imp.commands[0].options.map((o) => o.long)).to.deep.equal(['--list', '--country', '--batch', '--delimiter', '--no-progress']);
  });

  it('fills every column and stored computed field of contacts and subscriptions (no unknown ones)', () => {
    expect(importGaps(t.registry)).to.deep.equal([]);
  });

  it('imports valid rows, keeps unparseable numbers as typed, skips and reports the others by line', async () => {
    const before = await counts();
    const r = await run(await csv('main.csv', MAIN), 'Customers', { country: 'BE' });
    expect(r).to.include({ listCreated: true, rows: 12, created: 7, updated: 1, repeated: 1, flagged: 2, skipped: 4, subscribed: 7, alreadySubscribed: 0, unknownCountries: 1 });
    expect(r.skippedRows.map((s) => s.line)).to.deep.equal([5, 6, 9, 14]);
    expect(r.skippedRows[0].reason).to.equal('no mobile and no email');
    expect(r.skippedRows[1].reason).to.match(/9 fields where the header has 8/);
    expect(r.skippedRows[2].reason).to.match(/quoted field never closed/);
    expect(r.skippedRows[3].reason).to.match(/invalid email "nobody"/);
    expect(r.unknownCountryLines).to.deep.equal([10]);
    expect(await counts()).to.deep.equal({ contacts: before.contacts + 7, subscriptions: before.subscriptions + 7 });
    expect(printed.join('\n')).to.match(/imported \(new\)\s+7/).and.match(/line 9: malformed CSV/).and.match(/flagged numbers\s+2/);

    const rows = await t.call('mailing.contact', 'search_read', [[['list_ids', 'in', [r.listId]]], ['name', 'first_name', 'last_name', 'company_name', 'mobile', 'phone_sanitized', 'email', 'email_normalized', 'country_id', 'tag_ids']], { order: 'id' });
    const by = (name: string) => rows.find((c: any) => c.name === name);
    expect(by('Alice B')).to.deep.include({ mobile: '+32470123456', phone_sanitized: '+32470123456', email: 'alice@example.com', email_normalized: 'alice@example.com' });
    expect(by('Alice B').country_id[1]).to.equal('Belgium');
    expect(by('Alice B').tag_ids).to.have.length(2);
    expect(by('Bob Martin')).to.deep.include({ first_name: 'Bob', last_name: 'Martin', company_name: 'ACME', mobile: '06 12 34 56 78', phone_sanitized: '+33612345678' });
    expect(by('Bob Martin').country_id[1]).to.equal('France');
    expect(by('Carol')).to.deep.include({ mobile: '12345', phone_sanitized: false });
    expect(by('Frank')).to.deep.include({ email: 'FRANK@Example.com', email_normalized: 'frank@example.com', mobile: false });
    expect(by('Gina "G"')).to.deep.include({ phone_sanitized: '+32470556677' });
    expect(by('Ivy')).to.deep.include({ phone_sanitized: '+32470111111' });
    expect(by('Jo')).to.deep.include({ mobile: 'not a number', phone_sanitized: false, email_normalized: 'jo@example.com' });
    const tags = await t.call('res.partner.category', 'search_read', [[['id', 'in', by('Alice B').tag_ids]], ['name']]);
    expect(tags.map((x: any) => x.name).sort()).to.deep.equal(['news', 'vip']);

    const [list] = await t.call('mailing.list', 'read', [[r.listId], ['contact_count', 'contact_count_sms', 'contact_count_email']]);
    expect(list).to.include({ contact_count: 7, contact_count_sms: 4, contact_count_email: 3 });
  });

  it('stores phone_sanitized, email_normalized and name as the ORM computes them', async () => {
    await t.env(async (env) => {
      const [list] = (await env.model('mailing.list').search([['name', '=', 'Customers']])).ids;
      const contacts = await env.model('mailing.contact').search([['list_ids', 'in', [list]]]);
      expect(contacts.length).to.equal(7);
      const stored = new Map((await contacts.fetch(['phone_sanitized', 'email_normalized', 'name'])).map((c) => [c.id as number, c]));
      for (const method of ['_compute_phone_sanitized', '_compute_email_normalized', '_compute_name']) {
        const computed = (await contacts.call(method)) as Map<number, Record<string, unknown>>;
        for (const [id, vals] of computed) {
          for (const [f, v] of Object.entries(vals)) expect(stored.get(id)![f] || false, `${f} of #${id}`).to.equal(v || false);
        }
      }
    });
  });

  it('re-running the file creates nothing and subscribes nobody twice', async () => {
    const before = await counts();
    const r = await run(path.join(dir, 'main.csv'), 'Customers', { country: 'BE' });
    expect(r).to.include({ listCreated: false, rows: 12, created: 0, updated: 8, changed: 0, flagged: 2, skipped: 4, subscribed: 0, alreadySubscribed: 7 });
    expect(await counts()).to.deep.equal(before);
    expect(printed.join('\n')).to.match(/imported \(new\)\s+0\n\s+updated \(existing\)\s+8/);
  });

  it('gives the same contacts whatever the batch size (rows match contacts of earlier batches)', async () => {
    const before = await counts();
    const r = await run(path.join(dir, 'main.csv'), 'Small batches', { country: 'BE', batchSize: 2 });
    // lines 2 and 11 (same number) now fall in different batches: the contact is rewritten twice
    expect(r).to.include({ listCreated: true, created: 0, updated: 8, changed: 2, subscribed: 7, skipped: 4 });
    expect((await counts()).contacts).to.equal(before.contacts);
    expect(await t.call('mailing.contact', 'search_count', [[['name', '=', 'Alice B'], ['phone_sanitized', '=', '+32470123456']]])).to.equal(1);
  });

  it('matches existing contacts by number, then email; keeps opt-outs, valid numbers and countries', async () => {
    const [fr] = await t.call('res.country', 'search', [[['code', '=', 'FR']]]);
    const listId = await t.call('mailing.list', 'create', [{ name: 'Existing' }]);
    const xavier = await t.call('mailing.contact', 'create', [{ name: 'Xavier', email: 'x@example.com' }]);
    const yves = await t.call('mailing.contact', 'create', [{ name: 'Yves', mobile: '06 12 34 56 79', country_id: fr }]);
    const walt = await t.call('mailing.contact', 'create', [{ name: 'Walt', email: 'w@example.com', mobile: '+32 470 33 33 33' }]);
    await t.call('mailing.subscription', 'create', [{ contact_id: xavier, list_id: listId, opt_out: true }]);
    const before = await counts();
    const r = await run(await csv('existing.csv', [
      'name,mobile,email',
      'Xavier New,+32 470 22 22 22,X@Example.com', // phone-less contact with this email: gets the number
      'Yves,+33 6 12 34 56 79,', // same number (French contact): keeps France
      'Walt,n/a,w@example.com', // flagged number does not replace a valid one
      'Xena,+32 470 22 22 23,x@example.com', // another number sharing the email: a new contact
    ]), 'Existing', { country: 'BE' });
    expect(r).to.include({ created: 1, updated: 3, subscribed: 3, alreadySubscribed: 1, optedOutKept: 1, flagged: 1 });
    expect(await counts()).to.deep.equal({ contacts: before.contacts + 1, subscriptions: before.subscriptions + 3 });
    const [x, y, w] = await t.call('mailing.contact', 'read', [[xavier, yves, walt], ['name', 'mobile', 'phone_sanitized', 'country_id']]);
    expect(x).to.deep.include({ name: 'Xavier New', mobile: '+32 470 22 22 22', phone_sanitized: '+32470222222' });
    expect(y).to.deep.include({ mobile: '+33 6 12 34 56 79', phone_sanitized: '+33612345679' });
    expect(y.country_id[0]).to.equal(fr);
    expect(w).to.deep.include({ mobile: '+32 470 33 33 33', phone_sanitized: '+32470333333' });
    const subs = await t.call('mailing.subscription', 'search_read', [[['list_id', '=', listId], ['contact_id', '=', xavier]], ['opt_out']]);
    expect(subs).to.have.length(1);
    expect(subs[0].opt_out).to.equal(true);
  });

  it('an import stopped mid-file keeps whole batches; re-running completes it', async () => {
    const lines = ['name,mobile'];
    for (let i = 0; i < 10; i++) lines.push(`Crash ${i},+32 471 00 00 ${String(i).padStart(2, '0')}`);
    const file = await csv('crash.csv', lines);
    const source = await openCsv(file);
    const before = await counts();
    try {
      await importContacts(t.registry, source.records, { list: 'Crash', batchSize: 3, onProgress: () => { throw new Error('killed'); } });
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal('killed');
    }
    expect(await counts()).to.deep.equal({ contacts: before.contacts + 3, subscriptions: before.subscriptions + 3 });
    const r = await run(file, 'Crash', { batchSize: 3 });
    expect(r).to.include({ created: 7, updated: 3, subscribed: 7, alreadySubscribed: 3 });
    expect(await counts()).to.deep.equal({ contacts: before.contacts + 10, subscriptions: before.subscriptions + 10 });
  });

  it('writes no chatter for imported contacts (bulk import, like tracking_disable)', async () => {
    const [{ contacts, messages }] = await t.env((env) => env.cr.query<{ contacts: number; messages: number }>(sql`
      SELECT count(DISTINCT s.contact_id)::int AS contacts, count(m.id)::int AS messages
        FROM mailing_subscription s JOIN mailing_list l ON l.id = s.list_id
        LEFT JOIN mail_message m ON m.model = 'mailing.contact' AND m.res_id = s.contact_id
       WHERE l.name IN ('Customers', 'Crash')`));
    expect(contacts).to.equal(17);
    expect(messages).to.equal(0);
  });

  it('refuses a file that cannot identify contacts, and an unknown --country', async () => {
    const noKey = await csv('nokey.csv', ['name,company', 'A,B']);
    try {
      await run(noKey, 'Nope');
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.match(/No mobile, phone or email column/);
    }
    const ok = await csv('ok.csv', ['name,mobile', 'A,+32470000009']);
    try {
      await run(ok, 'Nope', { country: 'Narnia' });
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.match(/Unknown country "Narnia"/);
    }
  });

  it('reads semicolon files with a BOM and CRLF line ends, records spanning lines keep their line number', async () => {
    expect(guessDelimiter('name;mobile;email')).to.equal(';');
    expect(guessDelimiter('"a,b";c;d')).to.equal(';');
    const file = path.join(dir, 'semi.csv');
    await fs.writeFile(file, '\ufeffname;mobile\r\n"Multi\r\nline";+32470000010\r\nNext;+32470000011\r\n');
    const seen: unknown[] = [];
    for await (const rec of (await openCsv(file)).records) seen.push(rec);
    expect(seen).to.deep.equal([
      { line: 1, cells: ['name', 'mobile'] },
      { line: 2, cells: ['Multi\r\nline', '+32470000010'] },
      { line: 4, cells: ['Next', '+32470000011'] },
    ]);
  });
});

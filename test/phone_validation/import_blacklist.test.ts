import { expect } from 'chai';
import fs from 'node:fs/promises';
import path from 'node:path';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { makeTempDir } from '../helpers/db.ts';
import { runBlacklistImport } from '../../server/cli/import.ts';
import type { BlacklistImportResult } from '../../models/phone_validation/import_blacklist.ts';
import { sql } from '../../models/orm/sql.ts';

describe('phone_validation: import blacklist', function () {
  this.timeout(30_000);
  let t: TestRegistry;
  let dir: string;
  let file: string;
  let printed: string[];

  before(async () => {
    t = await testRegistry();
    dir = await makeTempDir('import-blacklist');
    file = path.join(dir, 'blacklist.csv');
    await fs.writeFile(file, [
      'Number,Reason', // 1
      '+32 470 00 00 01,came back', // 2  archived entry: re-activated
      '+32470000002,', // 3  already blacklisted
      '0470 00 00 03,asked by phone', // 4  new (read in --country BE)
      '+32 470 00 00 03,again', // 5  same number as line 4: one entry
      '12345,typo', // 6  skipped: not a valid number
      ',', // 7  blank: ignored
      '+33 6 12 34 56 78', // 8  new, fewer fields than the header is fine
      ',no number', // 9  skipped
    ].join('\n') + '\n');
  });
  after(async () => {
    await t.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function run(): Promise<BlacklistImportResult> {
    printed = [];
    return runBlacklistImport(t.registry, file, { country: 'BE' }, { progressStream: null, out: (l) => printed.push(l) });
  }

  it('adds valid numbers in E.164, re-activates archived ones, collapses duplicates, reports invalid lines', async () => {
    const [archived] = await t.call('phone.blacklist', 'create', [[{ number: '+32470000001' }]]);
    await t.call('phone.blacklist', 'write', [[archived], { active: false }]);
    await t.call('phone.blacklist', 'create', [[{ number: '+32470000002' }]]);

    const r = await run();
    expect(r).to.include({ rows: 7, added: 2, reactivated: 1, alreadyBlacklisted: 1, duplicates: 1, skipped: 2, country: 'BE' });
    expect(r.skippedRows).to.deep.equal([{ line: 6, reason: 'invalid number "12345"' }, { line: 9, reason: 'no number' }]);
    expect(printed.join('\n')).to.match(/added \(new\)\s+2/).and.match(/line 6: invalid number "12345"/);

    const entries = await t.call('phone.blacklist', 'search_read', [[], ['number', 'active']], { context: { active_test: false }, order: 'number' });
    expect(entries.map((e: any) => [e.number, e.active])).to.deep.equal([
      ['+32470000001', true], ['+32470000002', true], ['+32470000003', true], ['+33612345678', true],
    ]);

    // chatter as the ORM writes it: creation log + reason note, tracking of the re-activation
    const messages = await t.env((env) => env.cr.query<{ number: string; body: string; field_name: string | null; old: number | null; new: number | null }>(sql`
      SELECT b.number, m.body, v.field_name, v.old_value_integer AS old, v.new_value_integer AS new
        FROM mail_message m JOIN phone_blacklist b ON m.model = 'phone.blacklist' AND m.res_id = b.id
        LEFT JOIN mail_tracking_value v ON v.mail_message_id = m.id
       WHERE b.number IN ('+32470000001', '+32470000003') AND m.create_date >= (SELECT max(create_date) FROM phone_blacklist WHERE number = '+32470000003')
       ORDER BY m.id`));
    expect(messages).to.deep.equal([
      { number: '+32470000003', body: '<p>Phone Blacklist created</p>', field_name: null, old: null, new: null },
      { number: '+32470000003', body: '<p>asked by phone</p>', field_name: null, old: null, new: null },
      { number: '+32470000001', body: '<p>came back</p>', field_name: 'active', old: 0, new: 1 },
    ]);
  });

  it('re-running the file changes nothing', async () => {
    const before = await t.env((env) => env.cr.query(sql`SELECT (SELECT count(*) FROM phone_blacklist)::int AS n, (SELECT count(*) FROM mail_message)::int AS m`));
    const r = await run();
    expect(r).to.include({ added: 0, reactivated: 0, alreadyBlacklisted: 4, duplicates: 1, skipped: 2 });
    expect(await t.env((env) => env.cr.query(sql`SELECT (SELECT count(*) FROM phone_blacklist)::int AS n, (SELECT count(*) FROM mail_message)::int AS m`))).to.deep.equal(before);
  });
});

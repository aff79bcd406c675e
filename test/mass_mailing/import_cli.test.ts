import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { makeTempDir } from '../helpers/db.ts';
import { runContactsImport } from '../../server/cli/import.ts';
import { sql } from '../../models/orm/sql.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROWS = 100_000;

interface Expected {
  skipped: number;
  flagged: number;
  emailOnly: number;
}

/** 100k contacts: 1% unparseable numbers, some email-only rows, a few rows that cannot be imported. */
async function writeCsv(file: string): Promise<Expected> {
  const out = fs.createWriteStream(file);
  const exp: Expected = { skipped: 0, flagged: 0, emailOnly: 0 };
  let buf = 'name,mobile,email,country\n';
  for (let i = 1; i <= ROWS; i++) {
    const email = i % 3 === 0 ? `contact${i}@example.com` : '';
    let line: string;
    if (i === 7777) {
      line = `Contact ${i},"+32 47${String(i).padStart(7, '0')},,`; // quote never closed
      exp.skipped++;
    } else if (i % 20_000 === 19) {
      line = `Contact ${i},+32 47${String(i).padStart(7, '0')},${email},BE,shifted`;
      exp.skipped++;
    } else if (i % 5000 === 17) {
      line = `Contact ${i},,,`;
      exp.skipped++;
    } else if (i % 1000 === 13) {
      line = `Contact ${i},,contact${i}@example.com,`;
      exp.emailOnly++;
    } else if (i % 100 === 7) {
      line = `Contact ${i},n/a ${i},${email},${i % 10 === 0 ? 'BE' : ''}`;
      exp.flagged++;
    } else {
      line = `Contact ${i},+32 47${String(i).padStart(7, '0')},${email},${i % 10 === 0 ? 'Belgium' : ''}`;
    }
    buf += line + '\n';
    if (buf.length > 65536) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return exp;
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'server/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const num = (text: string, label: RegExp) => Number(label.exec(text)?.[1] ?? NaN);

describe('cli: import contacts of a 100k-line CSV', function () {
  this.timeout(120_000);
  let t: TestRegistry;
  let dir: string;
  let file: string;
  let exp: Expected;

  before(async () => {
    t = await testRegistry();
    dir = await makeTempDir('import-cli');
    file = path.join(dir, 'contacts.csv');
    exp = await writeCsv(file);
  });
  after(async () => {
    await t.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  async function counts(): Promise<{ contacts: number; subscriptions: number }> {
    return t.env(async (env) => (await env.cr.query<{ contacts: number; subscriptions: number }>(sql`
      SELECT (SELECT count(*) FROM mailing_contact)::int AS contacts, (SELECT count(*) FROM mailing_subscription)::int AS subscriptions`))[0]);
  }

  it('`npx tsx server/cli.ts import contacts` imports it with a progress bar and a correct summary; re-running is idempotent', async () => {
    const imported = ROWS - exp.skipped;
    const before = await counts();
    const res = await runCli(['import', 'contacts', file, '--list', 'Big list', '--batch', '10000'], { DATABASE_URL: t.db.connectionString, DB_NAME: t.db.name });
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stderr).to.match(/Importing contacts \|.*\| 100% \| [\d.]+\/[\d.]+ MiB \| \d+ rows \| \d+ rows\/s/);
    expect(res.stdout).to.contain('Imported ' + file + ' into mailing list "Big list" (#');
    expect(num(res.stdout, /rows read\s+(\d+)/)).to.equal(ROWS);
    expect(num(res.stdout, /imported \(new\)\s+(\d+)/)).to.equal(imported);
    expect(num(res.stdout, /updated \(existing\)\s+(\d+)/)).to.equal(0);
    expect(num(res.stdout, /flagged numbers\s+(\d+)/)).to.equal(exp.flagged);
    expect(num(res.stdout, /skipped rows\s+(\d+)/)).to.equal(exp.skipped);
    expect(res.stdout).to.contain('line 7778: malformed CSV: quoted field never closed');
    expect(res.stdout).to.contain('line 18: no mobile and no email');
    expect(res.stdout).to.match(/line 20: 5 fields where the header has 4/);
    expect(res.stdout).to.match(/\.\.\. and \d+ more/);
    expect(await counts()).to.deep.equal({ contacts: before.contacts + imported, subscriptions: before.subscriptions + imported });

    const [listId] = await t.call('mailing.list', 'search', [[['name', '=', 'Big list']]]);
    const read = async () => (await t.call('mailing.list', 'read', [[listId], ['contact_count', 'contact_count_sms', 'contact_count_email']]))[0];
    const first = await read();
    expect(first).to.include({ contact_count: imported, contact_count_sms: imported - exp.flagged - exp.emailOnly });

    // the same file again (through the same code as the command): nothing new
    const again = await runContactsImport(t.registry, file, { list: 'Big list' }, { progressStream: null, out: () => undefined });
    expect(again).to.include({ rows: ROWS, created: 0, updated: imported, changed: 0, flagged: exp.flagged, skipped: exp.skipped, subscribed: 0, alreadySubscribed: imported });
    expect(await counts()).to.deep.equal({ contacts: before.contacts + imported, subscriptions: before.subscriptions + imported });
    expect(await read()).to.deep.equal(first);
  });
});

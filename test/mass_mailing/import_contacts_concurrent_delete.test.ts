// The contact import keeps every foreign key checked (no superuser shortcut) and works for a role
// with only LOGIN CREATEDB; its list deleted during the import stops it with a clear message and
// leaves no reference dangling.

import { expect } from 'chai';
import pg from 'pg';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { danglingReferences, lockWaiter } from '../helpers/integrity.ts';
import { importContacts } from '../../models/mass_mailing/import_contacts.ts';
import type { ImportRecord } from '../../models/tools/csv_import.ts';
import { sql } from '../../models/orm/sql.ts';

for (const role of ['superuser', 'createdb'] as const) {
  describe(`mass_mailing: import contacts with a list deleted meanwhile (${role})`, function () {
    this.timeout(120_000);
    let t: TestRegistry;
    before(async () => {
      t = await testRegistry({ role });
    });
    after(async () => t?.close());

    async function* rows(n: number, prefix: string, first?: () => Promise<void>): AsyncIterable<ImportRecord> {
      await first?.();
      yield { line: 1, cells: ['name', 'mobile'] };
      for (let i = 0; i < n; i++) yield { line: i + 2, cells: [`${prefix} ${i}`, `+32 478 ${String(100000 + i)}`] };
    }

    async function counts(list: string): Promise<{ contacts: number; subscriptions: number }> {
      return t.env(async (env) => (await env.cr.query<{ contacts: number; subscriptions: number }>(sql`
        SELECT (SELECT count(*) FROM mailing_contact WHERE name LIKE ${list + ' %'})::int AS contacts,
               (SELECT count(*) FROM mailing_subscription s JOIN mailing_list l ON l.id = s.list_id WHERE l.name = ${list})::int AS subscriptions`))[0]);
    }

    it('imports and subscribes in batches', async () => {
      const r = await importContacts(t.registry, rows(23, 'Plain'), { list: 'Plain', batchSize: 5 });
      expect(r).to.include({ created: 23, subscribed: 23 });
      expect(await counts('Plain')).to.deep.equal({ contacts: 23, subscriptions: 23 });
      expect(await danglingReferences(t.db.connectionString)).to.deep.equal([]);
    });

    it('the list deleted while a batch runs: the import stops with a message, nothing dangles', async () => {
      const other = new pg.Client({ connectionString: t.db.connectionString });
      await other.connect();
      try {
        // Once the list exists, the other connection locks the subscriptions: the first batch
        // waits there with its snapshot taken, while the list is deleted and committed.
        const running = importContacts(t.registry, rows(12, 'Orphan', async () => {
          await other.query('BEGIN');
          await other.query('LOCK TABLE mailing_subscription IN ACCESS EXCLUSIVE MODE');
        }), { list: 'Orphan', batchSize: 5 });
        running.catch(() => undefined);
        await lockWaiter(other);
        await other.query('DELETE FROM mailing_list WHERE name = $1', ['Orphan']);
        await other.query('COMMIT');
        let message = '';
        try {
          await running;
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).to.match(/^The mailing list #\d+ was deleted during the import\.$/);
      } finally {
        await other.end();
      }
      expect(await counts('Orphan')).to.deep.equal({ contacts: 0, subscriptions: 0 });
      expect(await danglingReferences(t.db.connectionString)).to.deep.equal([]);
    });
  });
}

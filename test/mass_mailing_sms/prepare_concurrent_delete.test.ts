// Recipients deleted while a mailing is prepared: every foreign key stays checked (no superuser
// shortcut), the preparation succeeds, and the deleted recipients get no trace and no SMS. Run
// as the superuser and as a role with only LOGIN CREATEDB (a managed PostgreSQL's user).

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { modelId, partnerMailing, smsOf } from '../helpers/mass_mailing_sms.ts';
import { danglingReferences, whileItWaits } from '../helpers/integrity.ts';
import { prepareSmsMailing } from '../../models/mass_mailing_sms/prepare.ts';

const RECIPIENTS = 1200;

for (const role of ['superuser', 'createdb'] as const) {
  describe(`mass_mailing_sms: recipients deleted during a preparation (${role})`, function () {
    this.timeout(120_000);
    let t: TestRegistry;
    before(async () => {
      t = await testRegistry({ role });
    });
    after(async () => t?.close());

    async function partners(prefix: string): Promise<number[]> {
      return t.call('res.partner', 'create', [Array.from({ length: RECIPIENTS }, (_, i) => ({ name: `${prefix} ${i}`, phone: `+32 476 ${String(100000 + i)}` }))]);
    }

    async function tracedIds(mailing: number): Promise<number[]> {
      return (await t.call('mailing.trace', 'search_read', [[['mass_mailing_id', '=', mailing]], ['res_id']])).map((r: { res_id: number }) => r.res_id);
    }

    it('partners deleted once the send started: the send succeeds, they get no trace nor SMS, nothing dangles', async () => {
      const ids = await partners('Deleted during send');
      const mailing = await partnerMailing(t, ids, 'Sale this weekend, see https://shop.example.com/sale');
      const deleted = ids.filter((_, i) => i % 5 === 2);
      // The send waits on the mailing (row locked by the other connection) with its snapshot taken;
      // the partners are deleted and committed meanwhile.
      const sent = await whileItWaits(
        t.db.connectionString,
        (other) => other.query('SELECT id FROM mailing_mailing WHERE id = $1 FOR UPDATE', [mailing]),
        (other) => other.query('DELETE FROM res_partner WHERE id = ANY($1::int4[])', [deleted]),
        () => t.call('mailing.mailing', 'action_send_sms', [[mailing]]),
      );
      expect(sent).to.equal(true);
      const traced = await tracedIds(mailing);
      const gone = new Set(deleted);
      expect(traced.filter((id) => gone.has(id))).to.deep.equal([]);
      expect(traced).to.have.length(RECIPIENTS - deleted.length);
      const sms = await smsOf(t, mailing);
      expect(sms).to.have.length(RECIPIENTS - deleted.length);
      expect(sms.filter((s) => !s.partner_id || gone.has(s.partner_id[0]))).to.deep.equal([]);
      expect(await danglingReferences(t.db.connectionString)).to.deep.equal([]);
    });

    it('mailing contacts deleted once the send started get no trace', async () => {
      const [list] = await t.call('mailing.list', 'create', [[{ name: 'Concurrent deletes' }]]);
      const contacts: number[] = await t.call('mailing.contact', 'create', [
        Array.from({ length: RECIPIENTS }, (_, i) => ({ name: `Contact ${i}`, mobile: `+32 477 ${String(100000 + i)}`, list_ids: [[6, 0, [list]]] })),
      ]);
      const mailing = await t.call('mailing.mailing', 'create', [{
        subject: 'Contacts', mailing_type: 'sms', mailing_model_id: await modelId(t, 'mailing.list'), contact_list_ids: [[6, 0, [list]]], body_plaintext: 'Hello {{ object.name }}',
      }]);
      const deleted = contacts.filter((_, i) => i % 4 === 1);
      const sent = await whileItWaits(
        t.db.connectionString,
        (other) => other.query('SELECT id FROM mailing_mailing WHERE id = $1 FOR UPDATE', [mailing]),
        (other) => other.query('DELETE FROM mailing_contact WHERE id = ANY($1::int4[])', [deleted]),
        () => t.call('mailing.mailing', 'action_send_sms', [[mailing]]),
      );
      expect(sent).to.equal(true);
      const traced = await tracedIds(mailing);
      expect(traced.filter((id) => deleted.includes(id))).to.deep.equal([]);
      expect(traced).to.have.length(RECIPIENTS - deleted.length);
      expect(await danglingReferences(t.db.connectionString)).to.deep.equal([]);
    });

    it('READ COMMITTED, batches of 100: partners deleted after the recipients were read leave their batch, no retry', async () => {
      const ids = await partners('Read committed');
      const mailing = await partnerMailing(t, ids, 'Hello {{ object.name }}');
      const deleted = ids.filter((_, i) => i % 3 === 0);
      // The preparation reads its recipients, then waits on the exclusion list (table locked by the
      // other connection) while the partners are deleted.
      const result = await whileItWaits(
        t.db.connectionString,
        (other) => other.query('LOCK TABLE phone_blacklist IN ACCESS EXCLUSIVE MODE'),
        (other) => other.query('DELETE FROM res_partner WHERE id = ANY($1::int4[])', [deleted]),
        () => t.registry.transaction({ uid: 2, isolation: 'read committed' }, (env) => prepareSmsMailing(env.model('mailing.mailing').browse([mailing]), { batchSize: 100 })),
      );
      expect(result.recipients).to.equal(RECIPIENTS - deleted.length);
      expect(result.sent).to.equal(RECIPIENTS - deleted.length);
      const traced = await tracedIds(mailing);
      expect(traced.filter((id) => deleted.includes(id))).to.deep.equal([]);
      expect(await smsOf(t, mailing)).to.have.length(RECIPIENTS - deleted.length);
      expect(await danglingReferences(t.db.connectionString)).to.deep.equal([]);
    });
  });
}

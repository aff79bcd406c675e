// Computed, related and inverse fields: stored computes follow their dependencies (same record,
// through a many2one, through a one2many, after unlink), non-stored computes run in batch, and
// read/create/write of N records issue a number of queries that does not depend on N.

import { expect } from 'chai';
import { ormRegistry, type OrmTestRegistry } from '../helpers/orm.ts';
import type { Env } from '../../models/orm/env.ts';

describe('ORM: computed, related and inverse fields', () => {
  let t: OrmTestRegistry;
  before(async () => {
    t = await ormRegistry();
  });
  after(async () => t.close());

  const read = async (model: string, id: number, fields: string[]) => (await t.call(model, 'read', [[id], fields]))[0];

  describe('stored computed fields', () => {
    it('are computed on create', async () => {
      const p = await t.call('res.partner', 'create', [{ name: 'Acme' }]);
      const id = await t.call('test.orm.item', 'create', [{ name: 'Box', partner_id: p }]);
      expect((await read('test.orm.item', id, ['partner_label'])).partner_label).to.equal('Box@Acme');
      const kid = await t.call('res.partner', 'create', [{ name: 'Jane', parent_id: p }]);
      expect((await read('res.partner', kid, ['complete_name', 'display_name']))).to.include({ complete_name: 'Acme, Jane', display_name: 'Acme, Jane' });
    });

    it('precompute: computed before the INSERT, from the values being created (no UPDATE)', async () => {
      const statements: string[] = [];
      const ids = await t.env(async (env) => {
        const execute = env.cr.execute.bind(env.cr);
        env.cr.execute = (q: any, p?: unknown[]) => {
          statements.push(String(q));
          return execute(q, p);
        };
        try {
          return (await env.model('test.orm.item').create([{ name: 'four' }, { name: 'seven!!' }, {}])).ids;
        } finally {
          env.cr.execute = execute;
        }
      });
      const rows = await t.call('test.orm.item', 'read', [ids, ['name_len']]);
      expect(rows.map((r: any) => r.name_len)).to.deep.equal([4, 7, 0]);
      expect(statements.some((q) => q.includes('"name_len" = v."name_len"'))).to.equal(false);
      expect(statements.find((q) => q.startsWith('INSERT INTO "test_orm_item"'))).to.include('"name_len"');
      // Later changes go through the usual recomputation.
      await t.call('test.orm.item', 'write', [[ids[0]], { name: 'fourteen chars' }]);
      expect((await read('test.orm.item', ids[0], ['name_len'])).name_len).to.equal(14);
    });

    it('big flat creates compute stored fields before the INSERT (ORM reads and raw SQL alike)', async () => {
      const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
      const partner = await t.call('res.partner', 'create', [{ name: 'Bulk Co', country_id: be }]);
      const statements: string[] = [];
      const vals = Array.from({ length: 1500 }, (_, i) => ({ name: `bulk ${i}`, code: `bk${i}`, partner_id: i % 2 ? partner : false }));
      const ids: number[] = await t.env(async (env) => {
        const execute = env.cr.execute.bind(env.cr);
        env.cr.execute = (q: any, p?: unknown[]) => {
          statements.push(String(q));
          return execute(q, p);
        };
        try {
          return (await env.model('test.orm.item').create(vals)).ids;
        } finally {
          env.cr.execute = execute;
        }
      });
      const rows = await t.call('test.orm.item', 'read', [[ids[0], ids[1], ids[1499]], ['code_upper', 'partner_label', 'name_len', 'total']]);
      expect(rows.map((r: any) => [r.code_upper, r.partner_label, r.name_len, r.total])).to.deep.equal([
        ['BK0', 'bulk 0@', 6, 0], ['BK1', 'bulk 1@Bulk Co', 6, 0], ['BK1499', 'bulk 1499@Bulk Co', 9, 0],
      ]);
      expect(statements.filter((q) => /^UPDATE "test_orm_item"/.test(q))).to.deep.equal([]);
      expect(await t.call('test.orm.item', 'search_count', [[['code_upper', '=like', 'BK%']]])).to.equal(1500);
      // The temporary objects are gone: the real table answers again.
      expect(await t.call('test.orm.item', 'search_count', [[['id', 'in', ids]]])).to.equal(1500);
      await t.call('test.orm.item', 'unlink', [ids]);
    });

    it('follow a dependency on the same record', async () => {
      const id = await t.call('test.orm.item', 'create', [{ name: 'Before' }]);
      await t.call('test.orm.item', 'write', [[id], { name: 'After' }]);
      expect((await read('test.orm.item', id, ['partner_label'])).partner_label).to.equal('After@');
    });

    it('follow a dependency through a many2one (renaming the parent updates the children)', async () => {
      const parent = await t.call('res.partner', 'create', [{ name: 'Old Co', is_company: true }]);
      const kids = await t.call('res.partner', 'create', [[{ name: 'K1', parent_id: parent }, { name: 'K2', parent_id: parent }]]);
      const items = await t.call('test.orm.item', 'create', [[{ name: 'i1', partner_id: parent }, { name: 'i2', partner_id: kids[0] }]]);
      await t.call('res.partner', 'write', [[parent], { name: 'New Co' }]);
      const names = await t.call('res.partner', 'read', [kids, ['complete_name']]);
      expect(names.map((r: any) => r.complete_name)).to.deep.equal(['New Co, K1', 'New Co, K2']);
      expect((await read('test.orm.item', items[0], ['partner_label'])).partner_label).to.equal('i1@New Co');
      // Re-parenting moves the computed value too.
      const other = await t.call('res.partner', 'create', [{ name: 'Other Co', is_company: true }]);
      await t.call('res.partner', 'write', [[kids[1]], { parent_id: other }]);
      expect((await read('res.partner', kids[1], ['complete_name'])).complete_name).to.equal('Other Co, K2');
      await t.call('test.orm.item', 'write', [[items[1]], { partner_id: other }]);
      expect((await read('test.orm.item', items[1], ['partner_label'])).partner_label).to.equal('i2@Other Co');
      // Searching on the stored value works.
      expect(await t.call('res.partner', 'search', [[['complete_name', '=', 'New Co, K1']]])).to.deep.equal([kids[0]]);
    });

    it('follow a dependency through a one2many (lines added, changed, moved, removed)', async () => {
      const [a, b] = await t.call('test.orm.item', 'create', [[{ name: 'A', line_ids: [[0, 0, { value: 2 }], [0, 0, { value: 3 }]] }, { name: 'B' }]]);
      const total = async (id: number) => (await read('test.orm.item', id, ['total'])).total;
      expect(await total(a)).to.equal(5);
      expect(await total(b)).to.equal(0);
      const [l1, l2] = (await read('test.orm.item', a, ['line_ids'])).line_ids;
      await t.call('test.orm.line', 'write', [[l1], { value: 10 }]);
      expect(await total(a)).to.equal(13);
      await t.call('test.orm.line', 'create', [{ item_id: b, value: 7 }]);
      expect(await total(b)).to.equal(7);
      // Moving a line recomputes both the old and the new item.
      await t.call('test.orm.line', 'write', [[l2], { item_id: b }]);
      expect(await total(a)).to.equal(10);
      expect(await total(b)).to.equal(10);
      await t.call('test.orm.line', 'unlink', [[l1]]);
      expect(await total(a)).to.equal(0);
      await t.call('test.orm.item', 'write', [[b], { line_ids: [[5]] }]);
      expect(await total(b)).to.equal(0);
    });

    it('are recomputed after the unlink of a dependency\'s record', async () => {
      const p = await t.call('res.partner', 'create', [{ name: 'Doomed', is_company: true }]);
      const kid = await t.call('res.partner', 'create', [{ name: 'Survivor', parent_id: p }]);
      const item = await t.call('test.orm.item', 'create', [{ name: 'it', partner_id: p }]);
      await t.call('res.partner', 'unlink', [[p]]);
      expect(await read('res.partner', kid, ['parent_id', 'complete_name'])).to.include({ parent_id: false, complete_name: 'Survivor' });
      expect((await read('test.orm.item', item, ['partner_id', 'partner_label']))).to.include({ partner_id: false, partner_label: 'it@' });
    });
  });

  describe('non-stored computed, related, search and inverse', () => {
    it('non-stored computed fields are computed in one batch for all records', async () => {
      const ids = await t.call('test.orm.item', 'create', [Array.from({ length: 30 }, (_, i) => ({ name: `n${i}`, line_ids: i % 3 ? [[0, 0, { value: 1 }]] : [] }))]);
      const queries = async (n: number) => t.env(async (env: Env) => {
        const recs = env.model('test.orm.item').browse(ids.slice(0, n));
        const before = env.cr.queryCount;
        const rows = await recs.read(['line_count']);
        expect(rows).to.have.length(n);
        return env.cr.queryCount - before;
      });
      expect(await queries(30)).to.equal(await queries(1));
      const rows = await t.call('test.orm.item', 'read', [ids.slice(0, 3), ['line_count']]);
      expect(rows.map((r: any) => r.line_count)).to.deep.equal([0, 1, 1]);
    });

    it('related fields: read, write-through and search (one and two hops)', async () => {
      const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
      const p = await t.call('res.partner', 'create', [{ name: 'Rel', email: 'rel@example.com', country_id: be }]);
      const id = await t.call('test.orm.item', 'create', [{ name: 'r', partner_id: p }]);
      expect(await read('test.orm.item', id, ['partner_email', 'partner_country_code'])).to.include({ partner_email: 'rel@example.com', partner_country_code: 'BE' });
      await t.call('test.orm.item', 'write', [[id], { partner_email: 'new@example.com' }]);
      expect((await read('res.partner', p, ['email'])).email).to.equal('new@example.com');
      expect(await t.call('test.orm.item', 'search', [[['partner_email', '=', 'new@example.com']]])).to.deep.equal([id]);
      expect(await t.call('test.orm.item', 'search', [[['partner_country_code', '=', 'BE'], ['id', '=', id]]])).to.deep.equal([id]);
      // res.partner.country_code (related on a production model)
      expect((await read('res.partner', p, ['country_code'])).country_code).to.equal('BE');
      // Create with a related value writes through too.
      const p2 = await t.call('res.partner', 'create', [{ name: 'Rel2' }]);
      const id2 = await t.call('test.orm.item', 'create', [{ name: 'r2', partner_id: p2, partner_email: 'two@example.com' }]);
      expect((await read('res.partner', p2, ['email'])).email).to.equal('two@example.com');
      expect((await read('test.orm.item', id2, ['partner_email'])).partner_email).to.equal('two@example.com');
    });

    it('search methods on non-stored fields', async () => {
      const id = await t.call('test.orm.item', 'create', [{ name: 'many lines', line_ids: [[0, 0, {}], [0, 0, {}], [0, 0, {}]] }]);
      expect(await t.call('test.orm.item', 'search', [[['line_count', '>=', 3]]])).to.deep.equal([id]);
      expect(await t.call('test.orm.item', 'search', [['!', ['line_count', '<', 3]]])).to.deep.equal([id]);
    });

    it('inverse: writing a computed field calls its inverse (create and write)', async () => {
      const id = await t.call('test.orm.item', 'create', [{ upper_name: 'LOUD' }]);
      expect(await read('test.orm.item', id, ['name', 'upper_name'])).to.include({ name: 'loud', upper_name: 'LOUD' });
      await t.call('test.orm.item', 'write', [[id], { upper_name: 'QUIET' }]);
      expect(await read('test.orm.item', id, ['name', 'upper_name', 'partner_label'])).to.include({ name: 'quiet', upper_name: 'QUIET', partner_label: 'quiet@' });
      const many = await t.call('test.orm.item', 'create', [[{ upper_name: 'X' }, { upper_name: 'Y' }, { upper_name: 'X' }]]);
      const rows = await t.call('test.orm.item', 'read', [many, ['name']]);
      expect(rows.map((r: any) => r.name)).to.deep.equal(['x', 'y', 'x']);
    });
  });

  describe('no query per record', () => {
    let tags: number[];
    let be: number;
    let parent: number;
    before(async () => {
      tags = await t.call('res.partner.category', 'create', [[{ name: 'q1' }, { name: 'q2' }]]);
      be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
      parent = await t.call('res.partner', 'create', [{ name: 'Q Parent', is_company: true }]);
    });
    const partnerVals = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({
      name: `${tag} ${i}`, country_id: be, parent_id: parent, category_id: [[6, 0, tags]], email: `${tag}${i}@x.org`,
      child_ids: [[0, 0, { name: `${tag} child ${i}` }]],
    }));
    async function measure(fn: (env: Env) => Promise<unknown>): Promise<number> {
      return t.env(async (env) => {
        const before = env.cr.queryCount;
        await fn(env);
        return env.cr.queryCount - before;
      });
    }

    it('read of 500 partners with many2one, many2many, one2many and computed fields: constant queries', async () => {
      const ids: number[] = await t.call('res.partner', 'create', [partnerVals(500, 'R')]);
      const fields = ['name', 'country_id', 'parent_id', 'category_id', 'child_ids', 'complete_name', 'display_name', 'country_code', 'user_ids', 'create_uid'];
      const small = await measure(async (env) => env.model('res.partner').browse(ids.slice(0, 5)).read(fields));
      const large = await measure(async (env) => {
        const rows = await env.model('res.partner').browse(ids).read(fields);
        expect(rows).to.have.length(500);
        expect(rows[499].category_id).to.deep.equal(tags);
        expect(rows[499].child_ids).to.have.length(1);
        expect(rows[499].country_id).to.deep.equal([be, 'Belgium']);
        expect(rows[499].parent_id).to.deep.equal([parent, 'Q Parent']);
        expect(rows[499].country_code).to.equal('BE');
      });
      expect(large).to.equal(small);
      let srRows: any[] = [];
      const sr = await measure(async (env) => (srRows = await env.model('res.partner').searchRead([['id', 'in', ids]], fields, { order: 'id' })));
      // Search and column fetch in one query (search_fetch), with the many2one names joined.
      expect(sr).to.be.lessThan(small);
      expect(srRows).to.have.length(500);
      expect(srRows[499]).to.deep.include({ country_id: [be, 'Belgium'], parent_id: [parent, 'Q Parent'], country_code: 'BE', category_id: tags });
      const viaRead = await t.call('res.partner', 'read', [[srRows[3].id], fields]);
      expect(srRows[3]).to.deep.equal(viaRead[0]);
    });

    it('create of N partners with many2many, one2many and stored computes: constant queries', async () => {
      const small = await measure((env) => env.model('res.partner').create(partnerVals(5, 'C')));
      const large = await measure((env) => env.model('res.partner').create(partnerVals(200, 'D')));
      expect(large).to.equal(small);
      const [kid] = await t.call('res.partner', 'search_read', [[['name', '=', 'D child 7']]], { fields: ['complete_name', 'parent_id'] });
      expect(kid.complete_name).to.equal('D 7, D child 7');
    });

    it('write on N partners (name triggers the children\'s complete_name): constant queries', async () => {
      const ids: number[] = await t.call('res.partner', 'create', [partnerVals(200, 'W')]);
      const small = await measure((env) => env.model('res.partner').browse(ids.slice(0, 5)).write({ name: 'W small', category_id: [[5], [4, tags[0]]] }));
      const large = await measure((env) => env.model('res.partner').browse(ids).write({ name: 'W large', category_id: [[5], [4, tags[1]]] }));
      expect(large).to.equal(small);
      const kids = await t.call('res.partner', 'search_read', [[['parent_id', 'in', ids.slice(0, 2)]]], { fields: ['complete_name'], order: 'id' });
      expect(kids.map((k: any) => k.complete_name)).to.deep.equal(['W large, W child 0', 'W large, W child 1']);
      const [one] = await t.call('res.partner', 'read', [[ids[3]], ['category_id']]);
      expect(one.category_id).to.deep.equal([tags[1]]);
    });

    it('unlink of N partners: constant queries', async () => {
      const a: number[] = await t.call('res.partner', 'create', [partnerVals(5, 'U')]);
      const b: number[] = await t.call('res.partner', 'create', [partnerVals(100, 'V')]);
      const small = await measure((env) => env.model('res.partner').browse(a).unlink());
      const large = await measure((env) => env.model('res.partner').browse(b).unlink());
      expect(large).to.equal(small);
    });
  });
});

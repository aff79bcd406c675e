// Per-record stored computes at create, written computed fields protected from recomputation,
// and `this.super` chains resolved like Python's MRO across mixins and extensions.

import { expect } from 'chai';
import { ormRegistry, TEST_MODELS, type OrmTestRegistry } from '../helpers/orm.ts';
import type { ModelSpec } from '../../models/orm/model.ts';
import type { RecordSet } from '../../models/orm/records.ts';
import { sql } from '../../models/orm/sql.ts';

const calls: string[] = [];

const labelFn = (field: string, prefix: string) => async (self: RecordSet) => {
  const rows = await self.fetch(['name']);
  return new Map(rows.map((r) => [r.id as number, { [field]: `${prefix}${r.name ?? ''}` }]));
};

const TestFix: ModelSpec = {
  _name: 'test.orm.fix',
  _description: 'Test Fix',
  fields: {
    name: { type: 'char', string: 'Name' },
    // writable stored computed fields: after the INSERT, and precomputed before it
    label: { type: 'char', string: 'Label', compute: '_compute_label', store: true, readonly: false, depends: ['name'] },
    plabel: { type: 'char', string: 'Pre Label', compute: '_compute_plabel', store: true, readonly: false, precompute: true, depends: ['name'] },
    // two fields of one method
    left: { type: 'char', string: 'Left', compute: '_compute_sides', store: true, readonly: false, depends: ['name'] },
    right: { type: 'char', string: 'Right', compute: '_compute_sides', store: true, readonly: false, depends: ['name'] },
  },
  methods: {
    _compute_label: { api: 'record', private: true, fn: labelFn('label', 'L:') },
    _compute_plabel: { api: 'record', private: true, fn: labelFn('plabel', 'P:') },
    _compute_sides: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['name']);
        return new Map(rows.map((r) => [r.id as number, { left: `<${r.name ?? ''}`, right: `${r.name ?? ''}>` }]));
      },
    },
  },
};

const override = (tag: string) => ({
  api: 'model' as const,
  params: ['vals_list'],
  async fn(this: { super: (...a: any[]) => Promise<any> }, _self: RecordSet, valsList: unknown[]) {
    calls.push(tag);
    return this.super(valsList);
  },
});

const MixA: ModelSpec = { _name: 'test.orm.mixa', _abstract: true, methods: { create: override('A') } };
const MixB: ModelSpec = { _name: 'test.orm.mixb', _abstract: true, _inherit: ['test.orm.mixa'], methods: { create: override('B') } };
const MixC: ModelSpec = { _name: 'test.orm.mixc', _abstract: true, methods: { create: override('C') } };
// class Mro(MixB, MixC): MRO = Mro, MixB, MixA, MixC, base
const Mro: ModelSpec = {
  _name: 'test.orm.mro',
  _inherit: ['test.orm.mixb', 'test.orm.mixc'],
  fields: { name: { type: 'char', string: 'Name' } },
  methods: { create: override('own') },
};
// An override declared before a mixin is mixed in by a later extension.
const Late: ModelSpec = { _name: 'test.orm.late', fields: { name: { type: 'char', string: 'Name' } }, methods: { create: override('late1') } };
const LateExt: ModelSpec = { _name: 'test.orm.late', _inherit: ['test.orm.late', 'test.orm.mixc'], methods: { create: override('late2') } };

// Searchable non-stored relational fields on test.orm.item, for dotted paths.
const ItemExt: ModelSpec = {
  _name: 'test.orm.item',
  _inherit: 'test.orm.item',
  fields: {
    // lines worth more than 10, searchable (its search method handles `any`)
    big_line_ids: { type: 'one2many', comodel: 'test.orm.line', inverseName: 'item_id', string: 'Big Lines', compute: '_compute_big_line_ids', search: '_search_big_line_ids' },
    partner_country_id: { type: 'many2one', comodel: 'res.country', string: 'Partner Country', related: 'partner_id.country_id' },
    first_line_name: { type: 'char', string: 'Line Name', related: 'line_ids.name' },
    partner_mail: { type: 'char', string: 'Partner Mail', related: 'partner_email' },
  },
  methods: {
    _compute_big_line_ids: { api: 'record', private: true, fn: async (self: RecordSet) => new Map(self.ids.map((id) => [id, { big_line_ids: [] }])) },
    _search_big_line_ids: {
      api: 'model',
      private: true,
      fn: (self: RecordSet, op: string, value: unknown) => {
        if (op !== 'any') throw new Error(`unsupported ${op}`);
        const sub = self.env.model('test.orm.line').searchQuery(value);
        return [['id', 'in', sql`SELECT l.item_id FROM test_orm_line l WHERE l.value > 10 AND l.id IN (${sub})`]];
      },
    },
  },
};

describe('ORM: per-record computes, protected writes, MRO', () => {
  let t: OrmTestRegistry;
  before(async () => {
    t = await ormRegistry([...TEST_MODELS, ItemExt, TestFix, MixA, MixB, MixC, Mro, Late, LateExt]);
  });
  after(async () => t.close());

  const read = (ids: number[], fields: string[]) => t.call('test.orm.fix', 'read', [ids, fields]);

  describe('stored computed fields at create are per record', () => {
    it('records that give a value keep it, the others are computed', async () => {
      const ids = await t.call('test.orm.fix', 'create', [[
        { name: 'a', label: 'given', plabel: 'pgiven', left: 'mine' },
        { name: 'b' },
      ]]);
      const rows = await read(ids, ['label', 'plabel', 'left', 'right']);
      expect(rows.map((r: any) => [r.label, r.plabel, r.left, r.right])).to.deep.equal([
        ['given', 'pgiven', 'mine', 'a>'],
        ['L:b', 'P:b', '<b', 'b>'],
      ]);
    });

    it('also in big creates (computed before the INSERT)', async () => {
      const vals = Array.from({ length: 1200 }, (_, i) => (i % 2 ? { name: `n${i}`, label: `g${i}` } : { name: `n${i}` }));
      const ids: number[] = await t.env(async (env) => (await env.model('test.orm.fix').create(vals)).ids);
      const rows = await read([ids[0], ids[1], ids[1199]], ['label', 'plabel']);
      expect(rows.map((r: any) => [r.label, r.plabel])).to.deep.equal([['L:n0', 'P:n0'], ['g1', 'P:n1'], ['g1199', 'P:n1199']]);
    });
  });

  describe('writing a computed field with one of its dependencies', () => {
    it('the written value wins on the written records; others follow the dependency', async () => {
      const [a, b] = await t.call('test.orm.fix', 'create', [[{ name: 'a' }, { name: 'b' }]]);
      await t.call('test.orm.fix', 'write', [[a], { name: 'c', label: 'mine', left: 'L' }]);
      await t.call('test.orm.fix', 'write', [[b], { name: 'd' }]);
      const rows = await read([a, b], ['name', 'label', 'plabel', 'left', 'right']);
      // `right` is computed by the same method as the written `left`: protected too (as in Odoo).
      expect(rows.map((r: any) => [r.name, r.label, r.plabel, r.left, r.right])).to.deep.equal([
        ['c', 'mine', 'P:c', 'L', 'a>'],
        ['d', 'L:d', 'P:d', '<d', 'd>'],
      ]);
      // Protection ends with the write.
      await t.call('test.orm.fix', 'write', [[a], { name: 'e' }]);
      expect((await read([a], ['label']))[0].label).to.equal('L:e');
    });
  });

  describe('dotted paths through non-stored relational fields', () => {
    it('a searchable field answers (a.b op v) as (a any [(b op v)])', async () => {
      const [small, big] = await t.call('test.orm.item', 'create', [[{ name: 'small' }, { name: 'big' }]]);
      await t.call('test.orm.line', 'create', [[{ item_id: small, name: 'zap', value: 5 }, { item_id: big, name: 'zap', value: 20 }]]);
      const found = await t.call('test.orm.item', 'search', [[['big_line_ids.name', '=', 'zap']]]);
      expect(found).to.deep.equal([big]);
      expect(await t.call('test.orm.item', 'search', [[['big_line_ids', 'any', [['name', '=', 'zap']]]]])).to.deep.equal([big]);
    });

    it('a non-stored related field continues along its path', async () => {
      const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
      const p = await t.call('res.partner', 'create', [{ name: 'Belgian', country_id: be }]);
      const item = await t.call('test.orm.item', 'create', [{ name: 'rel', partner_id: p }]);
      expect(await t.call('test.orm.item', 'search', [[['partner_country_id.code', '=', 'BE'], ['name', '=', 'rel']]])).to.deep.equal([item]);
    });
  });

  describe('fields_get', () => {
    it('display_name depends on the record name field', async () => {
      const d = await t.call('test.orm.item', 'fields_get', [['display_name']], { attributes: ['depends'] });
      expect(d.display_name.depends).to.deep.equal(['name']);
    });

    it('non-stored related fields: sortable / groupable like their target through many2one paths', async () => {
      const names = ['partner_email', 'partner_country_code', 'partner_country_id', 'first_line_name', 'partner_mail', 'line_count'];
      const d = await t.call('test.orm.item', 'fields_get', [names], { attributes: ['sortable', 'groupable'] });
      expect(names.map((n) => [n, d[n].sortable, d[n].groupable])).to.deep.equal([
        ['partner_email', true, true],
        ['partner_country_code', true, true],
        ['partner_country_id', true, true],
        ['first_line_name', false, false],
        ['partner_mail', true, true],
        ['line_count', false, false],
      ]);
    });
  });

  describe('order by non-stored related fields', () => {
    it('follows the many2one path (and the target many2one order)', async () => {
      const [pa, pb] = await t.call('res.partner', 'create', [[{ name: 'Pa', email: 'b@x' }, { name: 'Pb', email: 'a@x' }]]);
      const ids = await t.call('test.orm.item', 'create', [[{ name: 'ord', partner_id: pa }, { name: 'ord', partner_id: pb }, { name: 'ord' }]]);
      const search = (order: string) => t.call('test.orm.item', 'search', [[['name', '=', 'ord']]], { order });
      expect(await search('partner_email')).to.deep.equal([ids[1], ids[0], ids[2]]);
      expect(await search('partner_mail desc nulls last')).to.deep.equal([ids[0], ids[1], ids[2]]);
      const [be, fr] = [(await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0], (await t.call('res.country', 'search', [[['code', '=', 'FR']]]))[0]];
      await t.call('res.partner', 'write', [[pa], { country_id: fr }]);
      await t.call('res.partner', 'write', [[pb], { country_id: be }]);
      expect(await search('partner_country_id, id')).to.deep.equal([ids[1], ids[0], ids[2]]);
      expect(await search('partner_country_code desc, id')).to.deep.equal([ids[2], ids[0], ids[1]]);
    });
  });

  describe('this.super chains', () => {
    it('two mixins and the model override create: each runs once, in MRO order', async () => {
      calls.length = 0;
      const id = await t.call('test.orm.mro', 'create', [{ name: 'x' }]);
      expect(id).to.be.a('number');
      expect(calls).to.deep.equal(['own', 'B', 'A', 'C']);
    });

    it('an override declared before a mixin is mixed in still runs', async () => {
      calls.length = 0;
      await t.call('test.orm.late', 'create', [{ name: 'x' }]);
      expect(calls).to.deep.equal(['late2', 'late1', 'C']);
    });

    it('a model without overrides uses the base method itself', async () => {
      expect(t.registry.isBaseMethod(t.registry.get('test.orm.fix'), 'create')).to.equal(true);
      expect(t.registry.isBaseMethod(t.registry.get('test.orm.mro'), 'write')).to.equal(true);
    });
  });
});

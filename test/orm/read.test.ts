// What read-like methods answer (spec §6–8, §11, §12): empty values per type, many2one by `load`,
// key order, missing ids, search_read argument quirks, create/write shapes, x2many commands,
// name_search/default_get keyword names, read_group / formatted_read_group against the captures,
// web_read / web_search_read specifications and fields_get.

import { expect } from 'chai';
import { captureJson } from '../helpers/odoo19.ts';
import { ormRegistry, type OrmTestRegistry } from '../helpers/orm.ts';

/** The `result` of a captured Odoo 19 JSON-RPC answer. */
const capture = (name: string): any => captureJson(name).result;
/** Same structure: same keys in the same order, same value types, recursively. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

describe('ORM: read serialisation and read-like methods', () => {
  let t: OrmTestRegistry;
  let full: number;
  let empty: number;
  let partner: number;
  let tags: number[];
  before(async () => {
    t = await ormRegistry();
    partner = await t.call('res.partner', 'create', [{ name: 'Reader Co', is_company: true }]);
    tags = await t.call('test.orm.tag', 'create', [[{ name: 'T1' }, { name: 'T2' }]]);
    full = await t.call('test.orm.item', 'create', [{
      name: 'Full', code: 'F', note: 'Long text', qty: 3, price: 2.5, amount: 10, flag: true, day: '2024-02-29',
      moment: '2024-03-01 12:34:56', state: 'done', partner_id: partner, tag_ids: [[6, 0, tags]],
      line_ids: [[0, 0, { name: 'L', value: 4 }]],
    }]);
    empty = await t.call('test.orm.item', 'create', [{}]);
  });
  after(async () => t.close());

  describe('read', () => {
    it('false vs 0 vs 0.0 vs [] per type', async () => {
      const [r] = await t.call('test.orm.item', 'read', [[empty], ['name', 'note', 'qty', 'price', 'amount', 'flag', 'day', 'moment', 'state', 'partner_id', 'tag_ids', 'line_ids', 'line_count', 'partner_email']]);
      expect(r).to.deep.equal({
        id: empty, name: false, note: false, qty: 0, price: 0, amount: 0, flag: false, day: false, moment: false, state: false,
        partner_id: false, tag_ids: [], line_ids: [], line_count: 0, partner_email: false,
      });
      const [f] = await t.call('test.orm.item', 'read', [[full], ['qty', 'price', 'amount', 'flag', 'day', 'moment', 'state', 'tag_ids', 'line_count']]);
      expect(f).to.deep.include({ qty: 3, price: 2.5, amount: 10, flag: true, day: '2024-02-29', moment: '2024-03-01 12:34:56', state: 'done', line_count: 1 });
      expect(f.tag_ids).to.deep.equal(tags);
    });
    it('many2one: [id, name] by default, bare id for _classic_write and null', async () => {
      const [a] = await t.call('test.orm.item', 'read', [[full], ['partner_id']]);
      expect(a.partner_id).to.deep.equal([partner, 'Reader Co']);
      const [b] = await t.call('test.orm.item', 'read', [[full], ['partner_id']], { load: '_classic_write' });
      expect(b.partner_id).to.equal(partner);
      const [c] = await t.call('test.orm.item', 'read', [[full], ['partner_id']], { load: null });
      expect(c.partner_id).to.equal(partner);
      const [d] = await t.call('test.orm.item', 'read', [[empty], ['partner_id']], { load: null });
      expect(d.partner_id).to.equal(false);
    });
    it('key order: id first, then the requested order; duplicates once', async () => {
      const [r] = await t.call('test.orm.item', 'read', [[full], ['state', 'name', 'id', 'qty', 'name']]);
      expect(Object.keys(r)).to.deep.equal(['id', 'state', 'name', 'qty']);
    });
    it('missing ids are dropped; ["id"] only returns every id given', async () => {
      const rows = await t.call('test.orm.item', 'read', [[999999, full, 888888], ['name']]);
      expect(rows.map((r: any) => r.id)).to.deep.equal([full]);
      expect(await t.call('test.orm.item', 'read', [[999999, full], ['id']])).to.deep.equal([{ id: 999999 }, { id: full }]);
      // Order of the given ids is kept.
      const two = await t.call('test.orm.item', 'read', [[empty, full], ['name']]);
      expect(two.map((r: any) => r.id)).to.deep.equal([empty, full]);
    });
    it('no fields (None, [] or "") means every field', async () => {
      for (const fields of [null, [], '']) {
        const [r] = await t.call('test.orm.item', 'read', [[full], fields]);
        expect(Object.keys(r)[0]).to.equal('id');
        expect(r).to.include.keys('display_name', 'name', 'qty', 'tag_ids', 'line_count', 'partner_email', 'create_date', 'write_uid');
      }
      const [viaKw] = await t.call('test.orm.item', 'read', [[full]]);
      expect(viaKw.name).to.equal('Full');
    });
    it('matches the shape of the Odoo 19 capture (res.partner read)', async () => {
      const real = capture('jsonrpc-object-read.txt');
      const ours = await t.call('res.partner', 'read', [[1, 3, 999999], ['name', 'country_id', 'child_ids', 'create_date', 'color', 'email']]);
      expect(shape(ours)).to.deep.equal(shape(real));
      expect(ours[0]).to.deep.include({ id: 1, name: 'My Company', country_id: false, child_ids: [], color: 0, email: false });
    });
    it('search_read with _classic_write matches the capture', async () => {
      const real = capture('jsonrpc-object-search_read-classic_write.txt');
      const ours = await t.call('res.partner', 'search_read', [[['id', '=', 3]]], { fields: ['name', 'parent_id'], load: '_classic_write' });
      expect(ours).to.deep.equal([{ id: real[0].id, name: real[0].name, parent_id: real[0].parent_id }]);
    });
  });

  describe('search_read / search_count', () => {
    const expectValueError = async (p: Promise<unknown>) => {
      try {
        await p;
        expect.fail('should raise');
      } catch (e: any) {
        expect(e.odooName).to.equal('builtins.ValueError');
      }
    };
    it('limit, offset and order', async () => {
      const ids = await t.call('test.orm.item', 'search', [[]], { order: 'id' });
      const page = await t.call('test.orm.item', 'search_read', [[]], { fields: ['name'], limit: 1, offset: 1, order: 'id' });
      expect(page).to.deep.equal([{ id: ids[1], name: false }]);
      const desc = await t.call('test.orm.item', 'search_read', [[], ['name'], 0, 1, 'id desc']);
      expect(desc[0].id).to.equal(ids[ids.length - 1]);
    });
    it('accepts "" for offset, limit, order and context (node clients)', async () => {
      const rows = await t.call('test.orm.item', 'search_read', [[['id', '=', full]]], { fields: ['name'], offset: '', limit: '', order: '', context: '' });
      expect(rows).to.deep.equal([{ id: full, name: 'Full' }]);
      const pos = await t.call('test.orm.item', 'search_read', [[['id', '=', full]], ['name'], '', '', '']);
      expect(pos).to.deep.equal([{ id: full, name: 'Full' }]);
      expect(await t.call('test.orm.item', 'search_read', [[['id', '=', -1]]])).to.deep.equal([]);
    });
    it('answers what search then read answer, for every kind of field and load', async () => {
      // a many2one whose name is joined in the search (parent_id: rec name `name`) and one whose is computed (res.partner)
      await t.call('test.orm.item', 'write', [[empty], { parent_id: full, partner_id: partner }]);
      try {
        const fields = ['name', 'qty', 'price', 'flag', 'day', 'moment', 'state', 'partner_id', 'parent_id', 'tag_ids', 'line_ids',
          'line_count', 'partner_email', 'partner_country_code', 'partner_label', 'upper_name', 'display_name'];
        for (const load of ['_classic_read', '_classic_write', null]) {
          const ids = await t.call('test.orm.item', 'search', [[]], { order: 'id desc' });
          const read = await t.call('test.orm.item', 'read', [ids, fields], { load });
          expect(await t.call('test.orm.item', 'search_read', [[]], { fields, order: 'id desc', load })).to.deep.equal(read);
          // only columns and joined names: the answer comes from the search's own row
          const plain = ['name', 'state', 'parent_id', 'moment'];
          const readPlain = await t.call('test.orm.item', 'read', [ids, plain], { load });
          expect(await t.call('test.orm.item', 'search_read', [[]], { fields: plain, order: 'id desc', load })).to.deep.equal(readPlain);
        }
        const [row] = await t.call('test.orm.item', 'search_read', [[['id', '=', empty]]], { fields: ['parent_id', 'partner_id', 'upper_name', 'partner_label'] });
        expect(row).to.deep.equal({ id: empty, parent_id: [full, 'Full'], partner_id: [partner, 'Reader Co'], upper_name: false, partner_label: '@Reader Co' });
      } finally {
        await t.call('test.orm.item', 'write', [[empty], { parent_id: false, partner_id: false }]);
      }
    });
    it('the same search with other limits gives each its own rows, call after call', async () => {
      const all = (await t.call('res.country', 'search_read', [[]], { fields: ['code'] })).map((r: { id: number }) => r.id);
      for (let round = 0; round < 8; round++) {
        for (const limit of [1, 2, 3, 7]) {
          const rows = await t.call('res.country', 'search_read', [[]], { fields: ['code'], limit });
          expect(rows.map((r: { id: number }) => r.id)).to.deep.equal(all.slice(0, limit));
        }
        const page = await t.call('res.country', 'search_read', [[]], { fields: ['code'], limit: 2, offset: round });
        expect(page.map((r: { id: number }) => r.id)).to.deep.equal(all.slice(round, round + 2));
      }
      expect(await t.call('res.country', 'search_count', [[]], { limit: 5 })).to.equal(5);
      await expectValueError(t.call('res.country', 'search_read', [[]], { fields: ['code'], limit: -1 }));
      await expectValueError(t.call('res.country', 'search_read', [[]], { fields: ['code'], limit: 2.5 }));
    });
    it('search_count with limit', async () => {
      expect(await t.call('test.orm.item', 'search_count', [[]])).to.equal(2);
      expect(await t.call('test.orm.item', 'search_count', [[]], { limit: 1 })).to.equal(1);
      expect(await t.call('test.orm.item', 'search_count', [[], 5])).to.equal(2);
    });
  });

  describe('create / write / copy / exists', () => {
    it('create answers an int for a dict and a list for a list', async () => {
      const one = await t.call('test.orm.tag', 'create', [{ name: 'D' }]);
      expect(one).to.be.a('number');
      const list = await t.call('test.orm.tag', 'create', [[{ name: 'L' }]]);
      expect(list).to.be.an('array').with.length(1);
      expect(await t.call('test.orm.tag', 'create', [[]])).to.deep.equal([]);
      await t.call('test.orm.tag', 'unlink', [[one, ...list]]);
    });
    it('write x2many commands 0-6 including the short forms', async () => {
      const item = await t.call('test.orm.item', 'create', [{ name: 'Cmd' }]);
      const tagIds = async () => (await t.call('test.orm.item', 'read', [[item], ['tag_ids']]))[0].tag_ids as number[];
      const lineIds = async () => (await t.call('test.orm.item', 'read', [[item], ['line_ids']]))[0].line_ids as number[];
      expect(await t.call('test.orm.item', 'write', [[item], { tag_ids: [[6, 0, tags]] }])).to.equal(true);
      expect(await tagIds()).to.deep.equal(tags);
      await t.call('test.orm.item', 'write', [[item], { tag_ids: [[5]] }]);
      expect(await tagIds()).to.deep.equal([]);
      await t.call('test.orm.item', 'write', [[item], { tag_ids: [[4, tags[1]]] }]);
      expect(await tagIds()).to.deep.equal([tags[1]]);
      await t.call('test.orm.item', 'write', [[item], { tag_ids: [[3, tags[1]]] }]);
      expect(await tagIds()).to.deep.equal([]);
      await t.call('test.orm.item', 'write', [[item], { tag_ids: [[0, 'virtual_1', { name: 'Made' }]] }]);
      const [made] = await tagIds();
      await t.call('test.orm.item', 'write', [[item], { tag_ids: [[1, made, { name: 'Renamed' }]] }]);
      expect((await t.call('test.orm.tag', 'read', [[made], ['name']]))[0].name).to.equal('Renamed');
      await t.call('test.orm.item', 'write', [[item], { tag_ids: [[2, made]] }]);
      expect(await tagIds()).to.deep.equal([]);
      expect(await t.call('test.orm.tag', 'search', [[['id', '=', made]]])).to.deep.equal([]);
      await t.call('test.orm.item', 'write', [[item], { tag_ids: tags }]); // a plain id list is a SET
      expect(await tagIds()).to.deep.equal(tags);
      await t.call('test.orm.item', 'write', [[item], { tag_ids: false }]);
      expect(await tagIds()).to.deep.equal([]);
      // one2many: create, update, set (removed lines with a cascade inverse are deleted), clear
      await t.call('test.orm.item', 'write', [[item], { line_ids: [[0, 0, { name: 'a', value: 1 }], [0, 0, { name: 'b', value: 2 }]] }]);
      const [la, lb] = await lineIds();
      await t.call('test.orm.item', 'write', [[item], { line_ids: [[1, la, { value: 5 }]] }]);
      expect((await t.call('test.orm.line', 'read', [[la], ['value']]))[0].value).to.equal(5);
      await t.call('test.orm.item', 'write', [[item], { line_ids: [[6, 0, [la]]] }]);
      expect(await lineIds()).to.deep.equal([la]);
      expect(await t.call('test.orm.line', 'search', [[['id', '=', lb]]])).to.deep.equal([]);
      await t.call('test.orm.item', 'write', [[item], { line_ids: [[5]] }]);
      expect(await lineIds()).to.deep.equal([]);
      await t.call('test.orm.item', 'unlink', [[item]]);
    });
    it('copy returns a list; exists is private over RPC', async () => {
      const src = await t.call('test.orm.item', 'create', [{ name: 'Copy me', tag_ids: [[6, 0, tags]], line_ids: [[0, 0, { name: 'x' }]] }]);
      const copies = await t.call('test.orm.item', 'copy', [[src]]);
      expect(copies).to.be.an('array').with.length(1);
      const [c] = await t.call('test.orm.item', 'read', [copies, ['name', 'tag_ids', 'line_ids']]);
      expect(c).to.deep.include({ name: 'Copy me', tag_ids: tags, line_ids: [] }); // one2many is not copied
      const two = await t.call('test.orm.item', 'copy', [[src, copies[0]]], { default: { name: 'Twice' } });
      expect(two).to.have.length(2);
      await t.call('test.orm.item', 'unlink', [[src, ...copies, ...two]]);
      // A unique column is copied too: the copy fails like in Odoo.
      try {
        await t.call('test.orm.item', 'copy', [[full]]);
        expect.fail('should raise');
      } catch (e: any) {
        expect(e.odooName).to.equal('odoo.exceptions.ValidationError');
        expect(e.message).to.equal('The operation cannot be completed: The code must be unique!');
      }
      try {
        await t.call('test.orm.item', 'exists', [[full]]);
        expect.fail('should raise');
      } catch (e: any) {
        expect(e.odooName).to.equal('odoo.exceptions.AccessError');
        expect(e.message).to.equal("Private methods (such as 'test.orm.item.exists') cannot be called remotely.");
      }
    });
  });

  describe('name_search / default_get / fields_get', () => {
    it('name_search takes `domain` by keyword (19) or positionally', async () => {
      const kw = await t.call('test.orm.item', 'name_search', [], { name: 'Ful', domain: [['qty', '=', 3]], limit: 5 });
      expect(kw).to.deep.equal([[full, 'Full']]);
      const pos = await t.call('test.orm.item', 'name_search', ['Ful', [['qty', '=', 4]], 'ilike', 5]);
      expect(pos).to.deep.equal([]);
      const exact = await t.call('test.orm.item', 'name_search', ['full'], { operator: '=' });
      expect(exact).to.deep.equal([]);
      try {
        await t.call('test.orm.item', 'name_search', ['x'], { args: [] });
        expect.fail('args was renamed to domain in 19');
      } catch (e: any) {
        expect(e.odooName).to.equal('builtins.TypeError');
      }
    });
    it('default_get takes `fields` by keyword', async () => {
      expect(await t.call('test.orm.item', 'default_get', [], { fields: ['active', 'name', 'flag'] })).to.deep.equal({ active: true });
      expect(await t.call('test.orm.item', 'default_get', [['active']], { context: { default_name: 'Ctx', default_tag_ids: tags } })).to.deep.equal({ active: true });
      expect(await t.call('test.orm.item', 'default_get', [['name', 'tag_ids']], { context: { default_name: 'Ctx', default_tag_ids: tags } })).to.deep.equal({ name: 'Ctx', tag_ids: [[6, 0, tags]] });
    });
    it('fields_get: attributes=[] gives {} per field; full descriptions', async () => {
      const none = await t.call('test.orm.item', 'fields_get', [], { attributes: [] });
      expect(none.name).to.deep.equal({});
      expect(Object.keys(none)[0]).to.equal('id');
      const all = await t.call('test.orm.item', 'fields_get');
      expect(all.state).to.deep.include({ type: 'selection', selection: [['draft', 'Draft'], ['done', 'Done']], string: 'State', store: true });
      expect(all.partner_id).to.deep.include({ type: 'many2one', relation: 'res.partner', domain: [], context: {} });
      expect(all.line_ids).to.deep.include({ type: 'one2many', relation: 'test.orm.line', relation_field: 'item_id' });
      expect(all.tag_ids).to.deep.include({ type: 'many2many', relation: 'test.orm.tag' });
      expect(all.line_count).to.deep.include({ type: 'integer', store: false, readonly: true, searchable: true, sortable: false });
      expect(all.partner_email).to.deep.include({ related: 'partner_id.email', store: false, searchable: true });
      expect(all.upper_name).to.deep.include({ readonly: false, store: false });
      expect(all.price).to.deep.include({ digits: [16, 2], aggregator: 'sum' });
      const some = await t.call('test.orm.item', 'fields_get', [['name', 'qty']], { attributes: ['type', 'string'] });
      expect(some).to.deep.equal({ name: { type: 'char', string: 'Name' }, qty: { type: 'integer', string: 'Quantity' } });
    });
    it('fields_get shape matches the capture (attributes string/type/required)', async () => {
      const real = capture('jsonrpc-object-fields_get-attrs.txt');
      const ours = await t.call('res.partner', 'fields_get', [], { attributes: ['string', 'type', 'required'] });
      expect(shape(ours.id)).to.deep.equal(shape(real.id));
      expect(ours.id).to.deep.equal(real.id);
      expect(ours.display_name).to.deep.equal(real.display_name);
      expect(ours.create_uid).to.deep.equal(real.create_uid);
    });
  });

  describe('read_group / formatted_read_group', () => {
    let g: OrmTestRegistry;
    before(async () => {
      g = t;
      await g.call('test.orm.item', 'create', [[
        { name: 'g1', qty: 1, price: 1, state: 'draft', day: '2024-01-10', moment: '2024-01-31 23:30:00', partner_id: partner },
        { name: 'g2', qty: 2, price: 2, state: 'draft', day: '2024-01-20', moment: '2024-02-01 10:00:00' },
        { name: 'g3', qty: 4, price: 4, state: 'done', day: '2024-03-05', moment: '2024-03-05 10:00:00', partner_id: partner },
      ]]);
    });
    const dom = [['name', 'like', 'g']];

    it('read_group lazy: `<field>_count`, __domain, aggregates; shape of the capture', async () => {
      const res = await g.call('test.orm.item', 'read_group', [dom, ['qty', 'price:max'], ['state']]);
      expect(res).to.deep.equal([
        { state: 'done', state_count: 1, qty: 4, price: 4, __domain: ['&', ['name', 'like', 'g'], ['state', '=', 'done']] },
        { state: 'draft', state_count: 2, qty: 3, price: 2, __domain: ['&', ['name', 'like', 'g'], ['state', '=', 'draft']] },
      ]);
      const real = capture('jsonrpc-object-read_group.txt');
      const ours = await g.call('res.partner', 'read_group', [[], ['is_company'], ['is_company']]);
      expect(shape(ours)).to.deep.equal(shape(real));
      expect(ours[0].__domain).to.deep.equal([['is_company', '=', ours[0].is_company]]);
    });
    it('read_group lazy with several groupbys keeps `<first>_count` and sets __context', async () => {
      const res = await g.call('test.orm.item', 'read_group', [dom, [], ['state', 'partner_id']]);
      expect(res[0]).to.have.keys('state', 'state_count', '__domain', '__context');
      expect(res[0].__context).to.deep.equal({ group_by: ['partner_id'] });
    });
    it('read_group lazy=false: __count and every groupby; many2one as [id, name]', async () => {
      const res = await g.call('test.orm.item', 'read_group', [dom, ['qty:sum'], ['state', 'partner_id']], { lazy: false });
      expect(res).to.deep.equal([
        { state: 'done', partner_id: [partner, 'Reader Co'], __count: 1, qty: 4, __domain: ['&', '&', ['name', 'like', 'g'], ['state', '=', 'done'], ['partner_id', '=', partner]] },
        { state: 'draft', partner_id: [partner, 'Reader Co'], __count: 1, qty: 1, __domain: ['&', '&', ['name', 'like', 'g'], ['state', '=', 'draft'], ['partner_id', '=', partner]] },
        { state: 'draft', partner_id: false, __count: 1, qty: 2, __domain: ['&', '&', ['name', 'like', 'g'], ['state', '=', 'draft'], ['partner_id', '=', false]] },
      ]);
      for (const group of res) expect(await g.call('test.orm.item', 'search_count', [group.__domain])).to.equal(group.__count);
    });
    it('read_group on dates: month by default, labels, __range', async () => {
      const res = await g.call('test.orm.item', 'read_group', [dom, [], ['day']]);
      expect(res).to.deep.equal([
        { day: 'January 2024', day_count: 2, __domain: ['&', ['name', 'like', 'g'], '&', ['day', '>=', '2024-01-01'], ['day', '<', '2024-02-01']], __range: { day: { from: '2024-01-01', to: '2024-02-01' } } },
        { day: 'March 2024', day_count: 1, __domain: ['&', ['name', 'like', 'g'], '&', ['day', '>=', '2024-03-01'], ['day', '<', '2024-04-01']], __range: { day: { from: '2024-03-01', to: '2024-04-01' } } },
      ]);
      const labels = async (gb: string) => (await g.call('test.orm.item', 'read_group', [dom, [], [gb]])).map((r: any) => r[gb]);
      expect(await labels('day:year')).to.deep.equal(['2024']);
      expect(await labels('day:quarter')).to.deep.equal(['Q1 2024']);
      expect(await labels('day:day')).to.deep.equal(['10 Jan 2024', '20 Jan 2024', '05 Mar 2024']);
      expect(await labels('day:week')).to.deep.equal(['W2 2024', 'W3 2024', 'W10 2024']);
      const parts = await g.call('test.orm.item', 'read_group', [dom, [], ['day:month_number']]);
      expect(parts.map((r: any) => [r['day:month_number'], r.day_count])).to.deep.equal([[1, 2], [3, 1]]);
      for (const group of parts) expect(await g.call('test.orm.item', 'search_count', [group.__domain])).to.equal(group.day_count);
    });
    it('datetime groups follow the context tz; the range is in UTC', async () => {
      const utc = await g.call('test.orm.item', 'read_group', [dom, [], ['moment:month']]);
      expect(utc.map((r: any) => [r['moment:month'], r['moment_count']])).to.deep.equal([['January 2024', 1], ['February 2024', 1], ['March 2024', 1]]);
      const bxl = await g.call('test.orm.item', 'read_group', [dom, [], ['moment:month']], { context: { tz: 'Europe/Brussels' } });
      expect(bxl.map((r: any) => [r['moment:month'], r['moment_count']])).to.deep.equal([['February 2024', 2], ['March 2024', 1]]);
      expect(bxl[0].__range['moment:month']).to.deep.equal({ from: '2024-01-31 23:00:00', to: '2024-02-29 23:00:00' });
      expect(await g.call('test.orm.item', 'search_count', [bxl[0].__domain])).to.equal(2);
    });
    it('formatted_read_group: exact spec keys, __extra_domain, [start, label] for dates; capture shape', async () => {
      const res = await g.call('test.orm.item', 'formatted_read_group', [dom], { groupby: ['state', 'day:month'], aggregates: ['__count', 'qty:sum', 'price:avg'] });
      expect(res).to.deep.equal([
        { state: 'done', 'day:month': ['2024-03-01', 'March 2024'], __extra_domain: ['&', ['state', '=', 'done'], '&', ['day', '>=', '2024-03-01'], ['day', '<', '2024-04-01']], __count: 1, 'qty:sum': 4, 'price:avg': 4 },
        { state: 'draft', 'day:month': ['2024-01-01', 'January 2024'], __extra_domain: ['&', ['state', '=', 'draft'], '&', ['day', '>=', '2024-01-01'], ['day', '<', '2024-02-01']], __count: 2, 'qty:sum': 3, 'price:avg': 1.5 },
      ]);
      const real = capture('jsonrpc-object-formatted_read_group.txt');
      const ours = await g.call('res.partner', 'formatted_read_group', [[]], { groupby: ['is_company'], aggregates: ['__count'] });
      expect(shape(ours)).to.deep.equal(shape(real));
      expect(Object.keys(ours[0])).to.deep.equal(Object.keys(real[0]));
    });
    it('formatted_read_group: having, no groupby, errors', async () => {
      const having = await g.call('test.orm.item', 'formatted_read_group', [dom], { groupby: ['state'], aggregates: ['__count'], having: [['__count', '>', 1]] });
      expect(having).to.deep.equal([{ state: 'draft', __extra_domain: [['state', '=', 'draft']], __count: 2 }]);
      const single = await g.call('test.orm.item', 'formatted_read_group', [dom], { aggregates: ['__count', 'qty:sum'] });
      expect(single).to.deep.equal([{ __count: 3, 'qty:sum': 7 }]);
      for (const [kw, re] of [
        [{ groupby: ['day'] }, /Granularity not set on a date\(time\) field/],
        [{ aggregates: ['qty'] }, /Aggregate method is mandatory/],
      ] as const) {
        try {
          await g.call('test.orm.item', 'formatted_read_group', [dom], kw);
          expect.fail('should raise');
        } catch (e: any) {
          expect(e.odooName).to.equal('builtins.ValueError');
          expect(e.message).to.match(re);
        }
      }
    });
    it('web_read_group: groups and length', async () => {
      const res = await g.call('test.orm.item', 'web_read_group', [dom, ['state']], { limit: 1, offset: 1 });
      expect(res.length).to.equal(2);
      expect(res.groups).to.deep.equal([{ state: 'draft', __extra_domain: [['state', '=', 'draft']], __count: 2 }]);
    });
  });

  describe('web_read / web_search_read', () => {
    it('many2one: bare id without fields, object with fields', async () => {
      const [bare] = await t.call('test.orm.item', 'web_read', [[full]], { specification: { partner_id: {}, name: {} } });
      expect(bare).to.deep.equal({ id: full, partner_id: partner, name: 'Full' });
      const [obj] = await t.call('test.orm.item', 'web_read', [[full]], { specification: { partner_id: { fields: { display_name: {}, is_company: {} } } } });
      expect(obj.partner_id).to.deep.equal({ id: partner, display_name: 'Reader Co', is_company: true });
      const [emptyFields] = await t.call('test.orm.item', 'web_read', [[full]], { specification: { partner_id: { fields: {} } } });
      expect(emptyFields.partner_id).to.equal(partner);
      const [none] = await t.call('test.orm.item', 'web_read', [[empty]], { specification: { partner_id: { fields: { display_name: {} } } } });
      expect(none.partner_id).to.equal(false);
    });
    it('x2many: ids without a spec, objects with fields, limit', async () => {
      const [ids] = await t.call('test.orm.item', 'web_read', [[full]], { specification: { tag_ids: {} } });
      expect(ids.tag_ids).to.deep.equal(tags);
      const [objs] = await t.call('test.orm.item', 'web_read', [[full]], { specification: { tag_ids: { fields: { name: {} }, limit: 1 } } });
      expect(objs.tag_ids).to.deep.equal([{ id: tags[0], name: 'T1' }, { id: tags[1] }]);
      const [ordered] = await t.call('test.orm.item', 'web_read', [[full]], { specification: { tag_ids: { fields: { name: {} }, order: 'name desc' } } });
      expect(ordered.tag_ids.map((x: any) => x.name)).to.deep.equal(['T2', 'T1']);
    });
    it('web_search_read: length = offset + records, counted when the limit is reached', async () => {
      const all = await t.call('test.orm.item', 'search_count', [[]]);
      const page = await t.call('test.orm.item', 'web_search_read', [[]], { specification: { name: {} }, limit: 2, order: 'id' });
      expect(page.records).to.have.length(2);
      expect(page.length).to.equal(all);
      const capped = await t.call('test.orm.item', 'web_search_read', [[]], { specification: { name: {} }, limit: 2, count_limit: 3 });
      expect(capped.length).to.equal(Math.min(all, 3));
      const last = await t.call('test.orm.item', 'web_search_read', [[]], { specification: { name: {} }, offset: all - 1, limit: 10 });
      expect(last.length).to.equal(all);
      expect(await t.call('test.orm.item', 'web_search_read', [[['id', '=', -1]]], { specification: { name: {} }, offset: 5 })).to.deep.equal({ length: 0, records: [] });
    });
  });

  describe('get_metadata', () => {
    it('has log fields, xmlid and noupdate', async () => {
      const [m] = await t.call('test.orm.item', 'get_metadata', [[full]]);
      expect(m).to.include({ id: full, xmlid: false, noupdate: false });
      expect(m.xmlids).to.deep.equal([]);
      expect(m.create_uid).to.deep.equal([2, 'Administrator']);
      expect(m.create_date).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });
  });
});

// Domain semantics (spec §9): every operator, Odoo's falsy/NULL rules, relational paths,
// hierarchy operators, active_test, datetimes and dynamic dates, error messages.

import { expect } from 'chai';
import { ormRegistry, type OrmTestRegistry } from '../helpers/orm.ts';
import { sql } from '../../models/orm/sql.ts';

type Key = 'a' | 'b' | 'c' | 'd' | 'e';

describe('ORM: domains', () => {
  let t: OrmTestRegistry;
  const I: Record<Key, number> = { a: 0, b: 0, c: 0, d: 0, e: 0 };
  const P: Record<string, number> = {};
  const T: Record<string, number> = {};

  before(async () => {
    t = await ormRegistry();
    const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
    P.root = await t.call('res.partner', 'create', [{ name: 'Root Co', is_company: true, email: 'root@example.com', country_id: be }]);
    P.kid = await t.call('res.partner', 'create', [{ name: 'Kid A', parent_id: P.root }]);
    P.grand = await t.call('res.partner', 'create', [{ name: 'Grand', parent_id: P.kid }]);
    P.other = await t.call('res.partner', 'create', [{ name: 'Other Co', is_company: true }]);
    P.archived = await t.call('res.partner', 'create', [{ name: 'Archived Parent', is_company: true, active: false }]);
    P.orphan = await t.call('res.partner', 'create', [{ name: 'Orphan', parent_id: P.archived }]);
    T.red = await t.call('test.orm.tag', 'create', [{ name: 'Red' }]);
    T.blue = await t.call('test.orm.tag', 'create', [{ name: 'Blue', parent_id: T.red }]);
    T.old = await t.call('test.orm.tag', 'create', [{ name: 'Old', active: false }]);
    I.a = await t.call('test.orm.item', 'create', [{
      name: 'Alpha', code: 'A%1', qty: 5, price: 1.5, flag: true, day: '2024-01-15', moment: '2024-01-15 10:00:00',
      state: 'draft', partner_id: P.root, tag_ids: [[6, 0, [T.red, T.blue]]], line_ids: [[0, 0, { name: 'l1', value: 2 }], [0, 0, { name: 'l2', value: 8 }]],
    }]);
    I.b = await t.call('test.orm.item', 'create', [{ name: '', code: 'B_2', parent_id: I.a }]);
    I.c = await t.call('test.orm.item', 'create', [{
      code: 'c3', qty: 0, price: 0, flag: false, day: '2024-02-01', moment: '2024-01-31 23:30:00', state: 'done',
      partner_id: P.kid, tag_ids: [[4, T.blue]], parent_id: I.a, line_ids: [[0, 0, { name: 'l3', value: 1 }]],
    }]);
    I.d = await t.call('test.orm.item', 'create', [{
      name: 'alpha beta', qty: -3, price: 10, flag: true, day: '2023-12-31', moment: '2024-01-15 10:00:00', state: 'done',
      partner_id: P.other, tag_ids: [[6, 0, [T.old]]], parent_id: I.b,
    }]);
    I.e = await t.call('test.orm.item', 'create', [{ name: 'Ghost', code: 'E', qty: 7, flag: false, state: 'draft', partner_id: P.root, active: false }]);
    // NULLs where the create path would have written a value, and a fractional second.
    await t.env(async (env) => {
      await env.cr.execute(sql`UPDATE test_orm_item SET qty = NULL, price = NULL, flag = NULL WHERE id = ${I.b}`);
      await env.cr.execute(sql`UPDATE test_orm_item SET moment = '2024-01-15 10:00:00.4' WHERE id = ${I.d}`);
    });
  });
  after(async () => t.close());

  async function search(domain: unknown[], context: Record<string, unknown> = {}, model = 'test.orm.item'): Promise<number[]> {
    return t.call(model, 'search', [domain], { context, order: 'id' });
  }
  async function expectItems(domain: unknown[], keys: Key[], context: Record<string, unknown> = {}): Promise<void> {
    const got = await search(domain, context);
    const want = keys.map((k) => I[k]).sort((x, y) => x - y);
    const names = (ids: number[]) => ids.map((id) => (Object.keys(I) as Key[]).find((k) => I[k] === id) ?? id);
    expect(names(got), JSON.stringify(domain)).to.deep.equal(names(want));
  }
  async function expectError(domain: unknown[], name: string, message?: string | RegExp, model = 'test.orm.item'): Promise<void> {
    try {
      await search(domain, {}, model);
    } catch (e: any) {
      expect(e.odooName, `${JSON.stringify(domain)}: ${e.message}`).to.equal(name);
      if (typeof message === 'string') expect(e.message).to.equal(message);
      else if (message) expect(e.message).to.match(message);
      return;
    }
    expect.fail(`${JSON.stringify(domain)} should raise ${name}`);
  }

  describe('equality and sets', () => {
    it('= != <> == on char', async () => {
      await expectItems([['name', '=', 'Alpha']], ['a']);
      await expectItems([['name', '==', 'Alpha']], ['a']);
      await expectItems([['name', '!=', 'Alpha']], ['b', 'c', 'd']);
      await expectItems([['name', '<>', 'Alpha']], ['b', 'c', 'd']);
    });
    it('char falsy: False and "" both match NULL and ""', async () => {
      await expectItems([['name', '=', false]], ['b', 'c']);
      await expectItems([['name', '=', null]], ['b', 'c']);
      await expectItems([['name', '=', '']], ['b', 'c']);
      await expectItems([['name', '!=', false]], ['a', 'd']);
      await expectItems([['name', '!=', '']], ['a', 'd']);
    });
    it('in / not in with False in the list and with empty lists', async () => {
      await expectItems([['name', 'in', ['Alpha', false]]], ['a', 'b', 'c']);
      await expectItems([['name', 'in', []]], []);
      await expectItems([['name', 'not in', []]], ['a', 'b', 'c', 'd']);
      await expectItems([['name', 'not in', ['Alpha']]], ['b', 'c', 'd']);
      await expectItems([['name', 'not in', ['Alpha', false]]], ['d']);
      await expectItems([['name', 'in', 'Alpha']], ['a']); // a scalar is wrapped
      await expectItems([['name', '=', ['Alpha', 'alpha beta']]], ['a', 'd']); // = with a list is `in`
      await expectItems([['name', '=', []]], ['b', 'c']); // = [] means unset
      await expectItems([['name', '!=', []]], ['a', 'd']);
    });
    it('integer falsy: 0 and False both match NULL and 0', async () => {
      await expectItems([['qty', '=', 0]], ['b', 'c']);
      await expectItems([['qty', '=', false]], ['b', 'c']);
      await expectItems([['qty', '!=', 0]], ['a', 'd']);
      await expectItems([['qty', '!=', false]], ['a', 'd']);
      await expectItems([['qty', 'in', [5, false]]], ['a', 'b', 'c']);
      await expectItems([['qty', 'not in', [5]]], ['b', 'c', 'd']);
      await expectItems([['price', '=', 0]], ['b', 'c']);
    });
    it('boolean: = False is IS NOT TRUE (NULL included)', async () => {
      await expectItems([['flag', '=', true]], ['a', 'd']);
      await expectItems([['flag', '=', false]], ['b', 'c']);
      await expectItems([['flag', '!=', true]], ['b', 'c']);
      await expectItems([['flag', '!=', false]], ['a', 'd']);
      await expectItems([['flag', 'in', [true, false]]], ['a', 'b', 'c', 'd']);
      await expectItems([['flag', 'not in', [true, false]]], []);
      await expectItems([['flag', '=', 'false']], ['b', 'c']);
      await expectItems([['flag', '=', 'true']], ['a', 'd']);
    });
    it('selection and date with False', async () => {
      await expectItems([['state', '=', false]], ['b']);
      await expectItems([['state', '=', 'done']], ['c', 'd']);
      await expectItems([['state', '!=', 'done']], ['a', 'b']);
      await expectItems([['day', '=', false]], ['b']);
      await expectItems([['day', '!=', false]], ['a', 'c', 'd']);
    });
    it('=? is TRUE for a falsy value, else =', async () => {
      for (const v of [false, null, '', 0, []]) await expectItems([['name', '=?', v]], ['a', 'b', 'c', 'd']);
      await expectItems([['name', '=?', 'Alpha']], ['a']);
      await expectItems([['qty', '=?', 5]], ['a']);
      await expectItems([['partner_id', '=?', P.kid]], ['c']);
    });
    it('id conditions', async () => {
      await expectItems([['id', '=', I.a]], ['a']);
      await expectItems([['id', 'in', [I.a, I.c]]], ['a', 'c']);
      await expectItems([['id', 'not in', [I.a]]], ['b', 'c', 'd']);
      await expectItems([['id', '=', false]], []);
      await expectItems([['id', '!=', false]], ['a', 'b', 'c', 'd']);
      await expectItems([['id', '>', I.b]], ['c', 'd']);
    });
  });

  describe('inequalities', () => {
    it('numbers: NULL counts as 0', async () => {
      await expectItems([['qty', '<', 1]], ['b', 'c', 'd']);
      await expectItems([['qty', '>', -1]], ['a', 'b', 'c']);
      await expectItems([['qty', '>=', 0]], ['a', 'b', 'c']);
      await expectItems([['qty', '<=', -3]], ['d']);
      await expectItems([['qty', '<', -1]], ['d']);
      await expectItems([['qty', '>', 0]], ['a']);
      await expectItems([['qty', '<', false]], ['d']); // False is 0
      await expectItems([['price', '<', 1]], ['b', 'c']);
      await expectItems([['price', '>', 1]], ['a', 'd']);
      await expectItems([['price', '>=', 1.5]], ['a', 'd']);
    });
    it('dates: comparing with False matches nothing', async () => {
      await expectItems([['day', '<', false]], []);
      await expectItems([['day', '>', false]], []);
      await expectItems([['moment', '>=', false]], []);
      await expectItems([['day', '>', '2024-01-15']], ['c']);
      await expectItems([['day', '>=', '2024-01-15']], ['a', 'c']);
      await expectItems([['day', '<', '2024-01-15']], ['d']);
      await expectItems([['day', '=', '2024-01-15']], ['a']);
      // A datetime value on a date field is cut to its date.
      await expectItems([['day', '>', '2024-01-15 13:00:00']], ['c']);
    });
    it('relational fields compared to a string with < > is a TypeError', async () => {
      await expectError([['partner_id', '<', 'x']], 'builtins.TypeError', "Inequality not supported for relational field using a string in condition ('partner_id', '<', 'x')");
      await expectError([['tag_ids', '>', 'x']], 'builtins.TypeError');
    });
  });

  describe('like operators', () => {
    it('like / ilike / not like / not ilike', async () => {
      await expectItems([['name', 'like', 'lpha']], ['a', 'd']);
      await expectItems([['name', 'like', 'Alpha']], ['a']);
      await expectItems([['name', 'ilike', 'ALPHA']], ['a', 'd']);
      await expectItems([['name', 'not ilike', 'alpha']], ['b', 'c']); // NULL and '' included
      await expectItems([['name', 'not like', 'Alpha']], ['b', 'c', 'd']);
    });
    it('the value is not escaped: % and _ are wildcards', async () => {
      await expectItems([['code', 'like', '%']], ['a', 'b', 'c']);
      await expectItems([['code', 'like', 'A%1']], ['a']);
      await expectItems([['code', 'like', '_2']], ['b']);
      await expectItems([['code', 'ilike', '_']], ['a', 'b', 'c']);
    });
    it('empty values: ilike "" is TRUE (NULL too), not ilike "" FALSE; non-strings are converted', async () => {
      await expectItems([['name', 'ilike', '']], ['a', 'b', 'c', 'd']);
      await expectItems([['name', 'like', false]], ['a', 'b', 'c', 'd']);
      await expectItems([['name', 'not ilike', '']], []);
      await expectItems([['name', 'not like', false]], []);
      await expectItems([['code', 'ilike', 3]], ['c']);
      await expectItems([['qty', 'like', 5]], ['a']);
    });
    it('=like / =ilike / not =like / not =ilike', async () => {
      await expectItems([['name', '=like', 'Alpha']], ['a']);
      await expectItems([['name', '=like', 'alpha%']], ['d']);
      await expectItems([['name', '=ilike', 'alpha%']], ['a', 'd']);
      await expectItems([['name', '=ilike', 'ALPHA']], ['a']);
      await expectItems([['name', 'not =like', 'Alpha']], ['b', 'c', 'd']);
      await expectItems([['name', 'not =ilike', 'ALPHA']], ['b', 'c', 'd']);
      // =like '' becomes = False; not =like '' becomes != False
      await expectItems([['name', '=like', '']], ['b', 'c']);
      await expectItems([['name', '=like', false]], ['b', 'c']);
      await expectItems([['name', 'not =like', '']], ['a', 'd']);
    });
    it('=like with a non-string pattern is a TypeError', async () => {
      await expectError([['name', '=like', 5]], 'builtins.TypeError', "The pattern to match must be a string in condition ('name', '=like', 5)");
      await expectError([['name', 'not =ilike', true]], 'builtins.TypeError');
    });
    it('on a many2one: any display_name; ilike "" means set', async () => {
      await expectItems([['partner_id', 'ilike', 'root']], ['a', 'c']); // "Root Co, Kid A" matches too
      await expectItems([['partner_id', 'ilike', '']], ['a', 'c', 'd']);
      await expectItems([['partner_id', 'not ilike', '']], ['b']);
      await expectItems([['partner_id', 'not ilike', 'root']], ['b', 'd']);
      await expectItems([['partner_id', '=like', '']], ['b']);
      await expectItems([['partner_id', '=ilike', 'other co']], ['d']);
    });
    it('on a many2one with = and a string: exact display name', async () => {
      await expectItems([['partner_id', '=', 'Other Co']], ['d']);
      await expectItems([['partner_id', '=', 'other']], []);
      await expectItems([['partner_id', '!=', 'Other Co']], ['a', 'b', 'c']);
      await expectItems([['partner_id', 'in', ['Other Co', P.root]]], ['a', 'd']);
      await expectItems([['partner_id', 'not in', ['Other Co', P.root]]], ['b', 'c']);
    });
    it('on an x2many: any linked record by display_name', async () => {
      await expectItems([['tag_ids', 'ilike', 're']], ['a']);
      await expectItems([['tag_ids', 'not ilike', 're']], ['b', 'c', 'd']);
      // `ilike ''` is `!= False`: d's archived tag counts as set.
      await expectItems([['tag_ids', 'ilike', '']], ['a', 'c', 'd']);
      await expectItems([['tag_ids', 'not ilike', '']], ['b']);
    });
  });

  describe('relational fields', () => {
    it('many2one ids and False', async () => {
      await expectItems([['partner_id', '=', P.root]], ['a']);
      await expectItems([['partner_id', '=', false]], ['b']);
      await expectItems([['partner_id', '!=', false]], ['a', 'c', 'd']);
      await expectItems([['partner_id', '!=', P.root]], ['b', 'c', 'd']);
      await expectItems([['partner_id', 'in', [P.root, false]]], ['a', 'b']);
    });
    it('x2many = / in / not in / = False / != False (ids and False count archived records, names follow active_test)', async () => {
      await expectItems([['tag_ids', '=', T.red]], ['a']);
      await expectItems([['tag_ids', 'in', [T.red, T.blue]]], ['a', 'c']);
      await expectItems([['tag_ids', 'not in', [T.red]]], ['b', 'c', 'd']);
      await expectItems([['tag_ids', '=', false]], ['b']); // d's only tag is archived: still set
      await expectItems([['tag_ids', '!=', false]], ['a', 'c', 'd']);
      await expectItems([['tag_ids', '=', 'Blue']], ['a', 'c']);
      await expectItems([['tag_ids', '=', false]], ['b', 'e'], { active_test: false });
      await expectItems([['line_ids', '=', false]], ['b', 'd']);
      await expectItems([['child_ids', '!=', false]], ['a', 'b']);
      const noKids = await search([['child_ids', '=', false], ['id', 'in', [P.root, P.kid, P.grand]]], {}, 'res.partner');
      expect(noKids).to.deep.equal([P.grand]);
    });
    it('any / not any on many2one, one2many and many2many', async () => {
      await expectItems([['partner_id', 'any', [['is_company', '=', true]]]], ['a', 'd']);
      await expectItems([['partner_id', 'not any', [['is_company', '=', true]]]], ['b', 'c']);
      await expectItems([['partner_id', 'any', []]], ['a', 'c', 'd']);
      await expectItems([['tag_ids', 'any', [['name', '=', 'Blue']]]], ['a', 'c']);
      await expectItems([['tag_ids', 'any', []]], ['a', 'c']);
      await expectItems([['tag_ids', 'not any', []]], ['b', 'd']); // has none
      await expectItems([['line_ids', 'any', [['value', '>', 5]]]], ['a']);
      await expectItems([['line_ids', 'not any', [['value', '>', 5]]]], ['b', 'c', 'd']);
      await expectItems([['child_ids', 'any', [['code', '=', 'B_2']]]], ['a']);
      await expectItems([['id', 'any', [['name', '=', 'Alpha']]]], ['a']);
      await expectItems([['id', 'not any', [['name', '=', 'Alpha']]]], ['b', 'c', 'd']);
    });
    it('many2one any includes archived comodel records', async () => {
      const got = await search([['parent_id', 'any', [['name', '=', 'Archived Parent']]]], {}, 'res.partner');
      expect(got).to.deep.equal([P.orphan]);
      expect(await search([['parent_id.name', '=', 'Archived Parent']], {}, 'res.partner')).to.deep.equal([P.orphan]);
    });
    it('dotted paths through many2one, one2many and many2many', async () => {
      await expectItems([['partner_id.name', '=', 'Root Co']], ['a']);
      await expectItems([['partner_id.country_id.code', '=', 'BE']], ['a']);
      await expectItems([['partner_id.is_company', '=', true]], ['a', 'd']);
      await expectItems([['tag_ids.name', '=', 'Blue']], ['a', 'c']);
      await expectItems([['line_ids.value', '>', 5]], ['a']);
      await expectItems([['child_ids.code', '=', 'B_2']], ['a']);
      await expectItems([['parent_id.name', '=', 'Alpha']], ['b', 'c']);
      await expectItems([['parent_id.parent_id.name', '=', 'Alpha']], ['d']);
      // The operator applies inside `any`: records without a partner do not match.
      await expectItems([['partner_id.name', '!=', 'Root Co']], ['c', 'd']);
    });
    it('related and searchable non-stored fields', async () => {
      await expectItems([['partner_email', '=', 'root@example.com']], ['a']);
      await expectItems([['partner_email', 'ilike', 'example']], ['a']);
      await expectItems([['partner_country_code', '=', 'BE']], ['a']);
      await expectItems([['line_count', '>', 1]], ['a']);
      await expectItems([['line_count', '=', 0]], ['b', 'd']);
      await expectItems([['display_name', 'ilike', 'alpha']], ['a', 'd']);
    });
  });

  describe('hierarchy operators', () => {
    const partners = (domain: unknown[], context = {}) => search(domain, context, 'res.partner');
    it('child_of with an id, a name and a list', async () => {
      expect(await partners([['id', 'child_of', P.root]])).to.deep.equal([P.root, P.kid, P.grand]);
      expect(await partners([['id', 'child_of', 'Root Co']])).to.deep.equal([P.root, P.kid, P.grand]);
      expect(await partners([['id', 'child_of', [P.kid, P.other]]])).to.deep.equal([P.kid, P.grand, P.other]);
      expect(await partners([['id', 'child_of', [P.kid, 'Other Co']]])).to.deep.equal([P.kid, P.grand, P.other]);
      // A many2one to the same model names the parent field: the condition is on the id.
      expect(await partners([['parent_id', 'child_of', P.root]])).to.deep.equal([P.root, P.kid, P.grand]);
      expect(await partners([['id', 'child_of', false]])).to.deep.equal([]);
      expect(await partners([['id', 'child_of', []]])).to.deep.equal([]);
    });
    it('parent_of', async () => {
      expect(await partners([['id', 'parent_of', P.grand]])).to.deep.equal([P.root, P.kid, P.grand]);
      expect(await partners([['id', 'parent_of', [P.kid, P.other]]])).to.deep.equal([P.root, P.kid, P.other]);
      expect(await partners([['parent_id', 'parent_of', 'Grand']])).to.deep.equal([P.root, P.kid, P.grand]);
      // The walk ignores active_test; the search itself does not.
      expect(await partners([['id', 'parent_of', P.orphan]])).to.deep.equal([P.orphan]);
      expect(await partners([['id', 'parent_of', P.orphan]], { active_test: false })).to.deep.equal([P.archived, P.orphan]);
    });
    it('through a many2one or many2many to another model', async () => {
      await expectItems([['partner_id', 'child_of', P.root]], ['a', 'c']);
      await expectItems([['partner_id', 'parent_of', P.grand]], ['a', 'c']);
      await expectItems([['tag_ids', 'child_of', T.red]], ['a', 'c']);
      await expectItems([['tag_ids', 'child_of', 'Blue']], ['a', 'c']);
      await expectItems([['parent_id', 'child_of', I.a]], ['a', 'b', 'c', 'd']);
      await expectItems([['parent_id', 'child_of', I.b]], ['b', 'd']);
    });
  });

  describe('logic', () => {
    it('prefix & | ! and implicit AND', async () => {
      await expectItems(['|', ['name', '=', 'Alpha'], ['qty', '=', 0]], ['a', 'b', 'c']);
      await expectItems(['&', ['flag', '=', true], ['qty', '>', 0]], ['a']);
      await expectItems([['flag', '=', true], ['qty', '>', 0]], ['a']);
      await expectItems(['!', ['name', '=', 'Alpha']], ['b', 'c', 'd']);
      await expectItems(['!', '|', ['name', '=', 'Alpha'], ['qty', '=', 0]], ['d']);
      // (A or B) and C
      await expectItems(['|', ['name', '=', 'Alpha'], ['qty', '=', 0], ['flag', '=', false]], ['b', 'c']);
      await expectItems(['!', '!', ['name', '=', 'Alpha']], ['a']);
    });
    it('! also matches rows where the condition is NULL', async () => {
      await expectItems(['!', ['day', '>', '2024-01-01']], ['b', 'd']);
      await expectItems(['!', ['qty', '>', 0]], ['b', 'c', 'd']);
      await expectItems(['!', ['partner_id.name', '=', 'Root Co']], ['b', 'c', 'd']);
      await expectItems(['!', ['tag_ids', '=', T.red]], ['b', 'c', 'd']);
    });
    it('constant leaves [1,"=",1] and [0,"=",1]', async () => {
      await expectItems([[1, '=', 1]], ['a', 'b', 'c', 'd']);
      await expectItems([[0, '=', 1]], []);
      await expectItems(['|', [0, '=', 1], ['name', '=', 'Alpha']], ['a']);
      await expectItems(['!', [0, '=', 1]], ['a', 'b', 'c', 'd']);
      await expectItems([], ['a', 'b', 'c', 'd']);
    });
    it('upper-case operators are accepted', async () => {
      await expectItems([['name', 'ILIKE', 'alpha']], ['a', 'd']);
      await expectItems([['name', 'NOT IN', ['Alpha']]], ['b', 'c', 'd']);
    });
  });

  describe('active_test', () => {
    it('implicit active filter; explicit active in the domain disables it; context active_test', async () => {
      await expectItems([], ['a', 'b', 'c', 'd']);
      await expectItems([['active', '=', false]], ['e']);
      await expectItems([['active', 'in', [true, false]]], ['a', 'b', 'c', 'd', 'e']);
      await expectItems(['|', ['active', '=', false], ['name', '=', 'Alpha']], ['a', 'e']);
      await expectItems([], ['a', 'b', 'c', 'd', 'e'], { active_test: false });
      await expectItems([['name', '=', 'Ghost']], ['e'], { active_test: false });
      await expectItems([['name', '=', 'Ghost']], []);
      expect(await t.call('test.orm.item', 'search_count', [[]])).to.equal(4);
      expect(await t.call('test.orm.item', 'search_count', [[]], { context: { active_test: false } })).to.equal(5);
    });
  });

  describe('datetimes and dynamic dates', () => {
    it('= compares the whole second; > steps a second; <= adds one', async () => {
      await expectItems([['moment', '=', '2024-01-15 10:00:00']], ['a', 'd']);
      await expectItems([['moment', 'in', ['2024-01-15 10:00:00', '2024-01-31 23:30:00']]], ['a', 'c', 'd']);
      await expectItems([['moment', '!=', '2024-01-15 10:00:00']], ['b', 'c']);
      await expectItems([['moment', '>', '2024-01-15 09:59:59']], ['a', 'c', 'd']);
      await expectItems([['moment', '>', '2024-01-15 10:00:00']], ['c']);
      await expectItems([['moment', '<=', '2024-01-15 10:00:00']], ['a', 'd']);
      await expectItems([['moment', '<', '2024-01-15 10:00:00']], []);
      await expectItems([['moment', '>=', '2024-01-15T10:00:00']], ['a', 'c', 'd']);
    });
    it('a date on a datetime field is local midnight in the context tz', async () => {
      await expectItems([['moment', '>=', '2024-02-01']], []);
      await expectItems([['moment', '>=', '2024-02-01']], ['c'], { tz: 'Europe/Brussels' });
      await expectItems([['moment', '<', '2024-02-01']], ['a', 'd'], { tz: 'Europe/Brussels' });
      // > and <= with a date step a whole day
      await expectItems([['moment', '>', '2024-01-31']], []);
      await expectItems([['moment', '>', '2024-01-31']], ['c'], { tz: 'Europe/Brussels' });
      await expectItems([['moment', '<=', '2024-01-15']], ['a', 'd']);
      await expectItems([['moment', '<=', '2024-01-14']], []);
    });
    it('zone-suffixed values are refused (ValueError)', async () => {
      await expectError([['moment', '=', '2024-01-15T10:00:00Z']], 'builtins.ValueError');
      await expectError([['moment', '>', '2024-01-15 10:00:00+02:00']], 'builtins.ValueError');
      await expectError([['moment', '>', 'yesterday-ish']], 'builtins.ValueError');
    });
    it('dynamic dates: today, now and offsets', async () => {
      await expectItems([['day', '<', 'today +3d']], ['a', 'c', 'd']);
      await expectItems([['day', '>', 'today']], []);
      await expectItems([['day', '>=', 'today -100000d']], ['a', 'c', 'd']);
      await expectItems([['moment', '<', 'now']], ['a', 'c', 'd']);
      await expectItems([['moment', '>', 'now -1d']], []);
      await expectItems([['moment', '<', 'today =1d +1m']], ['a', 'c', 'd']);
      const recent = await t.call('test.orm.item', 'create', [{ name: 'Recent', moment: new Date(Date.now() - 3600_000).toISOString().slice(0, 19).replace('T', ' ') }]);
      try {
        expect(await search([['moment', '>', 'now -2H']])).to.deep.equal([recent]);
        expect(await search([['moment', '>', '-2H']])).to.deep.equal([recent]); // `now` is the default
        expect(await search([['create_date', '>=', 'today -1d']])).to.include(recent);
      } finally {
        await t.call('test.orm.item', 'unlink', [[recent]]);
      }
    });
  });

  describe('errors', () => {
    it('invalid operator message is exactly Odoo\'s', async () => {
      await expectError([['name', 'bogus_op', 'x']], 'builtins.ValueError', "Invalid operator in condition ('name', 'bogus_op', 'x')");
      await expectError([['name', 'any!', []]], 'builtins.ValueError', "Invalid operator in condition ('name', 'any!', [])");
      await expectError([['name', 'not any!', []]], 'builtins.ValueError');
    });
    it('invalid field message names the model and the condition', async () => {
      await expectError([['bogus', '=', 1]], 'builtins.ValueError', "Invalid field test.orm.item.bogus in condition ('bogus', '=', 1)");
      await expectError([['partner_id.bogus', '=', 1]], 'builtins.ValueError', "Invalid field res.partner.bogus in condition ('bogus', '=', 1)");
      await expectError([['name', '=', "it's"], ['nope', '=', 'x']], 'builtins.ValueError', "Invalid field test.orm.item.nope in condition ('nope', '=', 'x')");
    });
    it('malformed domains', async () => {
      await expectError(['&', ['name', '=', 'x']], 'builtins.ValueError', /malformed domain/);
      await expectError([['name', '=']], 'builtins.ValueError', /invalid item in domain/);
      await expectError(['foo'], 'builtins.ValueError', /invalid item in domain/);
      await expectError([[2, '=', 1]], 'builtins.TypeError');
      await expectError([['', '=', 1]], 'builtins.TypeError', "Empty field name in condition ('', '=', 1)");
      await expectError([['name', 'any', [['x', '=', 1]]]], 'builtins.ValueError', "Cannot use 'any' with non-relational fields in condition ('name', 'any', [['x', '=', 1]])");
    });
    it('the message of a bad domain over RPC matches the capture', async () => {
      try {
        await t.call('res.partner', 'search', [[['name', 'bogus_op', 'x']]]);
        expect.fail('should raise');
      } catch (e: any) {
        expect(e.odooName).to.equal('builtins.ValueError');
        expect(e.message).to.equal("Invalid operator in condition ('name', 'bogus_op', 'x')");
      }
    });
  });
});

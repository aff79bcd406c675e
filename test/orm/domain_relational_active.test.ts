// Relational domains and archived comodel records, as Odoo 19 answers them
// (odoo/orm/fields_relational.py, odoo/orm/domains.py, BaseModel._search):
// - x2many ids and `= False` / `!= False`: archived linked records count, whatever active_test says;
// - x2many `any` / `not any` / dotted paths / names: the comodel's active_test applies;
// - many2one ids, `any` and dotted paths: archived targets always count;
// - an x2many's own field domain (res.partner.child_ids: active contacts) always applies.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('ORM: relational domains and archived comodel records', () => {
  let t: TestRegistry;
  const L: Record<string, number> = {};
  const C: Record<string, number> = {};
  const M: Record<string, number> = {};
  const P: Record<string, number> = {};
  const ALL = { active_test: false };

  before(async () => {
    t = await testRegistry();
    L.live = await t.call('mailing.list', 'create', [{ name: 'Live List' }]);
    L.arch = await t.call('mailing.list', 'create', [{ name: 'Archived List' }]);
    C.live = await t.call('mailing.contact', 'create', [{ name: 'In live', list_ids: [[6, 0, [L.live]]] }]);
    C.arch = await t.call('mailing.contact', 'create', [{ name: 'In archived', list_ids: [[6, 0, [L.arch]]] }]);
    C.both = await t.call('mailing.contact', 'create', [{ name: 'In both', list_ids: [[6, 0, [L.live, L.arch]]] }]);
    C.none = await t.call('mailing.contact', 'create', [{ name: 'In none' }]);
    await t.call('mailing.list', 'write', [[L.arch], { active: false }]);

    const sms = (subject: string, lists: number[]) => ({ subject, mailing_type: 'sms', body_plaintext: 'Hi', contact_list_ids: [[6, 0, lists]] });
    M.arch = await t.call('mailing.mailing', 'create', [sms('To archived', [L.arch])]);
    M.live = await t.call('mailing.mailing', 'create', [sms('To live', [L.live])]);
    M.none = await t.call('mailing.mailing', 'create', [sms('To nobody', [])]);
    await t.env(async (env) => {
      await env.model('mailing.trace').create([{ trace_type: 'sms', model: 'mailing.contact', res_id: C.live, mass_mailing_id: M.live, trace_status: 'sent' }]);
    });

    const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
    P.family = await t.call('res.partner', 'create', [{ name: 'Family Co', is_company: true, country_id: be }]);
    P.kid = await t.call('res.partner', 'create', [{ name: 'Live Kid', parent_id: P.family }]);
    P.gone = await t.call('res.partner', 'create', [{ name: 'Gone Kid', parent_id: P.family }]);
    P.lonely = await t.call('res.partner', 'create', [{ name: 'Lonely Co', is_company: true }]);
    P.ghost = await t.call('res.partner', 'create', [{ name: 'Ghost Kid', parent_id: P.lonely }]);
    P.closed = await t.call('res.partner', 'create', [{ name: 'Closed Co', is_company: true }]);
    P.staff = await t.call('res.partner', 'create', [{ name: 'Staff of Closed', parent_id: P.closed }]);
    await t.call('res.partner', 'write', [[P.gone, P.ghost, P.closed], { active: false }]);
  });
  after(async () => t.close());

  async function names(model: string, domain: unknown[], context: Record<string, unknown> = {}, within?: number[]): Promise<string[]> {
    const d = within ? [...domain, ['id', 'in', within]] : domain;
    const rows: { name?: string; subject?: string }[] = await t.call(model, 'search_read', [d], { fields: [model === 'mailing.mailing' ? 'subject' : 'name'], context });
    return rows.map((r) => (r.name ?? r.subject) as string).sort();
  }
  const contacts = (domain: unknown[], context: Record<string, unknown> = {}) => names('mailing.contact', domain, context, Object.values(C));

  describe('many2many (mailing.contact.list_ids)', () => {
    it('in / not in ids match archived lists, with or without active_test', async () => {
      for (const ctx of [{}, ALL]) {
        expect(await contacts([['list_ids', 'in', [L.arch]]], ctx)).to.deep.equal(['In archived', 'In both']);
        expect(await contacts([['list_ids', '=', L.arch]], ctx)).to.deep.equal(['In archived', 'In both']);
        expect(await contacts([['list_ids', 'in', [L.live]]], ctx)).to.deep.equal(['In both', 'In live']);
        expect(await contacts([['list_ids', 'not in', [L.arch]]], ctx)).to.deep.equal(['In live', 'In none']);
        expect(await contacts([['list_ids', 'in', [L.arch, false]]], ctx)).to.deep.equal(['In archived', 'In both', 'In none']);
      }
    });
    it('= False / != False: a subscription to an archived list is set', async () => {
      for (const ctx of [{}, ALL]) {
        expect(await contacts([['list_ids', '=', false]], ctx)).to.deep.equal(['In none']);
        expect(await contacts([['list_ids', '!=', false]], ctx)).to.deep.equal(['In archived', 'In both', 'In live']);
        expect(await contacts([['list_ids', 'ilike', '']], ctx)).to.deep.equal(['In archived', 'In both', 'In live']);
      }
    });
    it('any / not any / dotted paths / names follow the active_test of the context', async () => {
      expect(await contacts([['list_ids', 'any', []]])).to.deep.equal(['In both', 'In live']);
      expect(await contacts([['list_ids', 'any', []]], ALL)).to.deep.equal(['In archived', 'In both', 'In live']);
      expect(await contacts([['list_ids', 'not any', []]])).to.deep.equal(['In archived', 'In none']);
      expect(await contacts([['list_ids', 'not any', []]], ALL)).to.deep.equal(['In none']);
      expect(await contacts([['list_ids', 'any', [['name', '=', 'Archived List']]]])).to.deep.equal([]);
      expect(await contacts([['list_ids', 'any', [['name', '=', 'Archived List']]]], ALL)).to.deep.equal(['In archived', 'In both']);
      expect(await contacts([['list_ids.name', '=', 'Archived List']])).to.deep.equal([]);
      expect(await contacts([['list_ids.name', '=', 'Archived List']], ALL)).to.deep.equal(['In archived', 'In both']);
      expect(await contacts([['list_ids.name', 'ilike', 'list']])).to.deep.equal(['In both', 'In live']);
      expect(await contacts([['list_ids', 'not any', [['name', '=', 'Archived List']]]])).to.deep.equal(['In archived', 'In both', 'In live', 'In none']);
      expect(await contacts([['list_ids', 'not any', [['name', '=', 'Archived List']]]], ALL)).to.deep.equal(['In live', 'In none']);
      // names are searched on the comodel, active_test included (mixed with ids too)
      expect(await contacts([['list_ids', 'in', ['Archived List']]])).to.deep.equal([]);
      expect(await contacts([['list_ids', 'in', ['Archived List']]], ALL)).to.deep.equal(['In archived', 'In both']);
      expect(await contacts([['list_ids', 'in', ['Live List', L.arch]]])).to.deep.equal(['In both', 'In live']);
      // a domain naming `active` on the comodel replaces active_test
      expect(await contacts([['list_ids', 'any', [['active', '=', false]]]])).to.deep.equal(['In archived', 'In both']);
    });
    it('the same on mailing.mailing.contact_list_ids', async () => {
      const mailings = (domain: unknown[], ctx: Record<string, unknown> = {}) => names('mailing.mailing', domain, ctx);
      expect(await mailings([['contact_list_ids', 'in', [L.arch]]])).to.deep.equal(['To archived']);
      expect(await mailings([['contact_list_ids', '=', false]])).to.deep.equal(['To nobody']);
      expect(await mailings([['contact_list_ids.name', '=', 'Archived List']])).to.deep.equal([]);
      expect(await mailings([['contact_list_ids.name', '=', 'Archived List']], ALL)).to.deep.equal(['To archived']);
    });
  });

  describe('one2many', () => {
    it('mailing.contact.subscription_ids (no active on the comodel); a many2one inside ignores active_test', async () => {
      expect(await contacts([['subscription_ids', '=', false]])).to.deep.equal(['In none']);
      expect(await contacts([['subscription_ids', '!=', false]])).to.deep.equal(['In archived', 'In both', 'In live']);
      expect(await contacts([['subscription_ids.list_id', '=', L.arch]])).to.deep.equal(['In archived', 'In both']);
      // `list_id.name` goes through a many2one: archived lists count even with active_test on
      expect(await contacts([['subscription_ids.list_id.name', '=', 'Archived List']])).to.deep.equal(['In archived', 'In both']);
      expect(await contacts([['subscription_ids', 'not any', [['list_id', '=', L.live]]]])).to.deep.equal(['In archived', 'In none']);
    });
    it('mailing.mailing.mailing_trace_ids', async () => {
      const mailings = (domain: unknown[]) => names('mailing.mailing', domain);
      expect(await mailings([['mailing_trace_ids', '!=', false]])).to.deep.equal(['To live']);
      expect(await mailings([['mailing_trace_ids', '=', false]])).to.deep.equal(['To archived', 'To nobody']);
      expect(await mailings([['mailing_trace_ids.res_id', '=', C.live]])).to.deep.equal(['To live']);
      expect(await mailings([['mailing_trace_ids', 'not any', [['trace_status', '=', 'sent']]]])).to.deep.equal(['To archived', 'To nobody']);
    });
    it('res.partner.child_ids: its field domain keeps archived contacts out, whatever active_test says', async () => {
      const within = [P.family, P.lonely, P.closed];
      for (const ctx of [{}, ALL]) {
        const parents = (domain: unknown[]) => names('res.partner', domain, ctx, within);
        expect(await parents([['child_ids', 'in', [P.kid]]])).to.deep.equal(['Family Co']);
        expect(await parents([['child_ids', 'in', [P.gone]]])).to.deep.equal([]);
        expect(await parents([['child_ids', '!=', false]])).to.deep.equal(['Closed Co', 'Family Co'].filter((n) => ctx === ALL || n !== 'Closed Co'));
        expect(await parents([['child_ids.name', '=', 'Ghost Kid']])).to.deep.equal([]);
        expect(await parents([['child_ids', 'any', [['name', 'ilike', 'kid']]]])).to.deep.equal(['Family Co']);
      }
      // Lonely Co's only contact is archived: it has none
      expect(await names('res.partner', [['child_ids', '=', false]], {}, within)).to.deep.equal(['Lonely Co']);
      expect(await names('res.partner', [['child_ids', '=', false]], ALL, within)).to.deep.equal(['Lonely Co']);
      // reading follows the same domain
      const [family] = await t.call('res.partner', 'read', [[P.family], ['child_ids']], { context: ALL });
      expect(family.child_ids).to.deep.equal([P.kid]);
    });
  });

  describe('many2one', () => {
    it('ids, any and dotted paths reach archived targets, with or without active_test', async () => {
      for (const ctx of [{}, ALL]) {
        const partners = (domain: unknown[]) => names('res.partner', domain, ctx);
        expect(await partners([['parent_id', 'in', [P.closed]]])).to.deep.equal(['Staff of Closed']);
        expect(await partners([['parent_id', '=', P.closed]])).to.deep.equal(['Staff of Closed']);
        expect(await partners([['parent_id.name', '=', 'Closed Co']])).to.deep.equal(['Staff of Closed']);
        expect(await partners([['parent_id', 'any', [['is_company', '=', true], ['name', 'ilike', 'closed']]]])).to.deep.equal(['Staff of Closed']);
        expect(await partners([['parent_id', 'in', ['Closed Co']]])).to.deep.equal(['Staff of Closed']);
        expect(await partners([['country_id.code', '=', 'BE']])).to.deep.equal(['Family Co']);
      }
      // the records searched still follow active_test
      expect(await names('res.partner', [['parent_id', '=', P.lonely]])).to.deep.equal([]);
      expect(await names('res.partner', [['parent_id', '=', P.lonely]], ALL)).to.deep.equal(['Ghost Kid']);
    });
  });
});

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

// A create of many contacts must give what the same values give created one by one: stored
// computed fields, subscriptions and creation messages; and it is all or nothing.

const FIELDS = ['name', 'first_name', 'last_name', 'email', 'email_normalized', 'mobile', 'phone_sanitized', 'country_id', 'message_bounce', 'list_ids', 'tag_ids'];

describe('mailing.contact: create of many records = the same records created one by one', () => {
  let t: TestRegistry;
  let l1: number;
  let l2: number;
  let be: number;
  let fr: number;
  before(async () => {
    t = await testRegistry();
    [l1, l2] = await t.call('mailing.list', 'create', [[{ name: 'Batch A' }, { name: 'Batch B' }]]);
    be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
    fr = (await t.call('res.country', 'search', [[['code', '=', 'FR']]]))[0];
  });
  after(async () => t.close());

  /** Values of every kind create meets: numbers valid, invalid, too long, national; x2many command forms. */
  function variety(tag: string): Record<string, unknown>[] {
    return [
      { name: `${tag} plain`, mobile: '+32470123456', list_ids: [[6, 0, [l1]]] },
      { name: `${tag} link`, mobile: '+32 470 12 34 57', email: `"${tag} Link" <${tag}.Link@Example.com>`, list_ids: [[4, l1], [4, l2]] },
      { name: `${tag} ids`, mobile: '0470123458', country_id: be, list_ids: [l1, l2] },
      { name: `${tag} french`, mobile: '06 12 34 56 78', country_id: fr, list_ids: [[6, 0, [l2, l2]]] },
      { name: `${tag} invalid`, mobile: '+3212', list_ids: [[4, l1]] },
      { name: `${tag} too long`, mobile: '+32470123456789012', list_ids: [] },
      { name: `${tag} double zero`, mobile: '0032470123459' },
      { first_name: `${tag} First`, last_name: 'Last', email: `${tag}.names@example.com` },
      { name: `${tag} bounce`, message_bounce: 3, mobile: false },
      { name: `${tag} subs`, mobile: '+33612345679', subscription_ids: [[0, 0, { list_id: l2, opt_out: true }]] },
      { name: `${tag} tags`, tag_ids: [[0, 0, { name: `${tag} tag` }]] },
    ];
  }

  async function snapshot(ids: number[]): Promise<unknown[]> {
    const rows = await t.call('mailing.contact', 'read', [ids, FIELDS]);
    const subs = await t.call('mailing.subscription', 'search_read', [[['contact_id', 'in', ids]], ['contact_id', 'list_id', 'opt_out']]);
    const msgs = await t.call('mail.message', 'search_read', [[['model', '=', 'mailing.contact'], ['res_id', 'in', ids]], ['res_id', 'body', 'message_type', 'subtype_id', 'author_id']]);
    return rows.map((r: any) => ({
      ...r,
      id: undefined,
      // tag records differ (one per create): compare their names
      tag_ids: r.tag_ids.length,
      list_ids: [...r.list_ids].sort(),
      subscriptions: subs.filter((s: any) => s.contact_id[0] === r.id).map((s: any) => [s.list_id[0], s.opt_out]).sort(),
      messages: msgs.filter((m: any) => m.res_id === r.id).map((m: any) => [m.body, m.message_type, m.subtype_id, m.author_id]),
    }));
  }

  it('gives the same values, subscriptions and messages in one call as in one call per record', async () => {
    const vals = variety('same');
    const batch = await t.call('mailing.contact', 'create', [vals]);
    expect(batch).to.have.length(vals.length);
    const single: number[] = [];
    for (const v of vals) single.push(await t.call('mailing.contact', 'create', [v]));
    const a = await snapshot(batch);
    const b = await snapshot(single);
    expect(a).to.deep.equal(b);
    // spot checks against Odoo's own results
    const byName = new Map((a as any[]).map((r) => [r.name, r]));
    expect(byName.get('same plain').phone_sanitized).to.equal('+32470123456');
    expect(byName.get('same ids').phone_sanitized).to.equal('+32470123458');
    expect(byName.get('same french').phone_sanitized).to.equal('+33612345678');
    expect(byName.get('same invalid').phone_sanitized).to.equal(false);
    expect(byName.get('same First Last').email_normalized).to.equal('same.names@example.com');
    expect(byName.get('same link').email_normalized).to.equal('same.link@example.com');
    expect(byName.get('same french').list_ids).to.deep.equal([l2]);
    expect(byName.get('same subs').subscriptions).to.deep.equal([[l2, true]]);
    expect(byName.get('same plain').messages).to.deep.equal([['<p>Mailing Contact created</p>', 'notification', byName.get('same plain').messages[0][2], byName.get('same plain').messages[0][3]]]);
    expect(byName.get('same plain').messages[0][2][1]).to.equal('Note');
  });

  it('gives the same values in a call of 1,000 records without relations (computed before the INSERT)', async () => {
    const vals = Array.from({ length: 1000 }, (_, i) => ({
      name: `Flat ${i}`,
      mobile: i % 7 === 0 ? `+3212${i}` : `+3247${String(i).padStart(7, '0')}`,
      ...(i % 3 === 0 ? { email: `Flat${i}@Example.com` } : {}),
      ...(i % 5 === 0 ? { country_id: fr, mobile: `06${String(i).padStart(8, '0')}` } : {}),
    }));
    const batch = await t.call('mailing.contact', 'create', [vals]);
    const sample = [0, 1, 3, 5, 7, 10, 14, 15, 500, 999];
    const single: number[] = [];
    for (const i of sample) single.push(await t.call('mailing.contact', 'create', [vals[i]]));
    expect(await snapshot(sample.map((i) => batch[i]))).to.deep.equal(await snapshot(single));
    const count = await t.call('mail.message', 'search_count', [[['model', '=', 'mailing.contact'], ['res_id', 'in', batch]]]);
    expect(count).to.equal(1000);
  });

  it('gives the same values with default_list_ids in the context', async () => {
    const vals = variety('ctx').filter((v) => !('subscription_ids' in v));
    const context = { default_list_ids: [l1] };
    const batch = await t.call('mailing.contact', 'create', [vals], { context });
    const single: number[] = [];
    for (const v of vals) single.push(await t.call('mailing.contact', 'create', [v], { context }));
    expect(await snapshot(batch)).to.deep.equal(await snapshot(single));
  });
});

describe('mailing.contact: a create of many records is one transaction', () => {
  let t: TestRegistry;
  let list: number;
  before(async () => {
    t = await testRegistry();
    list = await t.call('mailing.list', 'create', [{ name: 'Atomic' }]);
  });
  after(async () => t.close());

  async function counts(): Promise<number[]> {
    return [
      await t.call('mailing.contact', 'search_count', [[]]),
      await t.call('mailing.subscription', 'search_count', [[]]),
      await t.call('mail.message', 'search_count', [[['model', '=', 'mailing.contact']]]),
    ];
  }

  function many(n: number): Record<string, unknown>[] {
    return Array.from({ length: n }, (_, i) => ({ name: `Atomic ${i}`, mobile: `+3247${String(i).padStart(7, '0')}`, list_ids: [[4, list]] }));
  }

  it('a bad value in the middle creates nothing', async () => {
    const before = await counts();
    const vals = many(1000);
    vals[500] = { ...vals[500], country_id: 'not a country' };
    let err: any;
    try {
      await t.call('mailing.contact', 'create', [vals]);
    } catch (e) {
      err = e;
    }
    expect(err?.odooName).to.equal('builtins.TypeError');
    expect(await counts()).to.deep.equal(before);
  });

  it('a record the database refuses in the middle (unknown list) rolls the others back', async () => {
    const before = await counts();
    const vals = many(1000);
    vals[500] = { ...vals[500], list_ids: [[4, 987654321]] };
    let err: any;
    try {
      await t.call('mailing.contact', 'create', [vals]);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.an('error');
    expect(await counts()).to.deep.equal(before);
    // the same call without the bad record goes through
    vals[500] = many(1)[0];
    expect(await t.call('mailing.contact', 'create', [vals])).to.have.length(1000);
    const after = await counts();
    expect(after).to.deep.equal([before[0] + 1000, before[1] + 1000, before[2] + 1000]);
  });
});

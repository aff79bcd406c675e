// link.tracker, link.tracker.code, link.tracker.click: the Odoo 19 rules observed in
// r2-link-tracker.txt (creation, normalisation, errors, UTMs, search_or_create, codes, clicks).

import { expect } from 'chai';
import { readFieldsExport } from '../helpers/odoo19.ts';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { redirectedUrl, textUrls, isBotUserAgent } from '../../models/tools/link_url.ts';

const BASE = 'http://localhost:8070';

async function rejects(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { name: (err as Error).constructor.name, message: (err as Error).message };
  }
  throw new Error('expected an error');
}

describe('link_tracker', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
    await t.call('ir.config_parameter', 'set_param', ['web.base.url', BASE]);
  });
  after(async () => t.close());

  it('creates a tracker with a 3-character code and reads like Odoo 19', async () => {
    const id = await t.call('link.tracker', 'create', [{ url: 'https://example.com/page?x=1', title: 'Example' }]);
    expect(id).to.be.a('number');
    const [r] = await t.call('link.tracker', 'read', [[id], ['short_url', 'code', 'redirected_url', 'count', 'label', 'campaign_id', 'medium_id', 'source_id', 'title', 'absolute_url', 'short_url_host', 'link_code_ids', 'link_click_ids', 'display_name']]);
    expect(r.code).to.match(/^[A-Za-z0-9]{3}$/);
    expect(r).to.deep.include({
      short_url: `${BASE}/r/${r.code}`, redirected_url: 'https://example.com/page?x=1', count: 0, label: false,
      campaign_id: false, medium_id: false, source_id: false, title: 'Example', absolute_url: 'https://example.com/page?x=1',
      short_url_host: `${BASE}/r/`, link_click_ids: [], display_name: `${BASE}/r/${r.code}`,
    });
    expect(r.link_code_ids).to.have.length(1);
  });

  it('without a title, the URL is the title; a URL without scheme gets http://', async () => {
    const a = await t.call('link.tracker', 'create', [{ url: 'https://example.org/no-title' }]);
    const b = await t.call('link.tracker', 'create', [{ url: 'www.example.net/a b' }]);
    const rows = await t.call('link.tracker', 'read', [[a, b], ['title', 'url', 'redirected_url']]);
    expect(rows[0].title).to.equal('https://example.org/no-title');
    expect(rows[1].url).to.equal('http://www.example.net/a b');
    expect(rows[1].redirected_url).to.equal('http://www.example.net/a b');
  });

  it('refuses links to the current page and links without URL with Odoo\'s errors', async () => {
    const e1 = await rejects(t.call('link.tracker', 'create', [{ url: '#anchor' }]));
    expect(e1).to.deep.equal({ name: 'UserError', message: '“#anchor” is not a valid link, links cannot redirect to the current page.' });
    const e2 = await rejects(t.call('link.tracker', 'create', [{ title: 'x' }]));
    expect(e2).to.deep.equal({ name: 'PyValueError', message: 'Creating a Link Tracker without URL is not possible' });
  });

  it('appends utm_campaign, utm_source, utm_medium (names, form-encoded) after the URL\'s own query', async () => {
    const campaign = await t.call('utm.campaign', 'create', [{ title: 'Spring Promo' }]);
    const source = await t.call('utm.source', 'create', [{ name: 'Newsletter 42' }]);
    const medium = (await t.call('utm.medium', 'search', [[['name', '=', 'SMS']]]))[0];
    const id = await t.call('link.tracker', 'create', [{ url: 'https://example.com/page?x=1', title: 'E', campaign_id: campaign, source_id: source, medium_id: medium }]);
    const [r] = await t.call('link.tracker', 'read', [[id], ['redirected_url']]);
    expect(r.redirected_url).to.equal('https://example.com/page?x=1&utm_campaign=Spring+Promo&utm_source=Newsletter+42&utm_medium=SMS');
    // Duplicate combination: Odoo's message with the UTM names and '""' for an empty label.
    const e = await rejects(t.call('link.tracker', 'create', [{ url: 'https://example.com/page?x=1', campaign_id: campaign, source_id: source, medium_id: medium }]));
    expect(e).to.deep.equal({
      name: 'UserError',
      message: "Combinations of Link Tracker values (URL, campaign, medium, source, and label) must be unique.\nThe following combinations are already used: \n- ('https://example.com/page?x=1', 'Spring Promo', 'SMS', 'Newsletter 42', '\"\"')",
    });
    // A label makes it another tracker.
    expect(await t.call('link.tracker', 'create', [{ url: 'https://example.com/page?x=1', campaign_id: campaign, source_id: source, medium_id: medium, label: 'Button' }])).to.be.a('number');
  });

  it('refuses a duplicate without UTMs (empty label equals no label)', async () => {
    const e = await rejects(t.call('link.tracker', 'create', [{ url: 'https://example.com/page?x=1', label: '' }]));
    expect(e.message).to.equal("Combinations of Link Tracker values (URL, campaign, medium, source, and label) must be unique.\nThe following combinations are already used: \n- ('https://example.com/page?x=1', False, False, False, '\"\"')");
  });

  it('keeps the URL\'s own UTM values and honours link_tracker.no_external_tracking', () => {
    const utm = { campaign: 'C', source: 'S (1)', medium: 'M&M' };
    expect(redirectedUrl('https://a.com/p?utm_source=mine#top', utm, { baseUrl: BASE, noExternalTracking: false }))
      .to.equal('https://a.com/p?utm_source=mine&utm_campaign=C&utm_medium=M%26M#top');
    expect(redirectedUrl('https://a.com/p', utm, { baseUrl: BASE, noExternalTracking: true })).to.equal('https://a.com/p');
    expect(redirectedUrl(`${BASE}/shop`, utm, { baseUrl: BASE, noExternalTracking: true })).to.equal(`${BASE}/shop?utm_campaign=C&utm_source=S+(1)&utm_medium=M%26M`);
  });

  it('no_external_tracking as a system parameter changes redirected_url', async () => {
    const source = await t.call('utm.source', 'create', [{ name: 'Ext' }]);
    const [ext, own] = await t.call('link.tracker', 'create', [[{ url: 'https://elsewhere.com/', source_id: source }, { url: `${BASE}/page`, source_id: source }]]);
    await t.call('ir.config_parameter', 'set_param', ['link_tracker.no_external_tracking', '1']);
    try {
      const rows = await t.call('link.tracker', 'read', [[ext, own], ['redirected_url']]);
      expect(rows.map((r: { redirected_url: string }) => r.redirected_url)).to.deep.equal(['https://elsewhere.com/', `${BASE}/page?utm_source=Ext`]);
    } finally {
      await t.call('ir.config_parameter', 'set_param', ['link_tracker.no_external_tracking', false]);
    }
  });

  it('search_or_create returns ids in input order, duplicates included, creating the missing ones once', async () => {
    const existing = await t.call('link.tracker', 'search', [[['url', '=', 'https://example.com/page?x=1'], ['campaign_id', '=', false], ['label', '=', false]]]);
    const before = await t.call('link.tracker', 'search_count', [[]]);
    const ids = await t.call('link.tracker', 'search_or_create', [[
      { url: 'https://example.com/page?x=1' },
      { url: 'https://example.com/new' },
      { url: 'https://example.com/new' },
      { url: 'https://example.com/new', label: 'L' },
    ]]);
    expect(ids[0]).to.equal(existing[0]);
    expect(ids[1]).to.equal(ids[2]);
    expect(new Set(ids).size).to.equal(3);
    expect(await t.call('link.tracker', 'search_count', [[]])).to.equal(before + 2);
    // The single-dict form still works (one-element list).
    const single = await t.call('link.tracker', 'search_or_create', [{ url: 'example.com/new' }]);
    expect(single).to.deep.equal(await t.call('link.tracker', 'search', [[['url', '=', 'http://example.com/new']]]));
    expect(single).to.have.length(1);
  });

  it('code: writable (renames the latest code), unique, and get_url_from_code', async () => {
    const id = await t.call('link.tracker', 'create', [{ url: 'https://example.com/code' }]);
    await t.call('link.tracker', 'write', [[id], { code: 'mycode1' }]);
    const [r] = await t.call('link.tracker', 'read', [[id], ['code', 'short_url', 'link_code_ids']]);
    expect(r.code).to.equal('mycode1');
    expect(r.short_url).to.equal(`${BASE}/r/mycode1`);
    expect(r.link_code_ids).to.have.length(1);
    const e = await rejects(t.call('link.tracker.code', 'create', [{ code: 'mycode1', link_id: id }]));
    // Odoo 19 prefixes "The operation cannot be completed: "; our ORM shows SQL constraint messages bare.
    expect(e.name).to.equal('ValidationError');
    expect(e.message).to.match(/Code must be unique\.$/);
    expect(await t.call('link.tracker', 'get_url_from_code', ['mycode1'])).to.equal('https://example.com/code');
    expect(await t.call('link.tracker', 'get_url_from_code', ['nope'])).to.equal(null);
  });

  it('codes: 62-character alphabet, drawn longer when the short ones are taken', async () => {
    const codes: string[] = await t.env((env) => env.model('link.tracker.code').call('_get_random_code_strings', 200));
    expect(new Set(codes).size).to.equal(200);
    for (const c of codes) expect(c).to.match(/^[A-Za-z0-9]{3,}$/);
    // Only 62^3 codes of length 3: asking for more than that must go longer.
    const many: string[] = await t.env((env) => env.model('link.tracker.code').call('_get_random_code_strings', 62 ** 3 + 1));
    expect(many[0].length).to.be.greaterThan(3);
  });

  it('add_click records a click (ip, country, campaign), bumps count; unknown code gives None', async () => {
    const campaign = await t.call('utm.campaign', 'create', [{ title: 'Clicks' }]);
    const id = await t.call('link.tracker', 'create', [{ url: 'https://example.com/clicks', campaign_id: campaign }]);
    const [{ code }] = await t.call('link.tracker', 'read', [[id], ['code']]);
    const click = await t.call('link.tracker.click', 'add_click', [code], { ip: '127.0.0.1', country_code: 'BE' });
    await t.call('link.tracker.click', 'add_click', [code], { ip: '127.0.0.1' });
    expect(await t.call('link.tracker.click', 'add_click', ['zzzzzzzz'], { ip: '1.2.3.4' })).to.equal(null);
    const [c] = await t.call('link.tracker.click', 'read', [click, ['link_id', 'ip', 'country_id', 'campaign_id', 'display_name']]);
    expect(c.link_id[0]).to.equal(id);
    expect(c.ip).to.equal('127.0.0.1');
    expect(c.country_id[1]).to.equal('Belgium');
    expect(c.campaign_id[0]).to.equal(campaign);
    const [r] = await t.call('link.tracker', 'read', [[id], ['count']]);
    expect(r.count).to.equal(2);
  });

  it('recent_links: newest, most-clicked, recently-used, unknown filter', async () => {
    const newest = await t.call('link.tracker', 'recent_links', ['newest', 2]);
    expect(newest).to.have.length(2);
    const most = await t.call('link.tracker', 'recent_links', ['most-clicked', 10]);
    expect(most.map((r: { url: string }) => r.url)).to.deep.equal(['https://example.com/clicks']);
    expect((await t.call('link.tracker', 'recent_links', ['recently-used', 10])).length).to.equal(1);
    expect(await t.call('link.tracker', 'recent_links', ['nope', 10])).to.deep.equal({ Error: "This filter doesn't exist." });
  });

  it('finds URLs in text with Odoo\'s pattern, and knows bots by User-Agent', () => {
    expect(textUrls('Go https://a.com/x?y=1 and http://b.org, or https://a.com/x?y=1')).to.deep.equal(['https://a.com/x?y=1', 'http://b.org']);
    expect(isBotUserAgent('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')).to.equal(true);
    expect(isBotUserAgent('WhatsApp/2.23')).to.equal(true);
    expect(isBotUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).to.equal(false);
  });

  for (const model of ['link.tracker', 'link.tracker.code', 'link.tracker.click']) {
    it(`fields_get of ${model} matches Odoo 19`, async () => {
      const ATTRS = ['type', 'string', 'relation', 'relation_field', 'required', 'readonly', 'store', 'searchable', 'sortable', 'related', 'depends'];
      const odoo = readFieldsExport(model)!;
      const ours = await t.call(model, 'fields_get', [], { attributes: ATTRS });
      const problems: string[] = [];
      for (const [name, desc] of Object.entries(odoo)) {
        if (!ours[name]) {
          problems.push(`${name}: missing`);
          continue;
        }
        for (const attr of ATTRS) {
          if (!(attr in desc)) continue;
          const a = JSON.stringify(ours[name][attr] ?? (attr === 'depends' ? [] : undefined));
          const b = JSON.stringify(desc[attr]);
          if (a !== b) problems.push(`${name}.${attr}: ours ${a} odoo ${b}`);
        }
      }
      expect(problems).to.deep.equal([]);
    });
  }
});

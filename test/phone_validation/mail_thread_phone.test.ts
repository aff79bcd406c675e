import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

const PARAM = 'phone_validation.default_country';

describe('phone_validation: mail.thread.phone on res.partner', () => {
  let t: TestRegistry;
  let savedEnv: string | undefined;
  let be: number;
  let fr: number;
  const read = async (ids: number[], fields: string[]) => t.call('res.partner', 'read', [ids, fields]);
  const sanitized = async (id: number) => (await read([id], ['phone_sanitized']))[0].phone_sanitized;

  before(async () => {
    savedEnv = process.env.DEFAULT_COUNTRY;
    delete process.env.DEFAULT_COUNTRY;
    t = await testRegistry();
    [be] = await t.call('res.country', 'search', [[['code', '=', 'BE']]]);
    [fr] = await t.call('res.country', 'search', [[['code', '=', 'FR']]]);
  });
  after(async () => {
    if (savedEnv !== undefined) process.env.DEFAULT_COUNTRY = savedEnv;
    else delete process.env.DEFAULT_COUNTRY;
    await t.close();
  });

  it('fields match Odoo 19', async () => {
    const f = await t.call('res.partner', 'fields_get', [['phone_sanitized', 'phone_sanitized_blacklisted', 'phone_blacklisted', 'phone_mobile_search']], { attributes: ['type', 'string', 'store', 'searchable', 'readonly'] });
    expect(f.phone_sanitized).to.deep.equal({ type: 'char', string: 'Sanitized Number', store: true, searchable: true, readonly: true });
    expect(f.phone_sanitized_blacklisted).to.deep.equal({ type: 'boolean', string: 'Phone Blacklisted', store: false, searchable: true, readonly: true });
    expect(f.phone_blacklisted).to.deep.equal({ type: 'boolean', string: 'Blacklisted Phone is Phone', store: false, searchable: false, readonly: true });
    expect(f.phone_mobile_search).to.deep.equal({ type: 'char', string: 'Phone Number', store: false, searchable: true, readonly: false });
  });

  it('sanitises with the record country', async () => {
    const id = await t.call('res.partner', 'create', [{ name: 'Belgian', phone: '0456 12 34 56', country_id: be }]);
    expect(await sanitized(id)).to.equal('+32456123456');
    // the country changes: the national number is now French (and valid there)
    await t.call('res.partner', 'write', [[id], { country_id: fr, phone: '06 12 34 56 78' }]);
    expect(await sanitized(id)).to.equal('+33612345678');
    await t.call('res.partner', 'write', [[id], { phone: false }]);
    expect(await sanitized(id)).to.equal(false);
  });

  it('without country: the default country parameter, else international numbers only', async () => {
    const [national, international] = await t.call('res.partner', 'create', [[{ name: 'N', phone: '0456 12 34 56' }, { name: 'I', phone: '+32 456 12 34 57' }]]);
    expect(await sanitized(national)).to.equal(false);
    expect(await sanitized(international)).to.equal('+32456123457');
    await t.call('ir.config_parameter', 'set_param', [PARAM, 'BE']);
    const other = await t.call('res.partner', 'create', [{ name: 'N2', phone: '0456 12 34 58' }]);
    expect(await sanitized(other)).to.equal('+32456123458');
    // DEFAULT_COUNTRY is the fallback when the parameter is not set
    await t.call('ir.config_parameter', 'set_param', [PARAM, false]);
    process.env.DEFAULT_COUNTRY = 'BE';
    try {
      const third = await t.call('res.partner', 'create', [{ name: 'N3', phone: '0456 12 34 59' }]);
      expect(await sanitized(third)).to.equal('+32456123459');
    } finally {
      delete process.env.DEFAULT_COUNTRY;
    }
  });

  it('an invalid number stays as typed and is not sanitised', async () => {
    const id = await t.call('res.partner', 'create', [{ name: 'Typo', phone: '0456 12', country_id: be }]);
    const [p] = await read([id], ['phone', 'phone_sanitized']);
    expect(p).to.deep.equal({ id, phone: '0456 12', phone_sanitized: false });
    // flagged: searchable as "no valid number"
    expect(await t.call('res.partner', 'search', [[['id', '=', id], ['phone', '!=', false], ['phone_sanitized', '=', false]]])).to.deep.equal([id]);
  });

  it('blacklist state is computed and searchable with = / != True / False', async () => {
    const [blocked, free, none] = await t.call('res.partner', 'create', [[
      { name: 'Blocked', phone: '0478 11 22 33', country_id: be },
      { name: 'Free', phone: '0478 11 22 34', country_id: be },
      { name: 'None' },
    ]]);
    const mine = [blocked, free, none];
    // blacklisting by a non-sanitised number matches the sanitised one
    await t.call('phone.blacklist', 'add', [[], '+32 (478) 11.22.33']);
    const rows = await read(mine, ['phone_sanitized_blacklisted', 'phone_blacklisted']);
    expect(rows.map((r: any) => [r.phone_sanitized_blacklisted, r.phone_blacklisted])).to.deep.equal([[true, true], [false, false], [false, false]]);
    const search = (op: string, v: unknown) => t.call('res.partner', 'search', [[['id', 'in', mine], ['phone_sanitized_blacklisted', op, v]]], { order: 'id' });
    expect(await search('=', true)).to.deep.equal([blocked]);
    expect(await search('!=', false)).to.deep.equal([blocked]);
    expect(await search('=', false)).to.deep.equal([free, none]);
    expect(await search('!=', true)).to.deep.equal([free, none]);
    // archiving the entry unblocks
    const [entry] = await t.call('phone.blacklist', 'search', [[['number', '=', '+32478112233']]]);
    await t.call('phone.blacklist', 'action_archive', [[entry]]);
    expect(await search('=', true)).to.deep.equal([]);
    // internal helpers work on the sanitised numbers of the records
    await t.env(async (env) => {
      await env.model('res.partner').browse([blocked, none]).call('_phone_set_blacklisted');
    });
    expect(await search('=', true)).to.deep.equal([blocked]);
    await t.env(async (env) => {
      await env.model('res.partner').browse([blocked]).call('_phone_reset_blacklisted');
    });
    expect(await search('=', true)).to.deep.equal([]);
    const action = await t.call('res.partner', 'phone_action_blacklist_remove', [[blocked]]);
    expect(action.res_model).to.equal('phone.blacklist.remove');
  });

  it('phone_mobile_search ignores separators; + and 00 are the same prefix', async () => {
    const [a, b] = await t.call('res.partner', 'create', [[
      { name: 'Spaced', phone: '+32 479 12.34/56' },
      { name: 'Zeros', phone: '0032479123457' },
    ]]);
    const search = (op: string, v: unknown) => t.call('res.partner', 'search', [[['id', 'in', [a, b]], ['phone_mobile_search', op, v]]], { order: 'id' });
    expect(await search('ilike', '479 12 34')).to.deep.equal([a, b]);
    expect(await search('ilike', '+32479')).to.deep.equal([a, b]);
    expect(await search('=', '+32479123456')).to.deep.equal([a]);
    expect(await search('=', '0032479123457')).to.deep.equal([b]);
    expect(await search('not ilike', '123456')).to.deep.equal([b]);
    try {
      await search('ilike', '47');
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal('Please enter at least 3 characters when searching a Phone number.');
    }
  });
});

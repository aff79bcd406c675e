import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('phone_validation: load() of blacklist numbers', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
    await t.call('ir.config_parameter', 'set_param', ['phone_validation.default_country', 'BE']);
  });
  after(async () => t.close());

  it('imports numbers sanitised; a bad number makes the whole import land nothing', async () => {
    const bad = await t.call('phone.blacklist', 'load', [['number'], [['+32 456 11 11 11'], ['abcd'], ['0456 22 22 22']]]);
    expect(bad.ids).to.equal(false);
    expect(bad.messages.some((m: any) => m.type === 'error' && m.record === 1)).to.equal(true);
    expect(await t.call('phone.blacklist', 'search_count', [[]])).to.equal(0);
    const good = await t.call('phone.blacklist', 'load', [['number'], [['+32 456 11 11 11'], ['0456 22 22 22']]]);
    expect(good.messages).to.deep.equal([]);
    const rows = await t.call('phone.blacklist', 'read', [good.ids, ['number', 'active']]);
    expect(rows.map((r: any) => r.number)).to.deep.equal(['+32456111111', '+32456222222']);
  });
});

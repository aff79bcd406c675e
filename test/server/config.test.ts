import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('server: configuration', () => {
  it('PROXY_MODE: off by default, true/false words accepted, anything else refused', () => {
    expect(loadConfig({}).proxyMode).to.equal(false);
    for (const v of ['true', 'TRUE', '1', 'yes', 'on']) expect(loadConfig({ PROXY_MODE: v }).proxyMode, v).to.equal(true);
    for (const v of ['false', '0', 'no', 'off', '']) expect(loadConfig({ PROXY_MODE: v }).proxyMode, v).to.equal(false);
    try {
      loadConfig({ PROXY_MODE: 'maybe' });
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      expect((e as ConfigError).problems).to.deep.equal(['PROXY_MODE must be true or false (also 1/0, yes/no, on/off) (got "maybe")']);
    }
  });
});

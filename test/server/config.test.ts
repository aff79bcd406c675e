import os from 'node:os';
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

  it('WEB_WORKERS: one process by default, a number of workers or auto (one per CPU), anything else refused', () => {
    expect(loadConfig({}).webWorkers).to.equal(1);
    expect(loadConfig({ WEB_WORKERS: '0' }).webWorkers).to.equal(1);
    expect(loadConfig({ WEB_WORKERS: '4' }).webWorkers).to.equal(4);
    expect(loadConfig({ WEB_WORKERS: 'auto' }).webWorkers).to.equal(Math.max(1, os.availableParallelism()));
    for (const v of ['-1', 'two', '1.5', '33']) {
      try {
        loadConfig({ WEB_WORKERS: v });
        expect.fail('should throw');
      } catch (e) {
        expect(e, v).to.be.instanceOf(ConfigError);
        expect((e as ConfigError).problems).to.deep.equal([`WEB_WORKERS must be a number of processes between 0 and 32, or auto (got ${JSON.stringify(v)})`]);
      }
    }
  });
});

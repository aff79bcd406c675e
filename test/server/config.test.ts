import os from 'node:os';
import { expect } from 'chai';
import { ConfigError, loadConfig, registryConfig } from '../../server/config.ts';

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

  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (e) {
      return (e as ConfigError).problems;
    }
  };

  it('DATABASE_POOLER, DATABASE_DIRECT_URL, DATABASE_POOL_SIZE: defaults, the direct URL names the application database, bad values refused', () => {
    const defaults = loadConfig({});
    expect(defaults).to.include({ databasePooler: 'session', databaseDirectUrl: undefined, databasePoolSize: 10 });
    const env = { DATABASE_URL: 'postgresql://sms:pw@bouncer:6432/smsdb', DATABASE_POOLER: 'transaction', DATABASE_DIRECT_URL: 'postgresql://sms:pw@db:5432/other?sslmode=require', DATABASE_POOL_SIZE: '25' };
    const config = loadConfig(env);
    expect(config).to.include({ databasePooler: 'transaction', databasePoolSize: 25 });
    expect(registryConfig(config)).to.include({ databasePooler: 'transaction', databaseDirectUrl: 'postgresql://sms:pw@db:5432/smsdb?sslmode=require' });
    expect(problems({ DATABASE_POOLER: 'statement' })).to.deep.equal(['DATABASE_POOLER must be session or transaction (got "statement")']);
    expect(problems({ DATABASE_DIRECT_URL: 'postgresql://db/x' })).to.deep.equal(['DATABASE_DIRECT_URL is only used with DATABASE_URL (the embedded PostgreSQL has no pooler)']);
    expect(problems({ DATABASE_URL: env.DATABASE_URL, DATABASE_DIRECT_URL: 'mysql://db/x' })).to.deep.equal(['DATABASE_DIRECT_URL must start with postgresql:// or postgres:// (got mysql://)']);
    for (const v of ['0', '1001', 'ten']) expect(problems({ DATABASE_POOL_SIZE: v })).to.deep.equal([`DATABASE_POOL_SIZE must be an integer between 1 and 1000 (got "${v}")`]);
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

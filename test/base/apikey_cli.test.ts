import { expect } from 'chai';
import { Command } from 'commander';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { checkBearer, checkUidPassword } from '../../models/base/auth.ts';
import { createApiKey, listApiKeys, registerApikeyCommands, revokeApiKey } from '../../server/cli/apikey.ts';

describe('base: apikey command line', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('registers create, list and revoke', () => {
    const program = new Command();
    registerApikeyCommands(program);
    const apikey = program.commands.find((c) => c.name() === 'apikey')!;
    expect(apikey.commands.map((c) => c.name())).to.deep.equal(['create', 'list', 'revoke']);
    const create = apikey.commands[0];
    expect(create.options.map((o) => o.long)).to.deep.equal(['--login', '--name', '--days', '--scope']);
  });

  it('create prints a working key; list shows it without the secret; revoke kills it', async () => {
    const forever = await createApiKey(t.registry, 'admin', 'CI', null);
    expect(forever.key).to.match(/^[0-9a-f]{40}$/);
    expect(forever.expiration).to.equal(null);
    expect(await t.env((env) => checkBearer(env, forever.key))).to.equal(2);
    await t.env((env) => checkUidPassword(env, 2, forever.key));

    const weekly = await createApiKey(t.registry, 'admin', 'Weekly', 7);
    expect(weekly.expiration).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    const keys = await listApiKeys(t.registry, 'admin');
    const listed = keys.find((k) => k.id === forever.id)!;
    expect(listed).to.deep.include({ login: 'admin', name: 'CI', scope: null, expiration_date: null });
    expect(JSON.stringify(keys)).not.to.contain(forever.key.slice(0, 8));
    expect(keys.find((k) => k.id === weekly.id)!.expiration_date).to.equal(weekly.expiration);
    expect(await listApiKeys(t.registry, 'nobody-here')).to.deep.equal([]);

    expect(await revokeApiKey(t.registry, forever.id)).to.equal(true);
    expect(await revokeApiKey(t.registry, forever.id)).to.equal(false);
    expect(await t.env((env) => checkBearer(env, forever.key))).to.equal(false);
    try {
      await t.env((env) => checkUidPassword(env, 2, forever.key));
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessDenied');
    }
  });

  it('refuses an unknown login', async () => {
    try {
      await createApiKey(t.registry, 'ghost', 'x', null);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.message).to.equal('No active user with login "ghost"');
    }
  });
});

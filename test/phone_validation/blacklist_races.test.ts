// phone.blacklist's RPC methods called twice at once for one new number. Odoo 19's `_add` /
// `_remove` search then create: the later call meets the unique number and Odoo's RPC layer answers
// it with a ValidationError naming the constraint. Ours answers the same, never a 500.

import { expect } from 'chai';
import { rpcTestApp, executeKw, type RpcTestApp } from '../helpers/rpc.ts';
import { collideOn } from '../helpers/races.ts';

describe('phone_validation: phone.blacklist add / remove of one number twice at once over JSON-RPC', function () {
  this.timeout(60_000);
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(async () => t.close());

  const entries = (number: string) => t.env((env) => env.model('phone.blacklist').withContext({ active_test: false }).search([['number', '=', number]]).then((r) => r.fetch(['active'])));

  for (const [method, number, active] of [['add', '+32470600001', true], ['remove', '+32470600002', false]] as const) {
    it(`${method}: one call does it, the other gets Odoo's ValidationError; one entry`, async () => {
      const answers = await collideOn(t.registry, 'phone_blacklist', 2, () => [0, 1].map(() => executeKw(t, 'phone.blacklist', method, [[], number])));
      const bodies = answers.map((a) => (a.status === 'fulfilled' ? a.value : expect.fail(String(a.reason))));
      const done = bodies.filter((b) => 'result' in b);
      const refused = bodies.filter((b) => 'error' in b);
      expect(done).to.have.length(1);
      expect(refused).to.have.length(1);
      expect(refused[0].error).to.deep.include({ code: 0, message: 'Odoo Server Error' });
      expect(refused[0].error.data.debug).not.to.match(/psycopg|pg_|\bat /);
      expect(refused[0].error.data).to.deep.include({ name: 'odoo.exceptions.ValidationError', message: 'The operation cannot be completed: Number already exists', arguments: ['The operation cannot be completed: Number already exists'] });
      const rows = await entries(number);
      expect(rows.map((r) => r.active)).to.deep.equal([active]);
      expect(done[0].result).to.deep.equal([rows[0].id]);
    });
  }

  it('_add / _remove are private: refused over RPC, as in Odoo 19', async () => {
    for (const method of ['_add', '_remove']) {
      const body = await executeKw(t, 'phone.blacklist', method, [['+32470600003']]);
      expect(body.error.data).to.deep.include({ name: 'odoo.exceptions.AccessError', message: `Private methods (such as 'phone.blacklist.${method}') cannot be called remotely.` });
    }
    expect(await entries('+32470600003')).to.deep.equal([]);
  });
});

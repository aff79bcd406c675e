// One call = one transaction: nothing partial survives an error; serialization failures are
// retried; integrity errors become ValidationErrors with Odoo's wording.

import { expect } from 'chai';
import { ormRegistry, type OrmTestRegistry } from '../helpers/orm.ts';
import { sql } from '../../models/orm/sql.ts';
import { PyValueError } from '../../models/orm/exceptions.ts';

async function expectError(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<any> {
  try {
    await p;
  } catch (e: any) {
    expect(e.odooName, e.message).to.equal(name);
    if (typeof message === 'string') expect(e.message).to.equal(message);
    else if (message) expect(e.message).to.match(message);
    return e;
  }
  expect.fail(`should raise ${name}`);
}

describe('ORM: transactions', () => {
  let t: OrmTestRegistry;
  before(async () => {
    t = await ormRegistry();
  });
  after(async () => t.close());

  const count = (domain: unknown[] = []) => t.call('test.orm.item', 'search_count', [domain], { context: { active_test: false } });

  it('a create of several records where one fails creates none (SQL constraint)', async () => {
    const before = await count();
    await expectError(
      t.call('test.orm.item', 'create', [[{ name: 'ok1', code: 'DUP' }, { name: 'ok2' }, { name: 'bad', code: 'DUP' }]]),
      'odoo.exceptions.ValidationError',
      'The operation cannot be completed: The code must be unique!',
    );
    expect(await count()).to.equal(before);
    expect(await t.call('test.orm.line', 'search_count', [[]])).to.equal(0);
  });

  it('a create where one record fails a Python constraint creates none, nested lines included', async () => {
    const before = await count();
    await expectError(
      t.call('test.orm.item', 'create', [[{ name: 'fine', line_ids: [[0, 0, { name: 'l' }]] }, { name: 'low', qty: -500 }]]),
      'odoo.exceptions.ValidationError',
      'Quantity cannot be below -100.',
    );
    expect(await count()).to.equal(before);
    expect(await t.call('test.orm.line', 'search_count', [[]])).to.equal(0);
  });

  it('write + constraint failure leaves the records untouched', async () => {
    const id = await t.call('test.orm.item', 'create', [{ name: 'Keep', qty: 1, tag_ids: [[0, 0, { name: 'kept' }]] }]);
    await expectError(t.call('test.orm.item', 'write', [[id], { name: 'Changed', qty: -1000, tag_ids: [[5]] }]), 'odoo.exceptions.ValidationError', 'Quantity cannot be below -100.');
    const [r] = await t.call('test.orm.item', 'read', [[id], ['name', 'qty', 'tag_ids']]);
    expect(r.name).to.equal('Keep');
    expect(r.qty).to.equal(1);
    expect(r.tag_ids).to.have.length(1);
    await expectError(t.call('test.orm.item', 'write', [[id], { name: 'Changed', price: -5000 }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: The price cannot be that low.');
    expect((await t.call('test.orm.item', 'read', [[id], ['name']]))[0].name).to.equal('Keep');
  });

  it('an error in the middle of a unit of work rolls back the earlier statements', async () => {
    const before = await count();
    await expectError(
      t.registry.transaction({ uid: 2 }, async (env) => {
        await env.model('test.orm.item').create({ name: 'first' });
        await env.model('test.orm.item').create({ name: 'second' });
        await env.model('test.orm.item').create({ name: 'bad', bogus: 1 });
      }),
      'builtins.ValueError',
      "Invalid field 'bogus' on model 'test.orm.item'",
    );
    expect(await count()).to.equal(before);
  });

  it('serialization failures are retried (two REPEATABLE READ transactions writing the same row)', async () => {
    const id = await t.call('test.orm.item', 'create', [{ name: 'Counter', qty: 0 }]);
    let attempts = 0;
    let sawConflict = false;
    const result = await t.registry.transaction({ uid: 2 }, async (env) => {
      attempts++;
      // Take the snapshot first.
      const [{ qty }] = await env.cr.query<{ qty: number }>(sql`SELECT qty FROM test_orm_item WHERE id = ${id}`);
      if (attempts === 1) {
        // Another transaction updates the same row and commits meanwhile.
        await t.registry.transaction({ uid: 2 }, (env2) => env2.model('test.orm.item').browse([id]).write({ qty: 10 }));
      }
      try {
        await env.model('test.orm.item').browse([id]).write({ qty: qty + 1 });
      } catch (e: any) {
        if (e.code === '40001') sawConflict = true;
        throw e;
      }
      return qty + 1;
    });
    expect(sawConflict).to.equal(true);
    expect(attempts).to.equal(2);
    expect(result).to.equal(11);
    expect((await t.call('test.orm.item', 'read', [[id], ['qty']]))[0].qty).to.equal(11);
  });

  it('gives up after 5 attempts and reports the error', async () => {
    let attempts = 0;
    const err = await t.registry
      .transaction({}, async () => {
        attempts++;
        throw Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
      })
      .catch((e) => e);
    expect(attempts).to.equal(5);
    expect(err.code).to.equal('40001');
  });

  it('IntegrityError → ValidationError with Odoo\'s wording', async () => {
    // NOT NULL (the captured wording)
    await expectError(
      t.call('test.orm.line', 'create', [{ name: 'orphan' }]),
      'odoo.exceptions.ValidationError',
      "The operation cannot be completed: Missing required value for the field 'Item' (item_id).\nModel: 'Test Line' (test.orm.line)\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n",
    );
    // Foreign key (restrict): a country used by a partner cannot be deleted
    const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
    await t.call('res.partner', 'create', [{ name: 'Belgian', country_id: be }]);
    await expectError(t.call('res.country', 'unlink', [[be]]), 'odoo.exceptions.ValidationError', /^The operation cannot be completed: another model requires the record being deleted/);
    // A foreign key to a missing record
    await expectError(t.call('test.orm.item', 'create', [{ name: 'x', partner_id: 987654 }]), 'odoo.exceptions.ValidationError', /^The operation cannot be completed/);
  });

  it('SQL constraint messages: unique, and check with Odoo 19\'s prefix', async () => {
    await t.call('test.orm.item', 'create', [{ name: 'u', code: 'UNIQ' }]);
    await expectError(t.call('test.orm.item', 'create', [{ name: 'u2', code: 'UNIQ' }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: The code must be unique!');
    await expectError(t.call('test.orm.item', 'create', [{ name: 'cheap', price: -1001 }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: The price cannot be that low.');
    await expectError(t.call('res.country', 'create', [{ name: 'Belgium', code: 'XX' }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: The name of the country must be unique!');
    await expectError(t.call('ir.model.data', 'create', [{ name: 'has space', module: 'x', model: 'res.partner', res_id: 1 }]), 'odoo.exceptions.ValidationError', 'The operation cannot be completed: External IDs cannot contain spaces');
  });

  it('isolation: REPEATABLE READ by default, READ COMMITTED on request', async () => {
    const level = (isolation?: 'repeatable read' | 'read committed') =>
      t.registry.transaction({ isolation }, async (env) => (await env.cr.query<{ l: string }>("SELECT current_setting('transaction_isolation') AS l"))[0].l);
    expect(await level()).to.equal('repeatable read');
    expect(await level('repeatable read')).to.equal('repeatable read');
    expect(await level('read committed')).to.equal('read committed');
    // READ COMMITTED sees rows committed by others during the transaction.
    const id = await t.call('test.orm.item', 'create', [{ name: 'rc' }]);
    const seen = await t.registry.transaction({ isolation: 'read committed' }, async (env) => {
      const q = sql`SELECT name FROM test_orm_item WHERE id = ${id}`;
      const before = (await env.cr.query<{ name: string }>(q))[0].name;
      await t.call('test.orm.item', 'write', [[id], { name: 'rc2' }]);
      return [before, (await env.cr.query<{ name: string }>(q))[0].name];
    });
    expect(seen).to.deep.equal(['rc', 'rc2']);
  });

  it('errors pass through untranslated with translateErrors: false; nothing is retried once committed', async () => {
    const err = await t.registry
      .transaction({ translateErrors: false }, (env) => env.model('test.orm.line').create({ name: 'orphan' }))
      .catch((e) => e);
    expect(err.code).to.equal('23502');
    let runs = 0;
    const failed = await t.registry
      .transaction({}, async (env) => {
        runs++;
        env.cr.postcommit.push(() => {
          throw Object.assign(new Error('late'), { code: '40001' });
        });
      })
      .catch((e) => e);
    expect(failed.message).to.equal('late');
    expect(runs).to.equal(1);
  });

  it('the connection pool is intact after errors (no leaked clients)', async () => {
    for (let i = 0; i < 12; i++) {
      const err = await t.call('test.orm.item', 'create', [{ bogus: 1 }]).then(() => undefined, (e: unknown) => e);
      expect(err, `call ${i}`).to.be.instanceOf(PyValueError);
      expect((err as Error).message).to.equal("Invalid field 'bogus' on model 'test.orm.item'");
    }
    expect(t.registry.pool.totalCount).to.be.at.most(5);
    expect(t.registry.pool.idleCount).to.equal(t.registry.pool.totalCount);
    expect(await count([['name', '=', 'nothing']])).to.equal(0);
  });
});

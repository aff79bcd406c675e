import { rpcTestApp, jsonrpc } from '/work/main/test/rpc/helpers.ts';
describe('dbg', () => {
  it('x', async () => {
    const t = await rpcTestApp();
    const r = await jsonrpc(t.app, 'object', 'execute_kw', [t.dbName, 2, 'admin-test-pw', 'res.partner', 'read', [[1], ['no_such_field']]]);
    console.log(JSON.stringify(r.body ?? r, null, 1).slice(0, 3000));
    await t.close();
  });
});

// An SMS A/B test end to end over HTTP: the recipients click their short links (/r/<code>/s/<sms id>),
// and the variant with the best click ratio goes out as the final mailing to everybody else.

import { expect } from 'chai';
import request from 'supertest';
import { rpcTestApp, type RpcTestApp } from '../helpers/rpc.ts';
import { callKw } from '../../models/orm/call_kw.ts';

const BASE = 'http://localhost:8070';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('rpc: A/B winner chosen from link clicks', () => {
  let a: RpcTestApp;
  const call = (model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) =>
    a.registry.transaction({ uid: 2 }, (env) => callKw(env, model, method, args, kwargs)) as Promise<any>;

  before(async () => {
    a = await rpcTestApp();
    await call('ir.config_parameter', 'set_param', ['web.base.url', BASE]);
  });
  after(async () => a.close());

  it('clicks through /r/ make B the winner; the final mailing reaches the 16 others', async () => {
    const ids: number[] = await call('res.partner', 'create', [Array.from({ length: 20 }, (_, i) => ({ name: `Clicker ${i}`, phone: `+32470400${String(i).padStart(3, '0')}` }))]);
    const model = (await call('ir.model', 'search', [[['model', '=', 'res.partner']]]))[0];
    const vals = (title: string) => ({
      sms_subject: title, mailing_type: 'sms', mailing_model_id: model, body_plaintext: `${title} https://example.com/${title.replace(/ /g, '-')}`,
      mailing_domain: `[('id', 'in', [${ids.join(', ')}])]`, ab_testing_enabled: true, sms_force_send: true,
    });
    const va = await call('mailing.mailing', 'create', [vals('Version A')]);
    const campaign = (await call('mailing.mailing', 'read', [[va], ['campaign_id']]))[0].campaign_id[0];
    const vb = await call('mailing.mailing', 'create', [{ ...vals('Version B'), campaign_id: campaign }]);
    await call('mailing.mailing', 'action_send_sms', [[va, vb]]);
    const smsB = await call('sms.sms', 'search_read', [[['mailing_id', '=', vb]], ['body']]);
    expect(smsB).to.have.length(2);
    // Both B recipients click (a bot preview does not count).
    for (const s of smsB) {
      const path = s.body.match(/\/r\/\S+/)![0];
      expect((await request(a.app).get(path).set('User-Agent', FIREFOX)).status).to.equal(301);
    }
    await request(a.app).get(smsB[0].body.match(/\/r\/\S+/)![0]).set('User-Agent', 'Twitterbot/1.0');
    const [ra, rb] = await call('mailing.mailing', 'read', [[va, vb], ['clicks_ratio']]);
    expect([ra.clicks_ratio, rb.clicks_ratio]).to.deep.equal([0, 100]);
    const action = await call('mailing.mailing', 'action_send_winner_mailing', [[va]]);
    expect((await call('mailing.mailing', 'read', [[action.res_id], ['body_plaintext']]))[0].body_plaintext).to.contain('Version B');
    await a.env((env) => env.model('mailing.mailing').call('_process_mass_mailing_queue'));
    const all = await call('sms.sms', 'search_read', [[['mailing_id', 'in', [va, vb, action.res_id]]], ['number']]);
    expect(all).to.have.length(20);
    expect(new Set(all.map((s: { number: string }) => s.number)).size).to.equal(20);
  });
});

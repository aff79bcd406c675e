import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { testLogger } from '../helpers/db.ts';
import { sendMailing } from '../../server/cli/mailing.ts';
import { fastSettings, setBalance } from '../helpers/sms.ts';

describe('cli: mailing send --wait', function () {
  this.timeout(20_000);
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
    await fastSettings(t.registry, { sms_simulator_delivery_delay: 100 });
    await setBalance(t.registry, 1000);
  });
  after(async () => t.close());

  it('queues the mailing, sends it with a progress bar, and prints a summary', async () => {
    const phones = Array.from({ length: 20 }, (_, i) => `+32 473 00 00 ${String(i).padStart(2, '0')}`);
    phones[0] = '+15005550004'; // the simulator refuses it (recipient replied STOP)
    const partners = await t.call('res.partner', 'create', [phones.map((phone, i) => ({ name: `CLI ${i}`, phone }))]);
    const [partnerModel] = await t.call('ir.model', 'search', [[['model', '=', 'res.partner']]]);
    const id = await t.call('mailing.mailing', 'create', [{
      subject: 'CLI mailing', mailing_type: 'sms', mailing_model_id: partnerModel, body_plaintext: 'Hello from the CLI',
      mailing_domain: `[('id', 'in', [${partners.join(', ')}])]`,
    }]);
    const lines: string[] = [];
    const bar = new PassThrough();
    let drawn = '';
    bar.on('data', (d) => (drawn += d.toString()));
    const p = await sendMailing(t.registry, id, { wait: true, timeoutMs: 15_000, progressStream: bar, out: (l) => lines.push(l), logger: testLogger(), pollMs: 100 });
    expect(p).to.include({ state: 'done', total: 20, sent: 19, failed: 1, remaining: 0 });
    expect(p.failures).to.deep.equal({ sms_blacklist: 1 });
    expect(p.credits).to.be.closeTo(19 * 0.095, 1e-9);
    expect(drawn).to.contain('Sending |');
    expect(lines[0]).to.equal(`Mailing ${id} "CLI mailing": done`);
    expect(lines[1]).to.match(/recipients 20 \| sent 19 \(delivered \d+\) \| failed 1 \| canceled 0 \| remaining 0/);
    expect(lines[2]).to.equal('  sms_blacklist: 1');
  });
});

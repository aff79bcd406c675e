// Encoding and cost preview of SMS bodies (carriers' GSM-7 / UCS-2 billing).

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { odooUiCounter } from '../../models/tools/sms_encoding.ts';

describe('mass_mailing_sms: SMS encoding and segments', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());
  const info = (body: string) => t.call('mailing.mailing', 'sms_body_info', [body]);

  it('GSM-7 bodies: 160 characters in one SMS, 153 per part beyond', async () => {
    expect(await info('')).to.deep.equal({ encoding: 'GSM7', characters: 0, segments: 0, remaining: 160 });
    expect(await info('a'.repeat(160))).to.deep.equal({ encoding: 'GSM7', characters: 160, segments: 1, remaining: 0 });
    expect(await info('a'.repeat(161))).to.deep.equal({ encoding: 'GSM7', characters: 161, segments: 2, remaining: 145 });
    expect(await info('a'.repeat(306))).to.include({ segments: 2, remaining: 0 });
    expect(await info('a'.repeat(307))).to.include({ segments: 3 });
  });

  it('extension characters stay GSM-7 and count twice (Odoo\'s widget would say Unicode)', async () => {
    expect(await info('€'.repeat(80))).to.deep.equal({ encoding: 'GSM7', characters: 160, segments: 1, remaining: 0 });
    expect(await info(`${'a'.repeat(159)}€`)).to.include({ encoding: 'GSM7', characters: 161, segments: 2 });
    expect(await info(`${'a'.repeat(158)}[`)).to.include({ encoding: 'GSM7', characters: 160, segments: 1 });
    // Odoo's own counter switches the whole text to UNICODE (3 parts of 67 for 160 characters).
    expect(odooUiCounter(`${'a'.repeat(158)}[`)).to.deep.equal({ encoding: 'UNICODE', characters: 159, segments: 3 });
  });

  it('Unicode bodies: 70 units in one SMS, 67 per part; an emoji is 2 units', async () => {
    expect(await info(`${'é'.repeat(69)}ł`)).to.deep.equal({ encoding: 'UNICODE', characters: 70, segments: 1, remaining: 0 });
    expect(await info(`${'a'.repeat(70)}ł`)).to.include({ encoding: 'UNICODE', characters: 71, segments: 2 });
    expect(await info('😀'.repeat(35))).to.deep.equal({ encoding: 'UNICODE', characters: 70, segments: 1, remaining: 0 });
    expect(await info(`${'😀'.repeat(35)}a`)).to.include({ characters: 71, segments: 2 });
    // An emoji never straddles two parts: 33 emoji fill 66 units of the first part, the 34th moves (3 in the second part: 61 units left).
    expect(await info('😀'.repeat(36))).to.deep.equal({ encoding: 'UNICODE', characters: 72, segments: 2, remaining: 61 });
  });

  it('mailings expose the encoding of their body', async () => {
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'Enc', mailing_type: 'sms', body_plaintext: 'Promo 10€ {{ object.name }}' }]);
    // € and the braces of the placeholder are extension characters: 2 septets each.
    const [m] = await t.call('mailing.mailing', 'read', [[id], ['sms_encoding', 'sms_character_count', 'sms_segment_count']]);
    expect(m).to.deep.equal({ id, sms_encoding: 'GSM7', sms_character_count: 32, sms_segment_count: 1 });
    await t.call('mailing.mailing', 'write', [[id], { body_plaintext: 'Salut 👋' }]);
    const [u] = await t.call('mailing.mailing', 'read', [[id], ['sms_encoding', 'sms_character_count', 'sms_segment_count']]);
    expect(u).to.include({ sms_encoding: 'UNICODE', sms_character_count: 8, sms_segment_count: 1 });
  });
});

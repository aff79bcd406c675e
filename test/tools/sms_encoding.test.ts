import { expect } from 'chai';
import { odooCountSms, odooSmsEncoding, odooUiCounter, smsEncodingInfo } from '../../models/tools/sms_encoding.ts';

describe('tools/sms_encoding', () => {
  describe('smsEncodingInfo (carrier billing)', () => {
    it('empty body is 0 segments', () => {
      expect(smsEncodingInfo('')).to.deep.equal({ encoding: 'GSM7', characters: 0, segments: 0, remaining: 160 });
    });
    it('160 GSM characters fit one segment, 161 need two', () => {
      expect(smsEncodingInfo('a'.repeat(160))).to.deep.equal({ encoding: 'GSM7', characters: 160, segments: 1, remaining: 0 });
      expect(smsEncodingInfo('a'.repeat(161))).to.deep.equal({ encoding: 'GSM7', characters: 161, segments: 2, remaining: 145 });
    });
    it('153 septets per concatenated segment: 306 → 2, 307 → 3', () => {
      expect(smsEncodingInfo('x'.repeat(306))).to.include({ segments: 2, remaining: 0 });
      expect(smsEncodingInfo('x'.repeat(307))).to.include({ segments: 3, remaining: 152 });
    });
    it('extension characters cost 2 septets and stay GSM7', () => {
      expect(smsEncodingInfo('€'.repeat(80))).to.deep.equal({ encoding: 'GSM7', characters: 160, segments: 1, remaining: 0 });
      expect(smsEncodingInfo('€'.repeat(81))).to.include({ encoding: 'GSM7', characters: 162, segments: 2 });
      expect(smsEncodingInfo('{}[]~\\|^€\f')).to.include({ encoding: 'GSM7', characters: 20, segments: 1 });
    });
    it('never splits an escape sequence across segments', () => {
      // 152 plain + '€' would straddle the first 153-septet segment
      const info = smsEncodingInfo('a'.repeat(152) + '€' + 'a'.repeat(10));
      expect(info).to.include({ characters: 164, segments: 2, remaining: 153 - 12 });
    });
    it('newline is one septet and the basic table includes accented letters', () => {
      const body = 'Hé!\nÇa va? £5 Øre ¿ñ? Δ_Ω §';
      expect(smsEncodingInfo(body)).to.include({ encoding: 'GSM7', characters: body.length, segments: 1 });
    });
    it('70 UCS-2 units fit one segment, 71 need two (67 each)', () => {
      expect(smsEncodingInfo('ł'.repeat(70))).to.deep.equal({ encoding: 'UNICODE', characters: 70, segments: 1, remaining: 0 });
      expect(smsEncodingInfo('ł'.repeat(71))).to.deep.equal({ encoding: 'UNICODE', characters: 71, segments: 2, remaining: 63 });
      expect(smsEncodingInfo('ł'.repeat(134))).to.include({ segments: 2, remaining: 0 });
      expect(smsEncodingInfo('ł'.repeat(135))).to.include({ segments: 3 });
    });
    it('one non-GSM character switches the whole message to UCS-2', () => {
      const info = smsEncodingInfo('a'.repeat(100) + 'ç');
      expect(info).to.include({ encoding: 'UNICODE', characters: 101, segments: 2 });
    });
    it('an emoji counts 2 UTF-16 units and is not split', () => {
      expect(smsEncodingInfo('😀')).to.deep.equal({ encoding: 'UNICODE', characters: 2, segments: 1, remaining: 68 });
      expect(smsEncodingInfo('😀'.repeat(35))).to.include({ characters: 70, segments: 1 });
      // 66 units + emoji: the pair does not fit the 67th unit, it moves to segment 2
      expect(smsEncodingInfo('ł'.repeat(66) + '😀' + 'ł'.repeat(4))).to.include({ characters: 72, segments: 2, remaining: 61 });
    });
  });

  describe("Odoo's UI counter (reference)", () => {
    it('has no extension table: € makes the text UNICODE', () => {
      expect(odooSmsEncoding('Price 5€')).to.equal('UNICODE');
      expect(odooUiCounter('€'.repeat(80))).to.deep.equal({ encoding: 'UNICODE', characters: 80, segments: 2 });
      expect(smsEncodingInfo('€'.repeat(80)).segments).to.equal(1);
    });
    it('counts each newline twice', () => {
      expect(odooUiCounter('a\nb')).to.deep.equal({ encoding: 'GSM7', characters: 4, segments: 1 });
      expect(smsEncodingInfo('a\nb').characters).to.equal(3);
    });
    it('divides by 153 / 67 after the single-segment limit', () => {
      expect(odooCountSms(0, 'GSM7')).to.equal(0);
      expect(odooCountSms(160, 'GSM7')).to.equal(1);
      expect(odooCountSms(161, 'GSM7')).to.equal(2);
      expect(odooCountSms(307, 'GSM7')).to.equal(3);
      expect(odooCountSms(70, 'UNICODE')).to.equal(1);
      expect(odooCountSms(71, 'UNICODE')).to.equal(2);
      expect(odooUiCounter('😀')).to.deep.equal({ encoding: 'UNICODE', characters: 2, segments: 1 });
    });
  });
});

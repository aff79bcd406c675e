import { expect } from 'chai';
import {
  phoneFormat,
  phoneGetRegionDataForNumber,
  phoneParse,
  phoneSanitize,
  phoneSanitizeMany,
  phoneSanitizeNumbers,
} from '../../models/tools/phone.ts';
import { UserError } from '../../models/orm/exceptions.ts';

function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError');
}

describe('tools/phone', () => {
  describe('phoneSanitize', () => {
    it('formats a national Belgian number with the country', () => {
      expect(phoneSanitize('0456 12 34 56', 'BE')).to.equal('+32456123456');
    });
    it('formats an international number without country', () => {
      expect(phoneSanitize('+32 456 12 34 56')).to.equal('+32456123456');
      expect(phoneSanitize('+32 456 12 34 56', null)).to.equal('+32456123456');
    });
    it('accepts the 00 international prefix when a country is known', () => {
      expect(phoneSanitize('0032 456 12 34 56', 'BE')).to.equal('+32456123456');
    });
    it('accepts lowercase country codes and common separators', () => {
      expect(phoneSanitize('0456/12.34.56', 'be')).to.equal('+32456123456');
      expect(phoneSanitize('(0456) 12-34-56', 'BE')).to.equal('+32456123456');
    });
    it('returns false for invalid or empty input', () => {
      expect(phoneSanitize('abcd', 'BE')).to.equal(false);
      expect(phoneSanitize('', 'BE')).to.equal(false);
      expect(phoneSanitize(null, 'BE')).to.equal(false);
      expect(phoneSanitize(undefined)).to.equal(false);
      expect(phoneSanitize('0400000000', 'BE')).to.equal(false);
    });
    it('needs a country for national numbers (Odoo raises "Missing or invalid default region")', () => {
      expect(phoneSanitize('0456998877', null)).to.equal(false);
      expect(phoneSanitize('0456998877', 'XX')).to.equal(false);
    });
    it('retries too-long numbers as international like Odoo', () => {
      // French mobile typed without '+' with a Belgian default country
      expect(phoneSanitize('33612345678', 'BE')).to.equal('+33612345678');
      // 00 prefix with a country whose IDD is not 00
      expect(phoneSanitize('0033612345678', 'US')).to.equal('+33612345678');
    });
    it('uses current metadata (Mexican fixed line refused by old phonenumbers)', () => {
      expect(phoneSanitize('+52 720 102 0711')).to.equal('+527201020711');
    });
  });

  describe("Brazilian mobiles without the ninth digit (Odoo's phone_validation patch)", () => {
    it('get the 9 after the area code, with or without the country', () => {
      expect(phoneSanitize('+55 11 8765-4321')).to.equal('+5511987654321');
      expect(phoneSanitize('(11) 8765-4321', 'BR')).to.equal('+5511987654321');
      expect(phoneSanitize('+55 21 9876-5432')).to.equal('+5521998765432');
      expect(phoneSanitize('+55 71 8654-3210')).to.equal('+5571986543210');
      expect(phoneFormat('+55 11 8765-4321', null, null, { forceFormat: 'E164' })).to.equal('+5511987654321');
      expect(phoneParse('+55 11 8765-4321', null).number).to.equal('+5511987654321');
      // the batch path (imports) agrees
      expect(phoneSanitizeMany(['+55 11 8765-4321', '(11) 8765 4321'], 'BR')).to.deep.equal(['+5511987654321', '+5511987654321']);
    });
    it('leave valid numbers alone: fixed lines, 10-digit mobiles starting with 7, numbers already with the 9', () => {
      expect(phoneSanitize('+55 11 3456-7890')).to.equal('+551134567890');
      expect(phoneSanitize('+55 71 7654-3210')).to.equal('+557176543210');
      expect(phoneSanitize('+55 11 98765-4321')).to.equal('+5511987654321');
    });
    it('numbers the 9 cannot save stay invalid, with the number as typed in the message', () => {
      expect(phoneSanitize('+55 20 8765-4321')).to.equal(false);
      expect(userErrorOf(() => phoneParse('+55 20 8765-4321', null)).message).to.equal('Invalid number +55 20 8765-4321: probably incorrect prefix.');
    });
  });

  describe('phoneSanitizeMany', () => {
    it('gives what phoneSanitize gives, bad numbers and retried too-long numbers included', () => {
      const numbers = [
        '0456 12 34 56', '+32456123456', '0032456123456', '32456123456', '+3245612345678901', '0032456123456789', '+3212',
        'not a number', '', '  +33 6 12 34 56 78  ', '612345678', '+55 11 8765-4321', '+55 20 8765-4321', '+999 123', '00', '+',
      ];
      for (const country of ['BE', 'FR', 'BR', null]) {
        const expected = numbers.map((n) => phoneSanitize(n.trim(), country));
        expect(phoneSanitizeMany(numbers, country), String(country)).to.deep.equal(expected);
      }
    });
  });

  describe('phoneFormat', () => {
    it('defaults to INTERNATIONAL', () => {
      expect(phoneFormat('0456998877', 'BE', 32)).to.equal('+32 456 99 88 77');
    });
    it('formats E164, RFC3966 and NATIONAL', () => {
      expect(phoneFormat('0456998877', 'BE', 32, { forceFormat: 'E164' })).to.equal('+32456998877');
      expect(phoneFormat('0456998877', 'BE', 32, { forceFormat: 'RFC3966' })).to.equal('tel:+32-456-99-88-77');
      expect(phoneFormat('+32456998877', null, 32, { forceFormat: 'NATIONAL' })).to.equal('0456 99 88 77');
    });
    it('keeps INTERNATIONAL for a foreign number even when NATIONAL is asked', () => {
      expect(phoneFormat('+33612345678', 'BE', 32, { forceFormat: 'NATIONAL' })).to.equal('+33 6 12 34 56 78');
      expect(phoneFormat('0456998877', 'BE', null, { forceFormat: 'NATIONAL' })).to.equal('+32 456 99 88 77');
    });
    it('keeps extensions out of E164 and in RFC3966', () => {
      expect(phoneFormat('+32 456 12 34 56 ext. 12', 'BE', 32, { forceFormat: 'E164' })).to.equal('+32456123456');
      expect(phoneFormat('+32 456 12 34 56 ext. 12', 'BE', 32, { forceFormat: 'RFC3966' })).to.equal(
        'tel:+32-456-12-34-56;ext=12',
      );
    });
    it('returns the number unchanged when raiseException is false', () => {
      expect(phoneFormat('abcd', 'BE', 32, { raiseException: false })).to.equal('abcd');
      expect(phoneFormat('12', 'BE', 32, { raiseException: false, forceFormat: 'E164' })).to.equal('12');
    });
    it("raises UserError with Odoo's messages", () => {
      expect(userErrorOf(() => phoneFormat('abcd', 'BE', 32)).message).to.equal(
        'Unable to parse abcd: (1) The string supplied did not seem to be a phone number.',
      );
      expect(userErrorOf(() => phoneFormat('0456998877', null, 32)).message).to.equal(
        'Unable to parse 0456998877: (0) Missing or invalid default region.',
      );
      expect(userErrorOf(() => phoneFormat('+999 123', 'BE', 32)).message).to.equal(
        'Unable to parse +999 123: (0) Could not interpret numbers after plus-sign.',
      );
      expect(userErrorOf(() => phoneFormat('12', 'BE', 32)).message).to.equal(
        'Impossible number 12: not enough digits.',
      );
      expect(userErrorOf(() => phoneFormat('045612345678901', 'BE', 32)).message).to.equal(
        'Impossible number 045612345678901: too many digits.',
      );
      expect(userErrorOf(() => phoneFormat('0400000000', 'BE', 32)).message).to.equal(
        'Invalid number 0400000000: probably incorrect prefix.',
      );
      expect(userErrorOf(() => phoneParse('0400000000', 'BE')).odooName).to.equal('odoo.exceptions.UserError');
    });
  });

  describe('phoneSanitizeNumbers', () => {
    it('reports sanitized / empty / invalid per number', () => {
      const res = phoneSanitizeNumbers(['', ' 0456 12 34 56 ', 'abcd'], 'BE', 32);
      expect(res.get('')).to.deep.equal({ sanitized: false, code: 'empty', msg: false });
      expect(res.get(' 0456 12 34 56 ')).to.deep.equal({ sanitized: '+32456123456', code: false, msg: false });
      expect(res.get('abcd')).to.deep.equal({
        sanitized: false,
        code: 'invalid',
        msg: 'Unable to parse abcd: (1) The string supplied did not seem to be a phone number.',
      });
    });
  });

  describe('phoneGetRegionDataForNumber', () => {
    it('tells CA from US for +1 numbers', () => {
      expect(phoneGetRegionDataForNumber('+1-613-555-0177')).to.deep.equal({
        code: 'CA', national_number: '6135550177', phone_code: '1',
      });
      expect(phoneGetRegionDataForNumber('+1-202-555-0124')).to.deep.equal({
        code: 'US', national_number: '2025550124', phone_code: '1',
      });
      expect(phoneGetRegionDataForNumber('nope')).to.deep.equal({ code: '', national_number: '', phone_code: '' });
    });
  });

  describe('phoneSanitizeMany', () => {
    it('matches phoneSanitize number by number', () => {
      const input = ['0456 12 34 56', '+32 456 12 34 56', 'abcd', '', ' 0456 12 34 56 ', '33612345678', '12', '0400000000'];
      expect(phoneSanitizeMany(input, 'BE')).to.deep.equal(input.map((n) => phoneSanitize(n.trim(), 'BE')));
    });
  });

  it('a value that is not a string is Python\'s TypeError, never "[object Object]" (found by the fuzz test)', () => {
    expect(() => phoneParse({ d: '' } as unknown as string, 'BE')).to.throw("expected string or bytes-like object, got 'dict'");
  });
});

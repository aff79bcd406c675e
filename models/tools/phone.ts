// Phone number parsing, validation and formatting as Odoo's phone_validation
// (addons/phone_validation/tools/phone_validation.py) does it, on libphonenumber-js
// full ("max") metadata. Pure: callers pass the country (record's, else company's).

import {
  ParseError,
  isSupportedCountry,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { UserError } from '../orm/exceptions.ts';
import { pyRequireStr } from '../orm/pyargs.ts';

export type PhoneFormat = 'E164' | 'INTERNATIONAL' | 'NATIONAL' | 'RFC3966';

export interface PhoneFormatOptions {
  /** Odoo's `force_format`; defaults to 'INTERNATIONAL' like `phone_format`. */
  forceFormat?: PhoneFormat;
  /** Odoo's `raise_exception`; defaults to true. When false an invalid number is returned unchanged. */
  raiseException?: boolean;
}

export interface PhoneSanitizeResult {
  sanitized: string | false;
  code: 'empty' | 'invalid' | false;
  msg: string | false;
}

// Python phonenumbers' NumberParseException texts, as str(exc) renders them ("(type) message").
const PARSE_ERROR_TEXT = {
  missingRegion: '(0) Missing or invalid default region.',
  afterPlus: '(0) Could not interpret numbers after plus-sign.',
  unknownCallingCode: '(0) Country calling code supplied was not recognised.',
  notANumber: '(1) The string supplied did not seem to be a phone number.',
  tooShort: '(3) The string supplied is too short to be a phone number.',
  tooLong: '(4) The string supplied is too long to be a phone number.',
};

// Google's parser first cuts the number out of surrounding text: from the first digit or plus
// sign to the last letter, digit or '#'.
const LEADING_JUNK = /^[^0-9+\uFF0B\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]+/u;
const TRAILING_JUNK = /[^\p{L}\p{N}#]+$/u;

function extractPossibleNumber(number: string): string {
  return number.replace(LEADING_JUNK, '').replace(TRAILING_JUNK, '');
}

// Odoo passes res.country.code ('BE'); unknown or empty codes mean "no default region".
function regionOf(countryCode: string | null | undefined): CountryCode | undefined {
  if (!countryCode) return undefined;
  const upper = countryCode.toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

function parseErrorText(err: ParseError, possible: string, region: CountryCode | undefined): string {
  switch (err.message) {
    case 'INVALID_COUNTRY':
      if (/^[+\uFF0B]/u.test(possible)) return PARSE_ERROR_TEXT.afterPlus;
      return region ? PARSE_ERROR_TEXT.unknownCallingCode : PARSE_ERROR_TEXT.missingRegion;
    case 'TOO_SHORT':
      return PARSE_ERROR_TEXT.tooShort;
    case 'TOO_LONG':
      return PARSE_ERROR_TEXT.tooLong;
    default:
      return PARSE_ERROR_TEXT.notANumber;
  }
}

/**
 * Odoo's `phone_parse`: parse with the region, refuse impossible then invalid numbers with
 * Odoo's messages; a too-long number is retried as international (`00…` / no `+`).
 */
export function phoneParse(number: string, countryCode?: string | null): PhoneNumber {
  const region = regionOf(countryCode);
  // phonenumbers runs regular expressions on the value: anything but a string is Python's TypeError.
  const possible = extractPossibleNumber(pyRequireStr(number));
  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(possible, { defaultCountry: region, extract: false });
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    throw new UserError(`Unable to parse ${number}: ${parseErrorText(err, possible, region)}`);
  }
  if (!phone.isPossible()) {
    const reason = validatePhoneNumberLength(possible, region);
    if (reason === 'INVALID_COUNTRY') {
      throw new UserError(`Impossible number ${number}: not a valid country prefix.`);
    }
    if (reason === 'TOO_SHORT') {
      throw new UserError(`Impossible number ${number}: not enough digits.`);
    }
    if (reason === 'TOO_LONG') {
      // people type 0032… or 32… for +32…; the error keeps the number as typed
      let retry: string | null = null;
      if (number.startsWith('00')) retry = `+${number.replace(/^0+/, '')}`;
      else if (!number.startsWith('+')) retry = `+${number}`;
      if (retry !== null) {
        try {
          return phoneParse(retry, countryCode);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
        }
      }
      throw new UserError(`Impossible number ${number}: too many digits.`);
    }
    throw new UserError(`Impossible number ${number}: probably invalid number of digits.`);
  }
  if (!phone.isValid()) {
    const fixed = brazilianNinthDigit(phone);
    if (fixed) return fixed;
    throw new UserError(`Invalid number ${number}: probably incorrect prefix.`);
  }
  return phone;
}

// Odoo's phonenumbers patch for Brazil's 2016 change: an invalid 10-digit national number whose
// area code is one of these is reformatted with a 9 after it, then parsed again, unless BR's own
// 10-digit format (third digit 2-5 or 7) takes it first; in 7x areas only numbers going on with 6,
// 8 or 9.
const BR_NINTH_DIGIT = /^(?:(?:[14689][1-9]|2[12478]|3[1-578]|5[13-5])[01689]|7[13-579][689])/;

/** The number with the ninth digit Brazil added to mobiles in 2016, when that makes it valid. */
function brazilianNinthDigit(phone: PhoneNumber): PhoneNumber | undefined {
  const national = String(phone.nationalNumber);
  if (phone.countryCallingCode !== '55' || national.length !== 10 || !BR_NINTH_DIGIT.test(national)) return undefined;
  try {
    const fixed = parsePhoneNumberWithError(`+55${national.slice(0, 2)}9${national.slice(2)}`, { extract: false });
    if (!fixed.isValid()) return undefined;
    if (phone.ext) fixed.setExt(phone.ext);
    return fixed;
  } catch (err) {
    if (err instanceof ParseError) return undefined;
    throw err;
  }
}

// Google's RFC3966: the international layout with separators turned into dashes.
function formatRfc3966(phone: PhoneNumber): string {
  const international = phone.format('INTERNATIONAL', { formatExtension: (formatted) => formatted });
  const dashed = international.trim().replace(/[\s\-.()/\u00A0\u2010-\u2015\u2212]+/gu, '-');
  return `tel:${dashed}${phone.ext ? `;ext=${phone.ext}` : ''}`;
}

/** Format a parsed number; NATIONAL only when it belongs to `countryPhoneCode`, like Odoo. */
export function phoneFormatParsed(
  phone: PhoneNumber,
  countryPhoneCode: number | null | undefined,
  forceFormat: PhoneFormat = 'INTERNATIONAL',
): string {
  if (forceFormat === 'E164') return phone.number;
  if (forceFormat === 'RFC3966') return formatRfc3966(phone);
  if (forceFormat === 'INTERNATIONAL' || Number(phone.countryCallingCode) !== Number(countryPhoneCode)) {
    return phone.formatInternational();
  }
  return phone.formatNational();
}

/**
 * Odoo's `phone_format(number, country_code, country_phone_code, force_format, raise_exception)`.
 * Invalid numbers raise a UserError, or come back unchanged when `raiseException` is false.
 */
export function phoneFormat(
  number: string,
  countryCode?: string | null,
  countryPhoneCode?: number | null,
  opts: PhoneFormatOptions = {},
): string {
  const { forceFormat = 'INTERNATIONAL', raiseException = true } = opts;
  let phone: PhoneNumber;
  try {
    phone = phoneParse(number, countryCode);
  } catch (err) {
    if (raiseException || !(err instanceof UserError)) throw err;
    return number;
  }
  return phoneFormatParsed(phone, countryPhoneCode, forceFormat);
}

/**
 * E.164 of a valid number, else false: Odoo's `_phone_format(number=…, force_format='E164')`
 * with raise_exception=False (no number → False).
 */
export function phoneSanitize(number: string | null | undefined, countryCode?: string | null): string | false {
  if (!number) return false;
  try {
    return phoneParse(number, countryCode).number;
  } catch (err) {
    if (err instanceof UserError) return false;
    throw err;
  }
}

/**
 * Batch sanitisation for imports: same result as phoneSanitize per number (aligned with the
 * input), with a per-batch cache so repeated numbers are parsed once.
 */
export function phoneSanitizeMany(
  numbers: ReadonlyArray<string | null | undefined>,
  countryCode?: string | null,
): Array<string | false> {
  const region = regionOf(countryCode);
  const cache = new Map<string, string | false>();
  const out = new Array<string | false>(numbers.length);
  for (let i = 0; i < numbers.length; i++) {
    const raw = numbers[i];
    const number = raw ? raw.trim() : '';
    if (!number) {
      out[i] = false;
      continue;
    }
    let sanitized = cache.get(number);
    if (sanitized === undefined) {
      sanitized = sanitizeFast(number, region);
      cache.set(number, sanitized);
    }
    out[i] = sanitized;
  }
  return out;
}

// phoneParse's outcome without building its errors (imports carry many bad numbers): valid →
// E.164; possible but invalid → false unless an old Brazilian mobile; impossible → false, except a
// too-long number, retried once as international (`00…` / no `+`), as phoneParse does.
function sanitizeFast(number: string, region: CountryCode | undefined): string | false {
  const possible = extractPossibleNumber(number);
  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(possible, { defaultCountry: region, extract: false });
  } catch {
    return false;
  }
  if (phone.isValid()) return phone.number;
  if (phone.isPossible()) return brazilianNinthDigit(phone)?.number ?? false;
  if (validatePhoneNumberLength(possible, region) !== 'TOO_LONG') return false;
  const retry = number.startsWith('00') ? `+${number.replace(/^0+/, '')}` : number.startsWith('+') ? null : `+${number}`;
  return retry === null ? false : sanitizeFast(retry, region);
}

/**
 * Odoo's `phone_sanitize_numbers(numbers, country_code, country_phone_code, force_format)`:
 * per number {sanitized, code: 'empty'|'invalid'|False, msg}. Numbers are stripped first.
 */
export function phoneSanitizeNumbers(
  numbers: ReadonlyArray<string>,
  countryCode?: string | null,
  countryPhoneCode?: number | null,
  forceFormat: PhoneFormat = 'E164',
): Map<string, PhoneSanitizeResult> {
  const result = new Map<string, PhoneSanitizeResult>();
  for (const number of numbers) {
    if (!number) {
      result.set(number, { sanitized: false, code: 'empty', msg: false });
      continue;
    }
    try {
      const sanitized = phoneFormat(number.trim(), countryCode, countryPhoneCode, { forceFormat, raiseException: true });
      result.set(number, { sanitized, code: false, msg: false });
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      result.set(number, { sanitized: false, code: 'invalid', msg: err.message });
    }
  }
  return result;
}

/** Odoo's `phone_get_region_data_for_number`: region, national number and calling code, or ''s. */
export function phoneGetRegionDataForNumber(number: string): { code: string; national_number: string; phone_code: string } {
  try {
    const phone = phoneParse(number, null);
    return { code: phone.country ?? '', national_number: String(phone.nationalNumber), phone_code: String(phone.countryCallingCode) };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { code: '', national_number: '', phone_code: '' };
  }
}

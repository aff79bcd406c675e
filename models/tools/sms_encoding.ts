// SMS length as carriers bill it (GSM 03.38 / UCS-2 segmentation). Odoo's own widget counter
// (sms/static/src/core/sms_char_counter_utils.js) is kept alongside for reference: it has no
// extension table (one `€` makes the text UNICODE) and counts each newline twice.

export type SmsEncoding = 'GSM7' | 'UNICODE';

export interface SmsEncodingInfo {
  encoding: SmsEncoding;
  /** Septets for GSM7, UTF-16 code units for UNICODE. */
  characters: number;
  segments: number;
  /** Characters (septets / code units) still free in the current segment. */
  remaining: number;
}

export const GSM7_MAX_CHAR = 160;
export const GSM7_CONCATENATED_MAX_CHAR = 153;
export const UCS2_MAX_CHAR = 70;
export const UCS2_CONCATENATED_MAX_CHAR = 67;

// GSM 03.38 default alphabet (1 septet each); the ESC slot 0x1B is not a character.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// Extension table: sent as ESC + char, so 2 septets each.
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

// Odoo's widget accepts exactly the basic set (no extension table).
const ODOO_GSM7_RE =
  /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà]*$/;

/** Per-unit sizes of the body in its encoding; null sizes mean "not GSM-7". */
function gsm7Sizes(body: string): number[] | null {
  const sizes: number[] = [];
  for (const ch of body) {
    if (GSM7_BASIC.has(ch)) sizes.push(1);
    else if (GSM7_EXTENSION.has(ch)) sizes.push(2);
    else return null;
  }
  return sizes;
}

// UCS-2 units: 1 per UTF-16 code unit; a surrogate pair is kept whole (2) so it never straddles
// two segments.
function ucs2Sizes(body: string): number[] {
  const sizes: number[] = [];
  for (const ch of body) sizes.push(ch.length);
  return sizes;
}

// Concatenated segments are filled greedily: an escape pair or surrogate pair that does not fit
// moves whole to the next segment, as handsets and carriers split messages.
function concatenatedSegments(sizes: number[], perSegment: number): { segments: number; used: number } {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perSegment) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { segments, used };
}

/** Encoding, billed length, segment count and room left in the last segment of an SMS body. */
export function smsEncodingInfo(body: string): SmsEncodingInfo {
  const gsm = gsm7Sizes(body);
  const encoding: SmsEncoding = gsm ? 'GSM7' : 'UNICODE';
  const sizes = gsm ?? ucs2Sizes(body);
  const single = gsm ? GSM7_MAX_CHAR : UCS2_MAX_CHAR;
  const concatenated = gsm ? GSM7_CONCATENATED_MAX_CHAR : UCS2_CONCATENATED_MAX_CHAR;
  const characters = sizes.reduce((sum, size) => sum + size, 0);
  if (characters === 0) return { encoding, characters, segments: 0, remaining: single };
  if (characters <= single) return { encoding, characters, segments: 1, remaining: single - characters };
  const { segments, used } = concatenatedSegments(sizes, concatenated);
  return { encoding, characters, segments, remaining: concatenated - used };
}

/** Odoo's `extractSmsEncoding`: GSM7 only when every character is in the basic set. */
export function odooSmsEncoding(body: string): SmsEncoding {
  return ODOO_GSM7_RE.test(body) ? 'GSM7' : 'UNICODE';
}

/** Odoo's `countSMS(nbrChar, encoding)`. */
export function odooCountSms(characters: number, encoding: SmsEncoding): number {
  if (characters === 0) return 0;
  if (encoding === 'UNICODE') {
    return characters <= UCS2_MAX_CHAR ? 1 : Math.ceil(characters / UCS2_CONCATENATED_MAX_CHAR);
  }
  return characters <= GSM7_MAX_CHAR ? 1 : Math.ceil(characters / GSM7_CONCATENATED_MAX_CHAR);
}

/**
 * What Odoo's SMS widget displays: JS string length plus one per newline, extension characters
 * switch the whole text to UNICODE, segments by plain division.
 */
export function odooUiCounter(body: string): { encoding: SmsEncoding; characters: number; segments: number } {
  const encoding = odooSmsEncoding(body);
  const characters = body.length + (body.match(/\n/g)?.length ?? 0);
  return { encoding, characters, segments: odooCountSms(characters, encoding) };
}

// Time-zone arithmetic for naive UTC datetimes (Odoo stores UTC, users think in their tz):
// offsets, local wall-clock time to UTC, local midnight. Shared by domains and load().

const FORMATTERS = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter giving the wall-clock parts in `tz` (null for an unknown zone), built once per zone. */
function formatter(tz: string): Intl.DateTimeFormat | null {
  let fmt = FORMATTERS.get(tz);
  if (fmt === undefined) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    } catch {
      fmt = null;
    }
    FORMATTERS.set(tz, fmt);
  }
  return fmt;
}

/** Offset (ms) of `tz` from UTC at the UTC instant `t`. */
export function tzOffset(t: number, tz: string): number {
  if (!tz || tz === 'UTC') return 0;
  const fmt = formatter(tz);
  if (!fmt) return 0; // unknown time zone: UTC, like Odoo's fallback
  const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(t / 1000) * 1000;
}

/** UTC instant of a local wall-clock time in `tz`. */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string): Date {
  const guess = Date.UTC(y, mo, d, h, mi, s);
  let t = guess - tzOffset(guess, tz);
  t = guess - tzOffset(t, tz);
  return new Date(t);
}

/** Local midnight of an ISO date in `tz`, as a naive UTC datetime string. */
export function zonedMidnightUtc(date: string, tz: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return zonedToUtc(y, m - 1, d, 0, 0, 0, tz).toISOString().slice(0, 19).replace('T', ' ');
}

/** Local wall-clock parts of a UTC instant in `tz` (as a Date whose UTC fields are local). */
export function localNow(tz: string): Date {
  const now = Date.now();
  return new Date(Math.floor(now / 1000) * 1000 + tzOffset(now, tz));
}

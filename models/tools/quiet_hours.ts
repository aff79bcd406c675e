// Quiet hours: the sending window in the recipient's local time, and the first instant an SMS to a
// number in given zones may go. Pure functions of an explicit "now" (tests pass their own clock);
// daylight-saving changes come from the runtime's time-zone database (Intl).

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    FORMATTERS.set(zone, f);
  }
  return f;
}

/** Whether the runtime knows this IANA zone. */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock time in `zone` at instant `t`, as a UTC timestamp with the same fields. */
function wallClock(zone: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** Instant at which `zone`'s clocks show `wall` (a time skipped by a DST change maps to just after it). */
function instantOf(zone: string, wall: number): number {
  let t = wall - (wallClock(zone, wall) - wall);
  t = wall - (wallClock(zone, t) - t);
  return t;
}

export interface QuietWindow {
  /** Start and end of the sending window in local hours (float, 8.5 = 08:30), end excluded; start > end spans midnight. */
  start: number;
  end: number;
}

const DAY = 86_400_000;

function minuteOfDay(hours: number): number {
  return Math.round(hours * 60) % 1440;
}

/** Whether the window is open in `zone` at instant `t`. */
export function isOpen(zone: string, w: QuietWindow, t: number): boolean {
  const wall = wallClock(zone, t);
  const m = Math.floor((wall % DAY) / 60_000);
  const s = minuteOfDay(w.start);
  const e = minuteOfDay(w.end);
  if (s === e) return true;
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** Openings of the window in `zone` at or after `t`, over the next few local days, ascending. */
function openingsAfter(zone: string, w: QuietWindow, t: number): number[] {
  const today = Math.floor(wallClock(zone, t) / DAY) * DAY;
  const out: number[] = [];
  for (let d = -1; d <= 2; d++) {
    const at = instantOf(zone, today + d * DAY + minuteOfDay(w.start) * 60_000);
    if (at >= t) out.push(at);
  }
  return out;
}

/**
 * First instant at or after `now` when an SMS to a number in `zones` may go, or null if it may go
 * now. Several zones: the window must be open in all of them (their intersection); when they have
 * no common open time (or no zone is known), `fallbackZone` alone decides.
 */
export function quietHoursNotBefore(zones: string[], w: QuietWindow, now: Date, fallbackZone: string): Date | null {
  const t0 = now.getTime();
  const known = zones.filter(isKnownZone);
  const decide = (zs: string[]): number | null => {
    const candidates = [t0, ...zs.flatMap((z) => openingsAfter(z, w, t0))].sort((a, b) => a - b);
    for (const c of candidates) if (zs.every((z) => isOpen(z, w, c))) return c;
    return null;
  };
  const at = (known.length ? decide(known) : null) ?? decide([isKnownZone(fallbackZone) ? fallbackZone : 'UTC']) ?? t0;
  return at <= t0 ? null : new Date(at);
}

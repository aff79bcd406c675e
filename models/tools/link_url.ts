// URL helpers of link tracking (pure): Odoo's scheme normalisation, the UTM-tagged redirect
// address, the URL pattern of SMS texts and the User-Agent bot markers of the redirect route.

/** Odoo's TEXT_URL_REGEX: URLs inside plain text (SMS bodies). */
export const TEXT_URL_SOURCE = String.raw`https?://[\w@:%.+&~#=/-]+(?:\?\S+)?`;
/** A character that may continue a URL (a match followed by one is not a whole occurrence). */
export const URL_CHAR_SOURCE = String.raw`[\w@:%.+&~#=/-]`;

export function textUrls(text: string): string[] {
  return [...new Set(text.match(new RegExp(TEXT_URL_SOURCE, 'gu')) ?? [])];
}

/** tools.validate_url: anything that is not http(s)/ftp(s) gets `http://` in front. */
export function validateUrl(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  const scheme = m ? m[1].toLowerCase() : '';
  return ['http', 'https', 'ftp', 'ftps'].includes(scheme) ? url : `http://${url}`;
}

/** Python's repr() of a str (quotes chosen as Python does). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

// werkzeug's always-safe characters of a form-encoded query ('+' is escaped, space becomes '+').
const QUERY_SAFE = /[A-Za-z0-9\-._~$!'()*,;]/;

function quotePlus(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === ' ') out += '+';
    else if (QUERY_SAFE.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function unquotePlus(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s.replace(/\+/g, ' ');
  }
}

/** Host[:port] of an absolute URL ('' when there is none), as urlparse's netloc. */
export function netloc(url: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  return m ? m[1] : '';
}

export interface UtmNames {
  campaign?: string | false | null;
  source?: string | false | null;
  medium?: string | false | null;
}

/**
 * link.tracker.redirected_url: the URL with utm_campaign, utm_source, utm_medium (record names,
 * form-encoded) appended after its own query parameters, which win on a clash. With
 * `link_tracker.no_external_tracking` set, URLs to another host than the base URL's are left alone.
 */
export function redirectedUrl(url: string, utm: UtmNames, opts: { baseUrl: string; noExternalTracking: boolean }): string {
  const host = netloc(url);
  if (opts.noExternalTracking && host && host !== netloc(opts.baseUrl)) return url;
  const hashAt = url.indexOf('#');
  const fragment = hashAt >= 0 ? url.slice(hashAt) : '';
  const noFrag = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const qAt = noFrag.indexOf('?');
  const head = qAt >= 0 ? noFrag.slice(0, qAt) : noFrag;
  const query = qAt >= 0 ? noFrag.slice(qAt + 1) : '';
  const pairs: [string, string][] = query
    ? query.split('&').filter(Boolean).map((p) => {
      const eq = p.indexOf('=');
      return eq >= 0 ? [unquotePlus(p.slice(0, eq)), unquotePlus(p.slice(eq + 1))] : [unquotePlus(p), ''];
    })
    : [];
  const keys = new Set(pairs.map(([k]) => k));
  for (const [key, value] of [['utm_campaign', utm.campaign], ['utm_source', utm.source], ['utm_medium', utm.medium]] as const) {
    if (value && !keys.has(key)) pairs.push([key, value]);
  }
  if (!pairs.length) return head + (qAt >= 0 && query ? `?${query}` : '') + fragment;
  return `${head}?${pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&')}${fragment}`;
}

// Substrings of the lower-cased User-Agent that mark a bot or a link preview (not a click).
const BOT_MARKERS = ['bot', 'crawl', 'slurp', 'spider', 'curl', 'wget', 'facebookexternalhit', 'whatsapp', 'trendsmapresolver', 'pinterest', 'instagram', 'google-pagerenderer', 'preview'];

export function isBotUserAgent(userAgent: string | undefined): boolean {
  const ua = (userAgent ?? '').toLowerCase();
  return BOT_MARKERS.some((m) => ua.includes(m));
}

/** HTML-escape as markupsafe does. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

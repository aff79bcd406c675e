// Shortening the links of a plain text (Odoo's mail.render.mixin `_shorten_links_text`, the mixin
// itself not being modelled here) and the spots where an SMS's short links take its `/s/<id>`.

import type { Env } from '../orm/env.ts';
import type { Vals } from '../orm/records.ts';
import { TEXT_URL_SOURCE, URL_CHAR_SOURCE } from '../tools/link_url.ts';
import { baseUrl } from './link_tracker.ts';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** html.unescape of the few entities a URL may carry in text. */
function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e]!);
}

/**
 * Replace every whole occurrence (not followed by another URL character) of the URLs of `texts`
 * with the short URL of their tracker, created or reused with `vals` (UTMs, mailing): ONE
 * search_or_create for all the distinct URLs of all the texts. Short links (`<base>/r/…`),
 * unsubscribe links (`<base>/sms/…`) and URLs containing a `blacklist` fragment are left alone.
 * Empty texts are returned unchanged.
 */
export async function shortenLinksTexts(env: Env, texts: (string | false)[], vals: Vals, blacklist: string[] = []): Promise<(string | false)[]> {
  const base = await baseUrl(env);
  const urls = new Set<string>();
  // The URLs of each text (usually one or two): each text is rewritten with its own ones only.
  const perText = texts.map((text) => {
    if (!text) return [];
    const own = [...new Set(text.match(new RegExp(TEXT_URL_SOURCE, 'gu')) ?? [])]
      .filter((url) => !url.startsWith(`${base}/r/`) && !url.startsWith(`${base}/sms/`) && !blacklist.some((b) => url.includes(b)));
    for (const url of own) urls.add(url);
    return own;
  });
  if (!urls.size) return texts;
  const list = [...urls];
  const trackers = await env.model('link.tracker').sudo().call<{ ids: number[] }>('search_or_create', list.map((url) => ({ ...vals, url: unescapeHtml(url) })));
  const shortUrls = new Map((await env.model('link.tracker').sudo().browse([...new Set(trackers.ids)]).read(['short_url'])).map((r) => [r.id as number, r.short_url as string]));
  const byUrl = new Map(list.map((url, i) => [url, shortUrls.get(trackers.ids[i])!]));
  const patterns = new Map<string, RegExp>();
  return texts.map((text, i) => {
    if (!text || !perText[i].length) return text;
    // Longest first, so a URL that is the prefix of another never eats it.
    const own = [...perText[i]].sort((a, b) => b.length - a.length);
    const key = own.join('\n');
    let re = patterns.get(key);
    if (!re) {
      re = new RegExp(`(${own.map(escapeRe).join('|')})(?!${URL_CHAR_SOURCE})`, 'gu');
      patterns.set(key, re);
    }
    return text.replace(re, (m) => byUrl.get(m) ?? m);
  });
}

export async function shortenLinksText(env: Env, text: string | false, vals: Vals, blacklist: string[] = []): Promise<string | false> {
  return (await shortenLinksTexts(env, [text], vals, blacklist))[0];
}

/**
 * `body` cut where each of its short links (`<base>/r/<code>`, whole occurrences) ends: the SMS
 * text is the pieces joined with `/s/<sms id>` (Odoo's `_update_body_short_links`).
 */
export function shortLinkPieces(body: string, base: string): string[] {
  const ends = new Set<number>();
  const found = [...new Set(body.match(new RegExp(TEXT_URL_SOURCE, 'gu')) ?? [])].filter((u) => u.startsWith(`${base}/r/`));
  for (const url of found) {
    const re = new RegExp(`${escapeRe(url)}(?!${URL_CHAR_SOURCE})`, 'gu');
    for (const m of body.matchAll(re)) ends.add(m.index! + url.length);
  }
  const cuts = [...ends].sort((a, b) => a - b);
  const pieces: string[] = [];
  let at = 0;
  for (const c of cuts) {
    pieces.push(body.slice(at, c));
    at = c;
  }
  pieces.push(body.slice(at));
  return pieces;
}

// GET /r/<code> (link_tracker) and GET /r/<code>/s/<sms id> (mass_mailing_sms): 301 to the
// tracker's redirected_url, after recording the click (not for bots). Public routes.
//
// The fast path: the code's target comes from the instance's cache (models/link_tracker/
// redirect.ts) and the click joins the next group commit; the 301 leaves only once the click
// is committed, so a crash loses no click that was answered.

import type { Request, Response, NextFunction, RequestHandler } from 'express';
import type { RpcContext } from './context.ts';
import { werkzeugErrorPage } from './errors.ts';
import { linkRedirects } from '../models/link_tracker/redirect.ts';
import { isBotUserAgent } from '../models/tools/link_url.ts';

const INT4_MAX = 2 ** 31 - 1;

// werkzeug's iri_to_uri for the Location header: spaces and non-ASCII characters percent-encoded.
const toUri = (url: string) => url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
// Python's html.escape (werkzeug's redirect page).
const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

/** werkzeug.utils.redirect's page. */
export function redirectPage(location: string): string {
  const safe = htmlEscape(location);
  return `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${safe}">${safe}</a>. If not, click the link.\n`;
}

/** The peer address as Odoo records it (proxy headers ignored, IPv4 without its IPv6 prefix). */
function peerIp(req: Request): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function notFound(res: Response): void {
  const page = werkzeugErrorPage(404);
  res.status(page.status).set(page.headers).send(page.body);
}

export function linkRedirect(ctx: RpcContext, withSms: boolean): RequestHandler {
  const service = linkRedirects(ctx.registry, (err) => ctx.logger.warn({ err }, 'link tracker: recounting clicks at start failed'));
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      let smsId: number | null = null;
      if (withSms) {
        // The <int:sms_id> converter: digits only; an id beyond int4 cannot match any trace.
        const raw = String(req.params.sms_id);
        if (!/^\d+$/.test(raw)) return notFound(res);
        smsId = Number(raw) <= INT4_MAX ? Number(raw) : null;
      }
      const target = await service.cache.lookup(String(req.params.code));
      if (!target) return notFound(res);
      if (!isBotUserAgent(req.get('user-agent'))) await service.clicks.add({ linkId: target.linkId, ip: peerIp(req), smsId });
      const location = toUri(target.redirectedUrl);
      res.status(301).set('Location', location).set('Content-Type', 'text/html; charset=utf-8');
      // The website route of /r/<code> sets the visitor's language cookie, as Odoo's does.
      if (!withSms) res.cookie('frontend_lang', 'en_US', { expires: new Date(Date.now() + 365 * 86_400_000), path: '/', encode: String });
      res.send(redirectPage(location));
    } catch (err) {
      next(err);
    }
  };
}

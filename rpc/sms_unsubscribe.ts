// Public SMS opt-out pages (mass_mailing_sms controller), HTML from views/mass_mailing_sms/:
//
//   /sms/<mailing_id>/<trace_code>                 asks for the phone number; a number that is the
//       trace's (typed in any format) → 303 to the unsubscribe route; else the form with an error.
//   /sms/<mailing_id>/unsubscribe/<trace_code>    ?sms_number=<E.164 of the trace>: opts the number
//       out of the mailing's lists, or blacklists it when the mailing has none, and says so.
//
// Both: no login; any method; a POST needs the form's CSRF token (else 400, Odoo's text); an
// unknown mailing or code → 303 to /odoo. One transaction per request.

import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { RpcContext } from './context.ts';
import { werkzeugRedirect, type HttpAnswer } from './errors.ts';
import { requestSessionId } from './session.ts';
import { CSRF_ERROR, csrfToken, validateCsrf, visitorSessionId } from './csrf.ts';
import type { Env } from '../models/orm/env.ts';
import { renderTemplate, type TemplateValues } from '../models/tools/html_template.ts';
import { phoneSanitize } from '../models/tools/phone.ts';
import { defaultPhoneCountry } from '../models/phone_validation/default_country.ts';
import { checkTrace, unsubscribeNumber } from '../models/mass_mailing_sms/unsubscribe.ts';

const TITLE = 'SMS Subscription';
// werkzeug's safe methods: no CSRF token asked.
const CSRF_FREE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const NUMBER_NOT_FOUND = 'Oops! Number not found';
const NUMBER_INVALID = 'Oops! The phone number seems to be incorrect. Please make sure to include the country code.';

type Params = Record<string, string>;

/** What to answer, sent once the request's transaction has committed. */
type Answer = HttpAnswer;

function html(status: number, body: string): Answer {
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }, body };
}

const redirect = (location: string): Answer => werkzeugRedirect(location, 303);

/** Query string and form fields (a form field wins), first value of each, as Odoo's `**post`. */
function requestParams(req: Request): Params {
  const out: Params = {};
  for (const src of [req.query, req.body]) {
    if (!src || typeof src !== 'object') continue;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (typeof first === 'string') out[k] = first;
    }
  }
  return out;
}

async function renderForm(env: Env, req: Request, res: Response, values: TemplateValues): Promise<Answer> {
  const sid = visitorSessionId(req, res);
  return html(200, renderTemplate('mass_mailing_sms/blacklist_main.html', { title: TITLE, ...values, csrf_token: await csrfToken(env, sid) }));
}

type Handler = (env: Env, req: Request, res: Response, mailingId: number, code: string, params: Params, numbers: string[]) => Promise<Answer>;

/** The checks both routes share: int mailing id, CSRF on POST, trace of that mailing and code. */
function route(ctx: RpcContext, handler: Handler) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const rawId = String(req.params.mailing_id);
    if (!/^\d+$/.test(rawId)) return next(); // werkzeug's int converter: no match, so a 404
    const code = String(req.params.trace_code);
    const params = requestParams(req);
    let answer: Answer;
    try {
      answer = await ctx.registry.sudo(async (env) => {
        if (!CSRF_FREE.has(req.method) && !(await validateCsrf(env, requestSessionId(req), params.csrf_token))) {
          ctx.logger.warn({ path: req.path }, 'CSRF validation failed on a public form');
          return html(400, renderTemplate('http_error.html', {
            title: '400: Bad Request', code: 400, name: 'Bad Request',
            description: "The server couldn't understand the request. Take a look at the error message below.", message: CSRF_ERROR,
          }));
        }
        const found = await checkTrace(env, Number(rawId), code);
        if (!found) return redirect('/odoo');
        return handler(env, req, res, found.mailingId, code, params, found.numbers);
      });
    } catch (err) {
      return next(err);
    }
    res.status(answer.status).set(answer.headers).send(answer.body);
  };
}

/** The landing page of the STOP link: confirm the number, then go to the unsubscribe route. */
const blacklistPage: Handler = async (env, req, res, mailingId, code, params, numbers) => {
  const smsNumber = (params.sms_number ?? '').trim();
  let error: string | false = false;
  if (smsNumber) {
    // Numbers typed without prefix are read in the default ("company") country; there is no GeoIP.
    const sanitized = phoneSanitize(smsNumber, (await defaultPhoneCountry(env)) ?? null);
    if (sanitized && numbers.includes(sanitized)) {
      return redirect(`/sms/${mailingId}/unsubscribe/${encodeURIComponent(code)}?${new URLSearchParams({ sms_number: sanitized })}`);
    }
    error = sanitized ? NUMBER_NOT_FOUND : NUMBER_INVALID;
  }
  return renderForm(env, req, res, { mailing_id: mailingId, trace_code: code, sms_number: smsNumber, unsubscribe_error: error });
};

/** Does the opt-out: the number (as sent, spaces trimmed) must be the one of a trace of that code. */
const blacklistNumber: Handler = async (env, req, res, mailingId, code, params, numbers) => {
  const smsNumber = (params.sms_number ?? '').replace(/^ +| +$/g, '');
  if (!smsNumber || !numbers.includes(smsNumber)) {
    // Odoo 19 answers "successfully blacklisted" here while changing nothing: ask again instead.
    return renderForm(env, req, res, { mailing_id: mailingId, trace_code: code, sms_number: smsNumber, unsubscribe_error: smsNumber ? NUMBER_NOT_FOUND : false });
  }
  const result = await unsubscribeNumber(env, mailingId, smsNumber);
  return html(200, renderTemplate('mass_mailing_sms/blacklist_number.html', {
    title: TITLE, sms_number: smsNumber, lists_optout: result.listsOptout, blacklisted: result.blacklisted,
  }));
};

export function smsUnsubscribeRoutes(app: Express, ctx: RpcContext): void {
  const form = express.urlencoded({ extended: false, limit: ctx.maxBodySize });
  app.all('/sms/:mailing_id/unsubscribe/:trace_code', form, route(ctx, blacklistNumber));
  app.all('/sms/:mailing_id/:trace_code', form, route(ctx, blacklistPage));
}

// The login page of the server-rendered pages (/web/login, as Odoo's): the same users,
// passwords, cooldown and sessions as /web/session/authenticate; `pageAs` runs a page as the
// session's user, or sends the visitor to the login page and back.

import express, { type Express, type Request, type Response } from 'express';
import type { RpcContext } from './context.ts';
import type { Env } from '../models/orm/env.ts';
import { SUPERUSER_ID } from '../models/orm/env.ts';
import { AccessDenied, AccessError, MissingError } from '../models/orm/exceptions.ts';
import { renderTemplate, type TemplateValues } from '../models/tools/html_template.ts';
import { werkzeugErrorPage, werkzeugRedirect, type HttpAnswer } from './errors.ts';
import { requestSessionId, sessionCookie, userContext, type WebSession } from './session.ts';
import { CSRF_ERROR, csrfToken, validateCsrf, visitorSessionId } from './csrf.ts';
import { loginUidOrRaise } from './services.ts';
import { remoteAddr } from './remote_addr.ts';

export function htmlAnswer(status: number, body: string, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers }, body };
}

export function send(res: Response, answer: HttpAnswer): void {
  res.status(answer.status).set(answer.headers).send(answer.body);
}

/** A same-site path to go back to after login (never another host). */
function safeRedirect(asked: unknown): string {
  const s = typeof asked === 'string' ? asked : '';
  return /^\/(?![/\\])/.test(s) && !/[\x00-\x1f\x7f]/.test(s) ? s : '/odoo';
}

/** The logged-in session of the request, if any. */
export async function pageSession(ctx: RpcContext, req: Request): Promise<WebSession | undefined> {
  const session = await ctx.sessions.get(requestSessionId(req));
  return session && session.db === ctx.dbName ? session : undefined;
}

/**
 * Answer a logged-in page: `render` runs in one transaction as the session's user; without a
 * session, 303 to /web/login?redirect=<this page>. What the user may not read (AccessError) is a
 * 403 page, a missing record a 404.
 */
export function pageAs(ctx: RpcContext, render: (env: Env, req: Request, session: WebSession) => Promise<HttpAnswer>) {
  return async (req: Request, res: Response, next: express.NextFunction): Promise<void> => {
    const session = await pageSession(ctx, req);
    if (!session) return send(res, werkzeugRedirect(`/web/login?${new URLSearchParams({ redirect: req.originalUrl })}`, 303));
    let answer: HttpAnswer;
    try {
      answer = await ctx.registry.transaction({ uid: session.uid, context: { ...session.context } }, async (env) => {
        const [user] = await env.sudo().model('res.users').withContext({ active_test: false }).browse([session.uid]).fetch(['active']);
        if (!user?.active) {
          await ctx.sessions.delete(session.sid);
          return werkzeugRedirect('/web/login', 303);
        }
        return render(env, req, session);
      });
    } catch (err) {
      if (err instanceof AccessError) return send(res, htmlAnswer(403, renderTemplate('http_error.html', { title: '403: Forbidden', code: 403, name: 'Forbidden', description: "You don't have the permission to access the requested resource.", message: err.message })));
      if (err instanceof MissingError) return send(res, werkzeugErrorPage(404));
      return next(err);
    }
    send(res, answer);
  };
}

async function loginForm(ctx: RpcContext, req: Request, res: Response, values: TemplateValues): Promise<HttpAnswer> {
  const sid = visitorSessionId(req, res);
  const token = await ctx.registry.transaction({ uid: SUPERUSER_ID, su: true }, (env) => csrfToken(env, sid));
  return htmlAnswer(200, renderTemplate('web/login.html', { title: 'Login', csrf_token: token, ...values }));
}

export function webLoginRoutes(app: Express, ctx: RpcContext): void {
  const form = express.urlencoded({ extended: false, limit: ctx.maxBodySize });
  app.get('/web/login', async (req, res, next) => {
    try {
      send(res, await loginForm(ctx, req, res, { redirect: safeRedirect(req.query.redirect), login: '' }));
    } catch (err) {
      next(err);
    }
  });
  app.post('/web/login', form, async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const redirect = safeRedirect(body.redirect ?? req.query.redirect);
      const csrfOk = await ctx.registry.transaction({ uid: SUPERUSER_ID, su: true }, (env) => validateCsrf(env, requestSessionId(req), body.csrf_token));
      if (!csrfOk) return send(res, htmlAnswer(400, renderTemplate('http_error.html', { title: '400: Bad Request', code: 400, name: 'Bad Request', description: "The server couldn't understand the request.", message: CSRF_ERROR })));
      let uid: number;
      try {
        uid = await loginUidOrRaise(ctx, ctx.dbName, body.login, body.password, true, { source: remoteAddr(req, ctx.proxyMode) });
      } catch (err) {
        if (!(err instanceof AccessDenied)) throw err;
        // Odoo's message; the cooldown's own message is shown as is
        const message = err.message && err.message !== 'Access Denied' ? err.message : 'Wrong login/password';
        return send(res, await loginForm(ctx, req, res, { redirect, login: typeof body.login === 'string' ? body.login : '', error: message }));
      }
      const context = await ctx.registry.transaction({ uid }, (env) => userContext(env, uid));
      const previous = requestSessionId(req);
      if (previous) await ctx.sessions.delete(previous);
      const session = await ctx.sessions.create({ db: ctx.dbName, uid, login: String(body.login), context });
      const answer = werkzeugRedirect(redirect, 303);
      res.setHeader('Set-Cookie', sessionCookie(session.sid));
      send(res, answer);
    } catch (err) {
      next(err);
    }
  });
}

// The HTTP application: Odoo 19's external API routes on an express app.
//
//   const app = createApp(runtime, config, logger);   // or createApp(registry, config, logger)
//   http.createServer(app).listen(config.port, config.host);
//
// Every route answers in its own protocol, errors included (XML-RPC fault at HTTP 200, JSON-RPC
// error object, JSON-2 status + JSON body, werkzeug-like HTML page elsewhere); the last-resort
// error handler logs the JS stack and never shows it to the client.

import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { Runtime } from './runtime.ts';
import { Registry } from '../models/orm/registry.ts';
import { SUPERUSER_ID } from '../models/orm/env.ts';
import { AccessDenied } from '../models/orm/exceptions.ts';
import { checkUidPassword } from '../models/base/auth.ts';
import type { RpcContext } from '../rpc/context.ts';
import { DeprecationNotice } from '../rpc/deprecation.ts';
import { HttpException, toJson2Error, toJsonRpcError, toXmlRpcFault, werkzeugErrorPage, werkzeugRedirect } from '../rpc/errors.ts';
import { serializeFault } from '../rpc/xmlrpc_codec.ts';
import { SessionStore, requestSessionId } from '../rpc/session.ts';
import { SERVER_VERSION, SERVER_VERSION_INFO } from '../rpc/services.ts';
import { serveXmlRpc, xmlrpcHandler } from '../rpc/xmlrpc.ts';
import { json2Handler, json2NotFound, serveJson2 } from '../rpc/json2.ts';
import { JSON_CONTENT_TYPE, writeAnswer, XML_CONTENT_TYPE } from '../rpc/body.ts';
import { smsStatus } from '../rpc/sms_status.ts';
import { webHealth } from './health.ts';
import { createMetrics, type AppMetrics } from './metrics.ts';
import { smsUnsubscribeRoutes } from '../rpc/sms_unsubscribe.ts';
import { linkRedirect } from '../rpc/link_redirect.ts';
import { webHook } from '../rpc/web_hook.ts';
import { twilioInbound, twilioStatusCallback, type HttpAnswer, type TwilioRequest } from '../models/sms_twilio/controllers.ts';
import { webLoginRoutes } from '../rpc/web_login.ts';
import { reportPageRoutes } from '../rpc/report_pages.ts';
import { webClientRoutes } from '../rpc/webclient.ts';
import { apiDocRoutes } from '../rpc/api_doc.ts';
import {
  jsonRpcRoute,
  jsonrpcService,
  serveJsonRpc,
  webDatabaseList,
  webDatasetCall,
  webLangList,
  webSessionAuthenticate,
  webSessionCheck,
  webSessionDestroy,
  webSessionInfo,
  webSessionModules,
  webVersionInfo,
} from '../rpc/jsonrpc.ts';

type AppConfig = Pick<Config, 'dbName' | 'adminPassword' | 'maxBodySize'> & Partial<Pick<Config, 'proxyMode' | 'metricsToken'>>;

export interface AppLocals {
  rpc: RpcContext;
  metrics: AppMetrics;
}

// The spellings the direct path serves (see createApp); express's own patterns accept more.
const DIRECT_XMLRPC = /^\/xmlrpc\/(2\/)?(\w+)$/;
const DIRECT_JSON2 = /^\/json\/2\/([\w.]+)\/(\w+)$/;
const DIRECT_CALL_KW = /^\/web\/dataset\/call_kw(\/[\w.]+)*$/;

function isRuntime(source: Runtime | Registry): source is Runtime {
  return !(source instanceof Registry) && 'registry' in source;
}

/** Which protocol a path speaks, to answer errors in kind. */
function protocolOf(path: string): 'xmlrpc' | 'xmlrpc-legacy' | 'jsonrpc' | 'json2' | 'http' {
  if (/^\/xmlrpc\/2\/[^/]+$/.test(path)) return 'xmlrpc';
  if (/^\/xmlrpc\/[^/]+$/.test(path)) return 'xmlrpc-legacy';
  if (path === '/jsonrpc' || path === '/sms/status' || /^\/web\/(session|dataset|webclient|database)\//.test(path)) return 'jsonrpc';
  if (path === '/json/2' || path.startsWith('/json/2/')) return 'json2';
  return 'http';
}

/**
 * POST /web/session/logout (type http, auth none): end the session and redirect (303) to
 * `redirect` (default /odoo). Only same-site paths are followed, never another host.
 */
function webSessionLogout(ctx: RpcContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const sid = requestSessionId(req);
    try {
      if (sid) await ctx.sessions.delete(sid);
    } catch (err) {
      return next(err);
    }
    const asked = typeof req.query.redirect === 'string' ? req.query.redirect : '';
    const target = /^\/(?![/\\])/.test(asked) && !/[\x00-\x1f\x7f]/.test(asked) ? asked : '/odoo';
    const page = werkzeugRedirect(target, 303);
    res.status(page.status).set(page.headers).send(page.body);
  };
}

export interface AppOptions {
  /** GET /metrics answers these figures (a cluster's sum) instead of this process's own. */
  metricsAggregate?: () => Promise<string>;
}

export function createApp(source: Runtime | Registry, config: AppConfig, logger: Logger, opts: AppOptions = {}): Express {
  const registry = isRuntime(source) ? source.registry : source;
  const log = logger.child({ component: 'http' });
  const ctx: RpcContext = {
    registry,
    dbName: config.dbName,
    masterPassword: config.adminPassword,
    maxBodySize: config.maxBodySize,
    logger: log,
    sessions: new SessionStore(registry.pool),
    deprecation: new DeprecationNotice(log),
    logError: (err) => log.error({ err }, 'unexpected error while serving a request'),
    proxyMode: config.proxyMode ?? false,
  };
  const sweeper = setInterval(() => void ctx.sessions.sweep().catch((err) => log.warn({ err }, 'could not sweep expired web sessions')), 3600_000);
  sweeper.unref();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const metrics = createMetrics(registry, { token: config.metricsToken, aggregate: opts.metricsAggregate });
  Object.assign(app.locals as AppLocals, { rpc: ctx, metrics });
  app.use(metrics.track);

  // access log (debug: one line per request is too much at info for RPC-heavy integrations);
  // not installed at all below debug, so a busy server pays no listener per request for it
  const accessLog = typeof log.isLevelEnabled !== 'function' || log.isLevelEnabled('debug');
  if (accessLog) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      const t0 = performance.now();
      res.on('finish', () => {
        log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round((performance.now() - t0) * 10) / 10 }, 'request');
      });
      next();
    });
  }

  // --- version -------------------------------------------------------------------------------
  app.all(['/web/version', '/json/version'], (_req, res) => {
    res.status(200).set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ version_info: [...SERVER_VERSION_INFO], version: SERVER_VERSION }));
  });

  // --- operations: load balancer health check, Prometheus scrape --------------------------------
  app.get('/web/health', webHealth(registry));
  app.get('/metrics', (req, res) => void metrics.handler(req, res));

  // --- XML-RPC ---------------------------------------------------------------------------------
  const methodNotAllowed = (_req: Request, res: Response) => {
    const page = werkzeugErrorPage(405, undefined, { Allow: 'POST' });
    res.status(page.status).set(page.headers).send(page.body);
  };
  app.post('/xmlrpc/2/:service', xmlrpcHandler(ctx, false));
  app.all('/xmlrpc/2/:service', methodNotAllowed);
  app.post('/xmlrpc/:service', xmlrpcHandler(ctx, true));
  app.all('/xmlrpc/:service', methodNotAllowed);

  // --- JSON-RPC --------------------------------------------------------------------------------
  app.all('/jsonrpc', jsonRpcRoute(ctx, jsonrpcService(ctx), { deprecated: true }));
  app.all('/web/webclient/version_info', jsonRpcRoute(ctx, webVersionInfo()));
  app.all('/web/session/authenticate', jsonRpcRoute(ctx, webSessionAuthenticate(ctx)));
  app.all('/web/session/get_session_info', jsonRpcRoute(ctx, webSessionInfo(ctx)));
  app.all('/web/session/check', jsonRpcRoute(ctx, webSessionCheck(ctx)));
  app.all('/web/session/modules', jsonRpcRoute(ctx, webSessionModules(ctx)));
  app.all('/web/session/destroy', jsonRpcRoute(ctx, webSessionDestroy(ctx)));
  app.all('/web/session/get_lang_list', jsonRpcRoute(ctx, webLangList()));
  app.all('/web/database/list', jsonRpcRoute(ctx, webDatabaseList(ctx)));
  app.all('/sms/status', jsonRpcRoute(ctx, smsStatus(ctx)));
  // Public SMS opt-out pages (HTML forms)
  smsUnsubscribeRoutes(app, ctx);
  // Logged-in pages: login form, SMS Marketing reports, the API documentation
  webLoginRoutes(app, ctx);
  reportPageRoutes(app, ctx);
  apiDocRoutes(app, ctx);
  // The web client's menus and actions
  webClientRoutes(app, ctx);
  app.post('/web/session/logout', webSessionLogout(ctx));

  // --- short links (GET and HEAD) --------------------------------------------------------------
  app.get('/r/:code', linkRedirect(ctx, false));
  app.get('/r/:code/s/:sms_id', linkRedirect(ctx, true));

  // --- automation rules' webhooks (public) -----------------------------------------------------
  app.get('/web/hook/:uuid', ...webHook(ctx));
  app.post('/web/hook/:uuid', ...webHook(ctx));
  app.all(['/web/dataset/call_kw', '/web/dataset/call_kw/*path'], jsonRpcRoute(ctx, webDatasetCall(ctx, false)));
  app.all(['/web/dataset/call_button', '/web/dataset/call_button/*path'], jsonRpcRoute(ctx, webDatasetCall(ctx, true)));

  // --- sms_twilio: Twilio's status callbacks and inbound messages (signed forms) ---------------
  const twilioForm = express.urlencoded({ extended: false, limit: '1mb' });
  const twilioRequest = (req: Request): TwilioRequest => ({
    signature: req.get('X-Twilio-Signature'),
    params: req.body && typeof req.body === 'object' ? (req.body as Record<string, string | string[]>) : {},
  });
  const twilioAnswer = (res: Response, a: HttpAnswer): void => {
    if (a.status === 404) {
      const page = werkzeugErrorPage(404);
      res.status(page.status).set(page.headers).send(page.body);
      return;
    }
    res.status(a.status).set('Content-Type', a.contentType ?? 'text/html; charset=utf-8').send(a.body);
  };
  app.post('/sms_twilio/status/:uuid', twilioForm, (req, res, next) => {
    twilioStatusCallback(registry, String(req.params.uuid), twilioRequest(req)).then((a) => twilioAnswer(res, a), next);
  });
  app.all('/sms_twilio/status/:uuid', methodNotAllowed);
  app.post('/sms_twilio/inbound', twilioForm, (req, res, next) => {
    twilioInbound(registry, twilioRequest(req)).then((a) => twilioAnswer(res, a), next);
  });
  app.all('/sms_twilio/inbound', methodNotAllowed);

  // --- JSON-2 ----------------------------------------------------------------------------------
  app.post('/json/2/:model/:method', json2Handler(ctx));
  app.all(['/json/2', '/json/2/*rest'], json2NotFound(ctx));

  // --- everything else: werkzeug's 404 page ----------------------------------------------------
  app.use((_req: Request, res: Response) => {
    const page = werkzeugErrorPage(404);
    res.status(page.status).set(page.headers).send(page.body);
  });

  // --- last resort: log the stack, answer in the route's protocol ------------------------------
  const answerUnexpected = (err: unknown, req: IncomingMessage, res: ServerResponse, path: string): void => {
    const status = (err as { status?: unknown }).status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (clientError) log.info({ err, path }, 'bad request');
    else log.error({ err, method: req.method, path }, 'unhandled error while serving a request');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // express's own client errors (e.g. a malformed %-escape in the URL) keep their status
    const shown = clientError && [400, 404, 405, 413, 415].includes(status as number) ? new HttpException(status as number) : err;
    switch (protocolOf(path)) {
      case 'xmlrpc':
      case 'xmlrpc-legacy': {
        const fault = toXmlRpcFault(shown, protocolOf(path) === 'xmlrpc-legacy');
        writeAnswer(res, 200, XML_CONTENT_TYPE, serializeFault(fault.faultCode, fault.faultString));
        return;
      }
      case 'jsonrpc':
        writeAnswer(res, 200, JSON_CONTENT_TYPE, JSON.stringify({ jsonrpc: '2.0', id: null, error: toJsonRpcError(shown) }));
        return;
      case 'json2': {
        const e = toJson2Error(shown);
        writeAnswer(res, e.status, { ...e.headers, ...JSON_CONTENT_TYPE }, JSON.stringify(e.body));
        return;
      }
      default: {
        const page = werkzeugErrorPage(shown instanceof HttpException ? shown.code : 500);
        writeAnswer(res, page.status, page.headers, page.body);
      }
    }
  };
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => answerUnexpected(err, req, res, req.path));

  // --- the protocol routes' direct path ---------------------------------------------------------
  // A POST to /jsonrpc, /xmlrpc[/2]/<service>, /json/2/<model>/<method> or /web/dataset/call_kw
  // in its plain spelling runs the route's handler without express (router walk, prototype swaps,
  // a 'finish' listener and res.send per request): same handler, same answer, counted in the same
  // metrics. Any other spelling, and every request while the access log is on, goes through express.
  if (!accessLog) {
    const jsonrpc = serveJsonRpc(ctx, jsonrpcService(ctx), { deprecated: true });
    const callKw = serveJsonRpc(ctx, webDatasetCall(ctx, false));
    const direct = (req: IncomingMessage, res: ServerResponse, path: string): [route: string, served: Promise<void>] | undefined => {
      if (path === '/jsonrpc') return ['/jsonrpc', jsonrpc(req, res, path)];
      let m: RegExpExecArray | null;
      if ((m = DIRECT_XMLRPC.exec(path))) {
        const legacy = m[1] === undefined;
        return [legacy ? '/xmlrpc/:service' : '/xmlrpc/2/:service', serveXmlRpc(ctx, legacy, req, res, path, m[2]!)];
      }
      if ((m = DIRECT_JSON2.exec(path))) return ['/json/2/:model/:method', serveJson2(ctx, req, res, path, m[1]!, m[2]!)];
      if (DIRECT_CALL_KW.test(path)) return ['/web/dataset/call_kw', callKw(req, res, path)];
      return undefined;
    };
    const viaExpress = (app as unknown as { handle: (req: IncomingMessage, res: ServerResponse, callback?: unknown) => void }).handle.bind(app);
    (app as unknown as { handle: typeof viaExpress }).handle = (req, res, callback) => {
      if (req.method === 'POST' && callback === undefined) {
        const url = req.url ?? '';
        const q = url.indexOf('?');
        const path = q < 0 ? url : url.slice(0, q);
        const started = performance.now();
        const served = direct(req, res, path);
        if (served) {
          const [route, done] = served;
          done
            .catch((err: unknown) => answerUnexpected(err, req, res, path))
            .then(() => {
              if (res.writableEnded) metrics.record('POST', route, res.statusCode, started);
            })
            .catch((err: unknown) => log.error({ err }, 'could not count a request'));
          return;
        }
      }
      viaExpress(req, res, callback);
    };
  }

  return app;
}

/**
 * Make the `admin` user's password (uid 2) `password`, written through the ORM (hashed like any
 * password), only when the current one differs. For tests and benchmarks, which need a known
 * admin password: the server itself leaves admin's password alone (the base data sets it from
 * ADMIN_PASSWORD on first start only, so a password changed later is kept).
 */
export async function syncAdminPassword(registry: Registry, password: string, logger?: Logger): Promise<void> {
  const ok = await registry.transaction({ uid: SUPERUSER_ID, su: true }, async (env) => {
    try {
      await checkUidPassword(env, 2, password);
      return true;
    } catch (err) {
      if (err instanceof AccessDenied) return false;
      throw err;
    }
  });
  if (ok) return;
  await registry.sudo(async (env) => {
    await env.model('res.users').sudo().withContext({ active_test: false }).browse([2]).write({ password });
  });
  logger?.info('admin password set from ADMIN_PASSWORD');
}

// Everything the protocol routes share: the registry, the served database, limits, sessions,
// the deprecation notice and the logger.

import type { Logger } from '../server/log.ts';
import type { ServiceContext } from './services.ts';
import type { SessionStore } from './session.ts';
import type { DeprecationNotice } from './deprecation.ts';
import type { ErrorLogger } from './errors.ts';

export interface RpcContext extends ServiceContext {
  logger: Logger;
  /** Largest accepted request body, in bytes (config.maxBodySize). */
  maxBodySize: number;
  sessions: SessionStore;
  deprecation: DeprecationNotice;
  /** Logs an unexpected (non-Odoo) error with its JS stack; the client sees a Python-like line. */
  logError: ErrorLogger;
  /** Behind a trusted reverse proxy: client address from X-Forwarded-For (config.proxyMode). */
  proxyMode: boolean;
}

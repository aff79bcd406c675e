// How a PostgreSQL connection string becomes node-postgres settings, with libpq's meaning of the
// TLS parameters (node-postgres's own parser verifies the certificate for every sslmode but
// `no-verify`, so `require` would refuse a self-signed server where psql connects):
//
//   sslmode=disable / allow (or none)  no TLS
//   sslmode=prefer                     TLS without verification (see server/postgres.ts: plain when
//                                      the server has no TLS, decided once at start)
//   sslmode=require                    TLS, certificate not verified (verify-ca when sslrootcert is given, as libpq)
//   sslmode=verify-ca                  TLS, certificate signed by the CA of `sslrootcert`
//   sslmode=verify-full                verify-ca, and the host name must match the certificate
//   sslrootcert=/path/ca.crt           CA file (PEM); `system` or absent: the system's CAs
//   sslcert=/path, sslkey=/path        client certificate
//   ssl=true (node-postgres's form)    as verify-full
//
// The same URL thus means the same thing to psql and to this server.

import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Query parameters read here and kept away from node-postgres's parser. */
const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

/**
 * The sslmode of a connection string (libpq's default `prefer` is not assumed: none = no TLS).
 * node-postgres's own `ssl=true` (verify against the system's CAs) reads as verify-full.
 */
export function sslModeOf(connectionString: string): SslMode | undefined {
  const params = new URL(connectionString).searchParams;
  const mode = params.get('sslmode');
  if (mode !== null) return mode as SslMode;
  return params.get('ssl') === 'true' || params.get('ssl') === '1' ? 'verify-full' : undefined;
}

/** Problems of a connection string's TLS parameters, worded for the start-up error. */
export function tlsProblems(variable: string, connectionString: string): string[] {
  let params: URLSearchParams;
  try {
    params = new URL(connectionString).searchParams;
  } catch {
    return [];
  }
  const problems: string[] = [];
  const mode = params.get('sslmode');
  if (mode !== null && !(SSL_MODES as readonly string[]).includes(mode)) {
    problems.push(`${variable}: sslmode must be one of ${SSL_MODES.join(', ')} (got ${JSON.stringify(mode)})`);
  }
  for (const key of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = params.get(key);
    if (file === null || (key === 'sslrootcert' && file === 'system')) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      problems.push(`${variable}: ${key} file ${JSON.stringify(file)} cannot be read`);
    }
  }
  return problems;
}

/** node-postgres client settings for `connectionString`, TLS parameters read as libpq does. */
export function pgClientConfig(connectionString: string): pg.ClientConfig {
  const url = new URL(connectionString);
  const params = url.searchParams;
  const mode = sslModeOf(connectionString);
  const rootcert = params.get('sslrootcert');
  const cert = params.get('sslcert');
  const key = params.get('sslkey');
  for (const p of TLS_PARAMS) params.delete(p);
  const config: pg.ClientConfig = { connectionString: url.toString() };
  if (mode === undefined || mode === 'disable' || mode === 'allow') {
    config.ssl = false;
    return config;
  }
  const ssl: ConnectionOptions = {};
  if (rootcert !== null && rootcert !== 'system') ssl.ca = fs.readFileSync(rootcert, 'utf8');
  if (cert !== null) ssl.cert = fs.readFileSync(cert, 'utf8');
  if (key !== null) ssl.key = fs.readFileSync(key, 'utf8');
  const verify = mode === 'verify-ca' || mode === 'verify-full' || (mode === 'require' && rootcert !== null);
  ssl.rejectUnauthorized = verify;
  // verify-ca checks the chain only (libpq): any host name is accepted.
  if (verify && mode !== 'verify-full') ssl.checkServerIdentity = () => undefined;
  config.ssl = ssl;
  return config;
}

/** Where a connection string points, without its password (for messages). */
export function describeServer(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    const host = u.searchParams.get('host') ?? u.hostname;
    return `${host}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return '(unparsable address)';
  }
}

/** A connection to PostgreSQL that could not be made, explained in one line (no stack needed). */
export class DatabaseConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseConnectionError';
  }
}

const UNTRUSTED_CERT = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
]);

/**
 * `err` (from connecting to `connectionString`) as a DatabaseConnectionError saying what to
 * change, for the failures a configuration causes (TLS, pg_hba, password); others unchanged.
 */
export function explainConnectionError(err: unknown, connectionString: string): unknown {
  if (err instanceof DatabaseConnectionError) return err;
  const e = err as { code?: string; message?: string };
  const where = `cannot connect to PostgreSQL at ${describeServer(connectionString)}`;
  const message = e?.message ?? String(err);
  let hint: string | undefined;
  if (e?.code && UNTRUSTED_CERT.has(e.code)) {
    hint = `the server's TLS certificate is not trusted (${e.code}: ${message}). Pass the CA that signed it with sslrootcert=/path/to/ca.crt in the URL, or use sslmode=require to encrypt without verifying the certificate`;
  } else if (e?.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    hint = `the server's TLS certificate does not name this host (${message}). Connect with a host name the certificate lists, or use sslmode=verify-ca to check the CA only`;
  } else if (/does not support SSL/i.test(message)) {
    hint = `the server does not accept TLS connections, which the URL's sslmode requires. Enable ssl on the server or use sslmode=disable`;
  } else if (e?.code === '28000' && /no encryption/.test(message)) {
    hint = `the server refuses unencrypted connections (${message}). Add sslmode=require (or verify-full with sslrootcert) to the URL`;
  } else if (e?.code === '28000' || e?.code === '28P01') {
    hint = `the server refused the login (${message})`;
  } else if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'EHOSTUNREACH' || e?.code === 'ETIMEDOUT') {
    hint = `${message}`;
  }
  return hint === undefined ? err : new DatabaseConnectionError(`${where}: ${hint}`, { cause: err });
}

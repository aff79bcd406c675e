// `npm run cli -- apikey ...`: API keys (res.users.apikeys) from the command line.
//
//   apikey create --login admin [--name N] [--days D] [--scope S]   prints the new key once
//   apikey list [--login L]                                         keys (never the secrets)
//   apikey revoke ID                                                deletes a key
//
// Keys made here are the same as those of the res.users.apikeys.description wizard: 40 hex
// characters, stored as an index + pbkdf2-sha512 hash. Without --days the key never expires.

import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { openRuntime } from '../runtime.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { SUPERUSER_ID } from '../../models/orm/env.ts';
import { sql } from '../../models/orm/sql.ts';
import { formatDatetime } from '../../models/orm/fields.ts';
import { generateApiKeyRecord } from '../../models/base/res_users_apikeys.ts';
import { invalidateCredentialCache } from '../../models/base/auth.ts';

async function withRegistry<T>(fn: (registry: Registry) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Quiet unless LOG_LEVEL asks for more: stdout carries the command's answer.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  const runtime = await openRuntime(config, logger, { poolSize: 2, attach: true });
  try {
    return await fn(runtime.registry);
  } finally {
    await runtime.close();
  }
}

function parseDays(text: string | undefined): number | null {
  if (text === undefined) return null;
  const days = Number(text);
  if (!Number.isFinite(days) || days <= 0) throw new Error(`--days must be a positive number of days (got ${JSON.stringify(text)})`);
  return days;
}

export interface CreatedKey {
  id: number;
  uid: number;
  key: string;
  expiration: string | null;
}

/** Make a key for the active user `login` (as superuser: no duration limit). */
export async function createApiKey(registry: Registry, login: string, name: string, days: number | null, scope: string | null = null): Promise<CreatedKey> {
  return registry.transaction({ uid: SUPERUSER_ID, su: true }, async (env) => {
    const users = await env.cr.query<{ id: number }>(sql`SELECT id FROM res_users WHERE login = ${login} AND active`);
    if (!users.length) throw new Error(`No active user with login ${JSON.stringify(login)}`);
    const uid = users[0].id;
    const expiration = days === null ? null : formatDatetime(new Date(Date.now() + days * 86_400_000));
    const { id, key } = await generateApiKeyRecord(env.withUser(uid).sudo(), scope, name, expiration);
    return { id, uid, key, expiration };
  });
}

export interface ListedKey {
  id: number;
  login: string;
  name: string;
  scope: string | null;
  create_date: string | null;
  expiration_date: string | null;
}

export async function listApiKeys(registry: Registry, login?: string): Promise<ListedKey[]> {
  return registry.transaction({ uid: SUPERUSER_ID, su: true, readonly: true }, (env) =>
    env.cr.query<ListedKey>(sql`
      SELECT k.id, u.login, k.name, k.scope, to_char(k.create_date, 'YYYY-MM-DD HH24:MI:SS') AS create_date,
             to_char(k.expiration_date, 'YYYY-MM-DD HH24:MI:SS') AS expiration_date
      FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id
      WHERE ${login === undefined} OR u.login = ${login ?? ''}
      ORDER BY k.id`),
  );
}

/** Delete key `id`; false when there is no such key. */
export async function revokeApiKey(registry: Registry, id: number): Promise<boolean> {
  const uid = await registry.transaction({ uid: SUPERUSER_ID, su: true }, async (env) => {
    const rows = await env.cr.query<{ user_id: number }>(sql`DELETE FROM res_users_apikeys WHERE id = ${id} RETURNING user_id`);
    return rows[0]?.user_id;
  });
  if (uid !== undefined) invalidateCredentialCache(registry, uid);
  return uid !== undefined;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

export function registerApikeyCommands(program: Command): void {
  const apikey = program.command('apikey').description('manage API keys (usable as XML-RPC/JSON-RPC password and as JSON-2 bearer token)');

  apikey
    .command('create')
    .description('create an API key for a user and print it (shown once)')
    .requiredOption('--login <login>', 'login of the user owning the key')
    .option('--name <name>', 'description of the key', 'Command line')
    .option('--days <days>', 'expire after this many days (default: never)')
    .option('--scope <scope>', "restrict the key to one scope (e.g. 'rpc'); default: any")
    .action(async (opts: { login: string; name: string; days?: string; scope?: string }) => {
      const days = parseDays(opts.days);
      const created = await withRegistry((registry) => createApiKey(registry, opts.login, opts.name, days, opts.scope ?? null));
      process.stderr.write(
        `API key #${created.id} created for ${opts.login} (${created.expiration ? `expires ${created.expiration} UTC` : 'never expires'}).\n` +
          'It is shown only now: store it safely.\n',
      );
      process.stdout.write(`${created.key}\n`);
    });

  apikey
    .command('list')
    .description('list API keys (never their secret)')
    .option('--login <login>', 'only the keys of this user')
    .action(async (opts: { login?: string }) => {
      const keys = await withRegistry((registry) => listApiKeys(registry, opts.login));
      if (!keys.length) {
        process.stdout.write('No API keys.\n');
        return;
      }
      process.stdout.write(table([
        ['ID', 'LOGIN', 'NAME', 'SCOPE', 'CREATED (UTC)', 'EXPIRES (UTC)'],
        ...keys.map((k) => [String(k.id), k.login, k.name, k.scope ?? '-', k.create_date ?? '-', k.expiration_date ?? 'never']),
      ]));
    });

  apikey
    .command('revoke')
    .description('revoke (delete) an API key by id')
    .argument('<id>', 'id of the key (see `apikey list`)')
    .action(async (idText: string) => {
      const id = Number(idText);
      if (!Number.isInteger(id) || id <= 0) throw new Error(`invalid API key id ${JSON.stringify(idText)}`);
      const done = await withRegistry((registry) => revokeApiKey(registry, id));
      if (!done) throw new Error(`No API key with id ${id}`);
      process.stdout.write(`API key #${id} revoked.\n`);
    });
}

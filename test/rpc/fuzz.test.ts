// Property-based fuzzing of the four external API protocols (XML-RPC, JSON-RPC, JSON-2,
// /web/dataset/call_kw): for any call, the answer is an Odoo-shaped result or error, never
// JavaScript or SQL text, never an unexpected error in the server's log, and a failed call
// changes nothing. More cases against a server process: `npm run bench:fuzz`.

import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { pino } from 'pino';
import { createApp, syncAdminPassword } from '../../server/app.ts';
import { createRegistry } from '../../server/bootstrap.ts';
import { installAccessChecker, xmlidToResId } from '../../models/base/ir_model_access.ts';
import { generateApiKey } from '../../models/base/res_users_apikeys.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { freshDatabase, type FreshDatabase } from '../helpers/db.ts';
import { ADMIN_PASSWORD, createUser, makeApiKey, webJson, type RpcTestApp } from '../helpers/rpc.ts';
import {
  CHECKSUM_TABLES,
  LOW_RIGHT_PROTECTED_TABLES,
  PROTOCOLS,
  checksumSql,
  emptyReport,
  formatReport,
  fuzzCaseArb,
  runCase,
  type Credentials,
  type FuzzTarget,
  type Protocol,
} from './fuzz_cases.ts';

const CASES_PER_PROTOCOL = Number(process.env.FUZZ_CASES_PER_PROTOCOL || 400);
const FUZZ_SEED = Number(process.env.FUZZ_SEED || 20261207);
/** Cases per low-right user (portal; internal without marketing rights), over the four protocols. */
const CASES_PER_LOW_RIGHT_USER = Number(process.env.FUZZ_CASES_PER_LOW_RIGHT_USER || 200);

describe('rpc fuzz: every protocol answers malformed calls the Odoo way', function () {
  this.timeout(600_000);
  let db: FreshDatabase;
  let registry: Registry;
  let target: FuzzTarget;
  let creds: Credentials;
  const lowRight: Record<string, Credentials> = {};
  const report = emptyReport();
  const logged: string[] = [];

  before(async () => {
    db = await freshDatabase();
    registry = createRegistry(db.connectionString, 5);
    if (!registry.accessChecker) installAccessChecker(registry);
    await syncAdminPassword(registry, ADMIN_PASSWORD);
    // the server logs every error that is not Odoo's (a JS TypeError reaching the boundary...)
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    const app = createApp(registry, { dbName: db.name, adminPassword: ADMIN_PASSWORD, maxBodySize: 8 << 20 }, logger);
    const t: RpcTestApp = { app, registry, db, dbName: db.name, env: (fn) => registry.sudo(fn), close: async () => undefined };
    const apiKey = (await makeApiKey(t, 2, ADMIN_PASSWORD, 'fuzz'))!;
    const auth = await webJson(app, '/web/session/authenticate', { db: db.name, login: 'admin', password: ADMIN_PASSWORD });
    const cookie = String((auth.headers['set-cookie'] as string[])[0]).split(';')[0]!;
    creds = { db: db.name, uid: 2, password: ADMIN_PASSWORD, apiKey, cookie };
    const portalGroup = await registry.sudo((env) => xmlidToResId(env, 'base.group_portal', 'res.groups'));
    for (const [who, vals] of [['portal', { group_ids: [[6, 0, [portalGroup]]] }], ['internal', {}]] as const) {
      const password = `${who}-fuzz-password`;
      const uid = await createUser(t, `fuzz_${who}`, password, vals);
      // portal users may not make keys themselves: made for them, as an administrator would
      const key = await registry.transaction({ uid }, (env) => generateApiKey(env, null, 'fuzz', new Date(Date.now() + 12 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')));
      const login = await webJson(app, '/web/session/authenticate', { db: db.name, login: `fuzz_${who}`, password });
      lowRight[who] = { db: db.name, uid, password, apiKey: key, cookie: String((login.headers['set-cookie'] as string[])[0]).split(';')[0]! };
    }
    const tables = (await registry.pool.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'`, [CHECKSUM_TABLES])).rows.map((r) => r.relname);
    const checksum = checksumSql(tables);
    const protectedSum = checksumSql(tables.filter((x) => LOW_RIGHT_PROTECTED_TABLES.includes(x)));
    target = {
      async send(req) {
        let r = request(app).post(req.path);
        for (const [k, v] of Object.entries(req.headers)) r = r.set(k, v);
        const res = await r.send(req.body);
        return { status: res.status, contentType: String(res.headers['content-type'] ?? ''), text: res.text };
      },
      checksum: async () => (await registry.pool.query<{ sum: string }>(checksum)).rows[0]!.sum,
      unexpectedErrors: () => logged.length,
      protectedChecksum: async () => (await registry.pool.query<{ sum: string }>(protectedSum)).rows[0]!.sum,
    };
  });
  after(async () => {
    if (process.env.FUZZ_REPORT) console.log(formatReport(report));
    await registry?.close();
    await db?.drop();
  });

  for (const protocol of ['xmlrpc', 'jsonrpc', 'json2', 'call_kw'] as Protocol[]) {
    it(`${protocol}: ${CASES_PER_PROTOCOL} fuzzed calls, all Odoo-shaped, no JS/SQL text, failed calls change nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(fuzzCaseArb.map((c) => ({ ...c, protocol })), async (c) => {
          const { findings } = await runCase(target, creds, c, report);
          expect(findings, findings.map((f) => `${f.kind}: ${f.detail}\n  ${f.case}`).join('\n')).to.deep.equal([]);
        }),
        // A fixed seed keeps npm test repeatable; bench/fuzz explores new cases on every run.
        { numRuns: CASES_PER_PROTOCOL, endOnFailure: true, seed: FUZZ_SEED },
      );
    });
  }

  for (const who of ['portal', 'internal']) {
    it(`as the ${who} user: ${CASES_PER_LOW_RIGHT_USER} fuzzed calls over the four protocols, and none changes a table it may not change`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.tuple(fuzzCaseArb, fc.constantFrom(...PROTOCOLS)).map(([c, protocol]) => ({ ...c, protocol })), async (c) => {
          const { findings } = await runCase(target, lowRight[who]!, c, report, undefined, who);
          expect(findings, findings.map((f) => `${f.kind}: ${f.detail}\n  ${f.case}`).join('\n')).to.deep.equal([]);
        }),
        { numRuns: CASES_PER_LOW_RIGHT_USER, endOnFailure: true, seed: FUZZ_SEED + (who === 'portal' ? 1 : 2) },
      );
    });
  }
});

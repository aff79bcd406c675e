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
import { installAccessChecker } from '../../models/base/ir_model_access.ts';
import type { Registry } from '../../models/orm/registry.ts';
import { freshDatabase, type FreshDatabase } from '../helpers/db.ts';
import { ADMIN_PASSWORD, makeApiKey, webJson, type RpcTestApp } from '../helpers/rpc.ts';
import {
  CHECKSUM_TABLES,
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

describe('rpc fuzz: every protocol answers malformed calls the Odoo way', function () {
  this.timeout(600_000);
  let db: FreshDatabase;
  let registry: Registry;
  let target: FuzzTarget;
  let creds: Credentials;
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
    const tables = (await registry.pool.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'`, [CHECKSUM_TABLES])).rows.map((r) => r.relname);
    const checksum = checksumSql(tables);
    target = {
      async send(req) {
        let r = request(app).post(req.path);
        for (const [k, v] of Object.entries(req.headers)) r = r.set(k, v);
        const res = await r.send(req.body);
        return { status: res.status, contentType: String(res.headers['content-type'] ?? ''), text: res.text };
      },
      checksum: async () => (await registry.pool.query<{ sum: string }>(checksum)).rows[0]!.sum,
      unexpectedErrors: () => logged.length,
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
});

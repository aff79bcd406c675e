// Write throughput over the wire: `npx tsx bench/rpc_write.ts`.
//
// Starts the server as its own process, as `npm start` does (`node server/start.mjs`, temp
// DATA_DIR, free PORT, embedded PostgreSQL, default durability), creates a mailing list, then
// from this process creates BENCH_WRITE_RECORDS (default 10,000) `mailing.contact` with a mobile
// number and the list, in calls of BENCH_WRITE_BATCH (default 1,000), over /jsonrpc execute_kw
// and as many over /xmlrpc/2/object: one call of each in turn, each protocol's time the sum of
// its calls. BENCH_WRITE_CLIENTS (default 1) sends each protocol's calls from that many concurrent
// clients instead, as several import scripts at once would (all JSON-RPC, then all XML-RPC).
// Request bodies are encoded before the clock starts. Prints records/s per protocol, then the
// pure codec cost inside this process: decoding the XML-RPC create body vs JSON.parse of its
// JSON-RPC twin, and encoding a 1,000-row search_read answer as XML-RPC vs JSON (ratios printed).
//
// Environment: BENCH_WRITE_RECORDS, BENCH_WRITE_BATCH, BENCH_WRITE_CLIENTS, BENCH_CPU_PROF=dir
// (server runs with --cpu-prof into that folder), BENCH_KEEP=1 keeps the temp folder.
// `runWriteBench(opts)` returns the result rows (for bench/rpc).

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMethodCall, serializeResponseBytes } from '../rpc/xmlrpc_codec.ts';
import { freePort, startServer, type ServerProcess } from './server_process.ts';

const PASSWORD = 'bench-admin-password';
const DB = 'bench_write';

export interface WriteBenchOptions {
  records?: number;
  batch?: number;
  /** Concurrent clients sharing the calls (default 1: one script, one call at a time). */
  clients?: number;
  /** Folder for the server's --cpu-prof output (none: no profile). */
  cpuProfDir?: string;
  keep?: boolean;
  log?: (line: string) => void;
}

export interface WriteBenchRow {
  case: string;
  value: number;
  unit: string;
}

async function post(url: string, body: string, contentType: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': contentType } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text;
}

function jsonrpcBody(args: unknown[]): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args } });
}

async function jsonrpc(base: string, args: unknown[]): Promise<unknown> {
  const answer = JSON.parse(await post(`${base}/jsonrpc`, jsonrpcBody(args), 'application/json'));
  if (answer.error) throw new Error(`JSON-RPC error: ${JSON.stringify(answer.error).slice(0, 500)}`);
  return answer.result;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** XML-RPC value as Python's xmlrpc.client.dumps writes it (what client scripts send). */
function xmlValue(v: unknown): string {
  if (typeof v === 'string') return `<value><string>${xmlEscape(v)}</string></value>\n`;
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>\n`;
  if (typeof v === 'number') return Number.isInteger(v) ? `<value><int>${v}</int></value>\n` : `<value><double>${v}</double></value>\n`;
  if (v === null || v === undefined) return '<value><nil/></value>';
  if (Array.isArray(v)) return `<value><array><data>\n${v.map(xmlValue).join('')}</data></array></value>\n`;
  const members = Object.entries(v as Record<string, unknown>).map(([k, x]) => `<member>\n<name>${xmlEscape(k)}</name>\n${xmlValue(x)}</member>\n`);
  return `<value><struct>\n${members.join('')}</struct></value>\n`;
}

export function xmlrpcBody(method: string, params: unknown[]): string {
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n${params.map((p) => `<param>\n${xmlValue(p)}</param>\n`).join('')}</params>\n</methodCall>\n`;
}

/** `count` contacts numbered from `start`, each with a Belgian mobile number and the list. */
export function contacts(start: number, count: number, listId: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, k) => {
    const i = start + k;
    const vals: Record<string, unknown> = { name: `Contact ${i}`, mobile: `+3247${String(i).padStart(7, '0')}`, list_ids: i % 2 ? [[6, 0, [listId]]] : [[4, listId]] };
    if (i % 3 === 0) vals.email = `contact${i}@example.com`;
    return vals;
  });
}

/** Sends every body, `clients` calls in flight at a time, in order of the list. */
async function sendAll(bodies: string[], clients: number, send: (body: string) => Promise<void>): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < bodies.length) await send(bodies[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, clients) }, client));
}

/** Best time per call of each function, measured interleaved (a shared machine's noise hits all alike). */
function bestTimes(fns: (() => unknown)[], rounds = 40, perRound = 5): number[] {
  const best = fns.map(() => Infinity);
  for (const fn of fns) for (let i = 0; i < 3; i++) fn();
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => {
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) fn();
      best[k] = Math.min(best[k]!, (performance.now() - t0) / perRound);
    });
  }
  return best;
}

/** In-process codec cost: XML-RPC vs JSON for the same create payload and search_read answer. */
export function codecRows(batch = 1000): WriteBenchRow[] {
  const vals = contacts(0, batch, 1);
  const args = [DB, 2, PASSWORD, 'mailing.contact', 'create', [vals]];
  const json = jsonrpcBody(args);
  const xml = Buffer.from(xmlrpcBody('execute_kw', args));
  const jsonBuf = Buffer.from(json);
  const rows = Array.from({ length: batch }, (_, i) => ({
    id: i + 1, name: `Contact ${i}`, email: i % 3 ? false : `contact${i}@example.com`, mobile: `+3247${String(i).padStart(7, '0')}`,
    phone_sanitized: `+3247${String(i).padStart(7, '0')}`, list_ids: [1, 2], country_id: i % 5 ? false : [20, 'Belgium'], message_bounce: 0,
    create_date: '2026-01-01 10:00:00',
  }));
  // decoding starts from the request's bytes, encoding ends with the answer's bytes
  const [decXml, decJson, encXml, encJson] = bestTimes([
    () => parseMethodCall(xml),
    () => JSON.parse(jsonBuf.toString('utf8')),
    () => serializeResponseBytes(rows),
    () => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: rows })),
  ]) as [number, number, number, number];
  return [
    { case: `decode ${batch}-record create: XML-RPC`, value: +decXml.toFixed(3), unit: 'ms' },
    { case: `decode ${batch}-record create: JSON-RPC`, value: +decJson.toFixed(3), unit: 'ms' },
    { case: 'decode ratio XML/JSON', value: +(decXml / decJson).toFixed(2), unit: 'x' },
    { case: `encode ${batch}-row search_read: XML-RPC`, value: +encXml.toFixed(3), unit: 'ms' },
    { case: `encode ${batch}-row search_read: JSON-RPC`, value: +encJson.toFixed(3), unit: 'ms' },
    { case: 'encode ratio XML/JSON', value: +(encXml / encJson).toFixed(2), unit: 'x' },
  ];
}

export async function runWriteBench(opts: WriteBenchOptions = {}): Promise<WriteBenchRow[]> {
  const records = opts.records ?? 10_000;
  const batch = opts.batch ?? 1000;
  const clients = opts.clients ?? 1;
  const log = opts.log ?? ((l: string) => console.log(l));
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sms_marketing-write-bench-'));
  let server: ServerProcess | undefined;
  const rows: WriteBenchRow[] = [];
  try {
    server = await startServer({
      dataDir, pgPort: await freePort(), dbName: DB, adminPassword: PASSWORD,
      nodeArgs: opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [],
    });
    const { base } = server;
    const uid = 2;
    const listId = (await jsonrpc(base, [DB, uid, PASSWORD, 'mailing.list', 'create', [{ name: 'Bench write list' }]])) as number;
    // warm-up (JIT, pool, caches) on another list: not measured
    const warmList = (await jsonrpc(base, [DB, uid, PASSWORD, 'mailing.list', 'create', [{ name: 'Warm-up' }]])) as number;
    await jsonrpc(base, [DB, uid, PASSWORD, 'mailing.contact', 'create', [contacts(10_000_000, batch, warmList)]]);
    await post(`${base}/xmlrpc/2/object`, xmlrpcBody('execute_kw', [DB, uid, PASSWORD, 'mailing.contact', 'create', [contacts(20_000_000, batch, warmList)]]), 'text/xml');

    const calls = Math.ceil(records / batch);
    const jsonBodies = Array.from({ length: calls }, (_, c) => jsonrpcBody([DB, uid, PASSWORD, 'mailing.contact', 'create', [contacts(c * batch, Math.min(batch, records - c * batch), listId)]]));
    const xmlBodies = Array.from({ length: calls }, (_, c) => xmlrpcBody('execute_kw', [DB, uid, PASSWORD, 'mailing.contact', 'create', [contacts(records + c * batch, Math.min(batch, records - c * batch), listId)]]));

    const sendJson = async (body: string) => {
      const answer = JSON.parse(await post(`${base}/jsonrpc`, body, 'application/json'));
      if (!Array.isArray(answer.result)) throw new Error(`create over JSON-RPC failed: ${JSON.stringify(answer.error ?? answer).slice(0, 500)}`);
    };
    const sendXml = async (body: string) => {
      const answer = await post(`${base}/xmlrpc/2/object`, body, 'text/xml');
      if (answer.includes('<fault>')) throw new Error(`create over XML-RPC failed: ${answer.slice(0, 800)}`);
    };
    let jsonMs = 0;
    let xmlMs = 0;
    if (clients <= 1) {
      // One script: the protocols' calls alternate, so that neither is measured on a colder server.
      const timed = async (send: (body: string) => Promise<void>, body: string) => {
        const t0 = performance.now();
        await send(body);
        return performance.now() - t0;
      };
      for (let c = 0; c < calls; c++) {
        jsonMs += await timed(sendJson, jsonBodies[c]!);
        xmlMs += await timed(sendXml, xmlBodies[c]!);
      }
    } else {
      let t0 = performance.now();
      await sendAll(jsonBodies, clients, sendJson);
      jsonMs = performance.now() - t0;
      t0 = performance.now();
      await sendAll(xmlBodies, clients, sendXml);
      xmlMs = performance.now() - t0;
    }
    const check = (await jsonrpc(base, [DB, uid, PASSWORD, 'mailing.contact', 'search_count', [[['list_ids', 'in', [listId]], ['phone_sanitized', '!=', false]]]])) as number;
    if (check !== 2 * records) throw new Error(`expected ${2 * records} sanitised contacts in the list, found ${check}`);
    const how = clients > 1 ? `calls of ${batch}, ${clients} clients` : `calls of ${batch}`;
    rows.push({ case: `create ${records} mailing.contact /jsonrpc (${how})`, value: Math.round((records / jsonMs) * 1000), unit: 'records/s' });
    rows.push({ case: `create ${records} mailing.contact /xmlrpc/2 (${how})`, value: Math.round((records / xmlMs) * 1000), unit: 'records/s' });
  } finally {
    await server?.stop();
    if (!opts.keep) await fs.rm(dataDir, { recursive: true, force: true });
  }
  rows.push(...codecRows(batch));
  for (const r of rows) log(`  ${r.case}: ${r.value} ${r.unit}`);
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`sms_marketing write bench: node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  runWriteBench({
    records: Number(process.env.BENCH_WRITE_RECORDS || 10_000),
    batch: Number(process.env.BENCH_WRITE_BATCH || 1000),
    clients: Number(process.env.BENCH_WRITE_CLIENTS || 1),
    cpuProfDir: process.env.BENCH_CPU_PROF || undefined,
    keep: process.env.BENCH_KEEP === '1',
  }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

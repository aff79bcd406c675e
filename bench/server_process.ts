// The benchmarks' child processes: the server started as `npm start` does, free ports, and the
// promise that every process a bench started is gone when the bench exits (any way it exits).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every process this bench started, stopped on any exit. */
const children = new Set<ChildProcess>();
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll(): void {
  for (const c of children) {
    try {
      // detached children lead their own process group: take their children (postgres, workers) too
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  base: string;
  pid: number;
  /** Stops the server with SIGTERM (as a service manager does) and waits for it to exit. */
  stop(): Promise<number | null>;
}

export interface ServerOptions {
  dataDir: string;
  /** The embedded PostgreSQL's port (EMBEDDED_PG_PORT). */
  pgPort: number;
  dbName: string;
  adminPassword: string;
  nodeArgs?: string[];
  /** More environment (WEB_WORKERS, LOG_LEVEL...). */
  env?: Record<string, string>;
}

/** The node options of package.json's `start` script (`exec node <options> server/start.mjs`): the server runs as `npm start` runs it. */
export function startNodeOptions(): string[] {
  const start: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const m = /^(?:exec\s+)?node\s+(.*?)\s*server\/start\.mjs$/.exec(start.trim());
  if (!m) throw new Error(`package.json's start script is not "exec node <options> server/start.mjs": ${start}`);
  return m[1] ? m[1].split(/\s+/) : [];
}

/** `npm start` in a child process, on `dataDir`; resolves once it logs that it listens. */
export async function startServer(opts: ServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: opts.dataDir, PORT: String(port), HOST: '127.0.0.1', EMBEDDED_PG_PORT: String(opts.pgPort), DB_NAME: opts.dbName, ADMIN_PASSWORD: opts.adminPassword, LOG_LEVEL: 'info', ...opts.env };
  delete env.DATABASE_URL;
  const child = track(spawn(process.execPath, [...startNodeOptions(), ...(opts.nodeArgs ?? []), 'server/start.mjs'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 180 s:\n${tail.join('\n')}`)), 180_000);
    let buf = '';
    const onData = (d: Buffer) => {
      buf += String(d);
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        tail.push(line.slice(0, 400));
        if (tail.length > 30) tail.shift();
        if (/"level":(50|60)/.test(line)) process.stderr.write(`  server: ${line.slice(0, 400)}\n`);
        if (line.includes('external API listening on')) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => tail.push(String(d).slice(0, 400)));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${tail.join('\n')}`));
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

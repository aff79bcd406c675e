// The server's JSON log lines, read from a child process's stdout as they arrive.

import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Calls `onLine` with each JSON line of `stream`; other lines (npm's own header) are skipped. */
export function onJsonLines<T>(stream: Readable, onLine: (line: T) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let parsed: T;
      try {
        parsed = JSON.parse(line) as T;
      } catch {
        continue;
      }
      onLine(parsed);
    }
  });
}

/** The first line of `lines()` matching `what`, waited for while `child` runs (at most `ms`). */
export async function waitForLogLine<T>(lines: () => T[], what: (l: T) => boolean, child: ChildProcess, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const found = lines().find(what);
    if (found) return found;
    if (Date.now() - t0 > ms) throw new Error(`no such log line within ${ms} ms; last lines:\n${lines().slice(-20).map((l) => JSON.stringify(l)).join('\n')}`);
    if (child.exitCode !== null) throw new Error(`the server process exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

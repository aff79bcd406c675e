// The server's JSON log lines, read from a child process's stdout as they arrive.

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

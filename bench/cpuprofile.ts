// Reading what `node --cpu-prof` wrote (V8 .cpuprofile JSON) without any tool: self time per
// function and per file, bundle positions mapped back to the TypeScript sources through the
// bundle's source map (node:module SourceMap). Used by bench/rpc.ts in BENCH_PROFILE=1 mode.

import fs from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export interface SelfTime { name: string; ms: number; share: number }
export interface ProfileSummary { file: string; totalMs: number; idleMs: number; gcMs: number; functions: SelfTime[]; files: SelfTime[] }

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const maps = new Map<string, SourceMap | null>();

function sourceMapOf(file: string): SourceMap | null {
  if (!maps.has(file)) {
    let map: SourceMap | null = null;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return maps.get(file)!;
}

/** "file:line" and the group (a source file of ours, an npm package, node's internals) of a frame. */
function place(frame: CallFrame): { where: string; group: string } {
  const url = frame.url;
  if (!url) return { where: '', group: frame.functionName.startsWith('(') ? frame.functionName : '(native)' };
  if (url.startsWith('node:')) return { where: url, group: 'node:' + (url.slice(5).split('/')[0] ?? '') };
  let file = url.startsWith('file://') ? fileURLToPath(url) : url;
  let line = frame.lineNumber + 1;
  const map = file.endsWith('.mjs') || file.endsWith('.js') ? sourceMapOf(file) : null;
  if (map) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
    if (entry?.originalSource) {
      file = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
      line = (entry.originalLine ?? 0) + 1;
    }
  }
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return { where: `${pkg}/${rest.slice(pkg.split('/').length).join('/')}:${line}`, group: pkg };
  }
  const rel = path.relative(ROOT, file);
  return { where: `${rel}:${line}`, group: rel };
}

/** Self time by function and by file of one .cpuprofile, largest first. */
export function summarizeCpuProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time from sample i-1 to sample i; charge it to sample i's node
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    total += us;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    if (frame.functionName === '(garbage collector)') gc += us;
    const { where, group } = place(frame);
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    files.set(group, (files.get(group) ?? 0) + us);
  }
  const busy = total - idle || 1;
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: us / busy }));
  return { file, totalMs: Math.round(total / 1000), idleMs: Math.round(idle / 1000), gcMs: Math.round(gc / 1000), functions: rank(fns), files: rank(files) };
}

/** Prints the summary of every .cpuprofile in `dir` (one per server process). */
export function printCpuProfiles(dir: string, top = 20): void {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  if (!files.length) {
    console.log(`  no .cpuprofile in ${dir} (did the server exit normally?)`);
    return;
  }
  for (const f of files) {
    const s = summarizeCpuProfile(path.join(dir, f), top);
    const busy = s.totalMs - s.idleMs;
    console.log(`\nCPU profile ${path.join(dir, f)}: ${s.totalMs} ms sampled, busy ${busy} ms (${Math.round((busy / (s.totalMs || 1)) * 100)}%), GC ${s.gcMs} ms`);
    console.log(`  top self time by file/package (share of busy time):`);
    for (const r of s.files) console.log(`    ${(r.share * 100).toFixed(1).padStart(5)}%  ${String(r.ms).padStart(7)} ms  ${r.name}`);
    console.log(`  top self time by function:`);
    for (const r of s.functions) console.log(`    ${(r.share * 100).toFixed(1).padStart(5)}%  ${String(r.ms).padStart(7)} ms  ${r.name}`);
  }
}

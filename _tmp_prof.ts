import fs from 'node:fs';
import { testRegistry } from './test/helpers/registry.ts';
import { shutdownTestCluster } from './test/helpers/db.ts';
import { runContactsImport, openCsv } from './server/cli/import.ts';
import { Cursor } from './models/orm/env.ts';
import { SQL } from './models/orm/sql.ts';
const prof = new Map<string, number>();
for (const m of ['execute', 'query'] as const) {
  const orig = (Cursor.prototype as any)[m];
  (Cursor.prototype as any)[m] = async function (q: any, p?: any) {
    const text = (q instanceof SQL ? q.toQuery().text : String(q)).replace(/\s+/g, ' ').trim().slice(0, 70);
    const t0 = performance.now();
    try { return await orig.call(this, q, p); } finally { prof.set(text, (prof.get(text) ?? 0) + performance.now() - t0); }
  };
}
const t = await testRegistry();
const N = 100000;
const lines = ['name,mobile,email,country,company_name'];
for (let i = 1; i <= N; i++) lines.push(`"Contact ${i}",${i % 100 === 7 ? 'n/a ' + i : '+32 47' + String(i).padStart(7, '0')},${i % 3 === 0 ? `c${i}@x.com` : ''},${i % 10 === 0 ? 'BE' : ''},`);
fs.writeFileSync('/tmp/imp/p.csv', lines.join('\n') + '\n');
let t0 = performance.now();
let n = 0; const src = await openCsv('/tmp/imp/p.csv'); for await (const r of src.records) n++;
console.log('csv read only', (performance.now() - t0).toFixed(0), 'ms', n);
for (let k = 0; k < 2; k++) {
  prof.clear();
  t0 = performance.now();
  await runContactsImport(t.registry, "/tmp/imp/p.csv", { list: "P" }, { progressStream: null, out: (l) => { if (/imported|updated|flagged|skipped rows|rows\/s/.test(l)) console.log(l); } });
  console.log('total', (performance.now() - t0).toFixed(0));
  console.log([...prof].sort((a, b) => b[1] - a[1]).slice(0, 16).map(([k, v]) => `${v.toFixed(0).padStart(6)} ${k}`).join('\n'));
}
await t.close(); await shutdownTestCluster();

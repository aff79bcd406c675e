import { Cursor } from '/work/main/models/orm/env.ts';
const orig = Cursor.prototype.query;
const origE = Cursor.prototype.execute;
let on = false;
const wrap = (fn: any) => async function (this: any, q: any, p?: any) {
  const t0 = performance.now();
  try { return await fn.call(this, q, p); } finally {
    const ms = performance.now() - t0;
    const text = String(q.toString ? q.toString() : q).replace(/\s+/g, ' ');
    if (text.includes('write_date = write_date')) on = true;
    if (on && ms > 20) console.log(`${ms.toFixed(0)}ms  ${text.slice(0, 140)}`);
    if (text.startsWith('SELECT t.mass_mailing_id AS id')) on = false;
  }
};
Cursor.prototype.query = wrap(orig) as any;
Cursor.prototype.execute = wrap(origE) as any;
void import('/work/main/bench/prepare.ts');

import { Cursor } from '/work/main/models/orm/env.ts';
import { SQL } from '/work/main/models/orm/sql.ts';
const orig = Cursor.prototype.query;
let done = false;
Cursor.prototype.query = async function (this: any, q: any, p?: any) {
  if (!done && q instanceof SQL && /^\s*WITH batch/.test(q.toString())) {
    done = true;
    const { text, values } = q.toQuery();
    await this.client.query('SAVEPOINT x');
    const r = await this.client.query('EXPLAIN (ANALYZE, BUFFERS, VERBOSE off) ' + text, values);
    console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
    await this.client.query('ROLLBACK TO SAVEPOINT x');
  }
  return orig.call(this, q, p);
} as any;
void import('/work/main/bench/prepare.ts');

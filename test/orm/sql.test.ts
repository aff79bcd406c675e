// The SQL helpers (models/orm/sql.ts): identifiers are checked and quoted, values always travel as
// bound parameters, raw text carries no values. Run against a real database: hostile inputs end up
// as data (or are refused), and nothing else in the database changes.

import { expect } from 'chai';
import pg from 'pg';
import { freshDatabase, type FreshDatabase } from '../helpers/db.ts';
import { ident, join, raw, sql, type SQL } from '../../models/orm/sql.ts';

const HOSTILE_IDENTIFIERS = [
  'victim"; DROP TABLE canary; --',
  'a"b',
  'note; DELETE FROM canary',
  'x\u0000y',
  'two words',
  '"quoted"',
  "it's",
  '1starts_with_digit',
  '',
  'semi;colon',
  'dash-ed',
  'new\nline',
];

const HOSTILE_VALUES = [
  "'); DROP TABLE canary; --",
  "O'Brien",
  "' OR '1'='1",
  '"; DELETE FROM canary; --',
  '\\\'; DROP TABLE victim; --',
  '$1',
  '$$; DROP TABLE canary; $$',
  'E\'\\x27',
  '/* comment */ 1; SELECT pg_sleep(0)',
];

describe('orm/sql: identifiers and values cannot inject', () => {
  let db: FreshDatabase;
  let client: pg.Client;
  const run = async (q: SQL) => {
    const { text, values } = q.toQuery();
    return client.query(text, values);
  };
  const snapshot = async () => {
    const tables = (await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`)).rows.map((r) => r.table_name);
    const canary = (await client.query(`SELECT id, label FROM canary ORDER BY id`)).rows;
    return { tables, canary };
  };

  before(async () => {
    db = await freshDatabase();
    client = new pg.Client(db.connectionString);
    await client.connect();
    await client.query(`CREATE TABLE canary (id serial PRIMARY KEY, label text); INSERT INTO canary (label) VALUES ('alive'), ('still alive')`);
    await client.query(`CREATE TABLE victim (id serial PRIMARY KEY, note text)`);
  });
  after(async () => {
    await client?.end();
    await db?.drop();
  });

  it('ident refuses every identifier that is not a plain name, before any SQL is written', () => {
    for (const name of HOSTILE_IDENTIFIERS) {
      expect(() => ident(name), JSON.stringify(name)).to.throw(/Invalid SQL identifier/);
      expect(() => ident('victim', name), JSON.stringify(name)).to.throw(/Invalid SQL identifier/);
    }
    expect(ident('victim').toQuery()).to.deep.equal({ text: '"victim"', values: [] });
    expect(ident('public', 'victim').toQuery()).to.deep.equal({ text: '"public"."victim"', values: [] });
  });

  it('values are bound parameters, never text: hostile strings are stored as they are', async () => {
    const before = await snapshot();
    for (const v of HOSTILE_VALUES) await run(sql`INSERT INTO ${ident('victim')} (${ident('note')}) VALUES (${v})`);
    const { rows } = await client.query(`SELECT note FROM victim ORDER BY id`);
    expect(rows.map((r) => r.note)).to.deep.equal(HOSTILE_VALUES);
    // A tautology passed as a value matches nothing.
    expect((await run(sql`SELECT id FROM victim WHERE note = ${"' OR '1'='1' --x"}`)).rows).to.have.length(0);
    // Each hostile value finds exactly its own row.
    for (const v of HOSTILE_VALUES) expect((await run(sql`SELECT id FROM victim WHERE note = ${v}`)).rows, v).to.have.length(1);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('a NUL byte in a value is refused by PostgreSQL as data, and changes nothing', async () => {
    const before = await snapshot();
    const count = async () => Number((await client.query(`SELECT count(*) AS n FROM victim`)).rows[0].n);
    const n = await count();
    let error: (Error & { code?: string }) | undefined;
    try {
      await run(sql`INSERT INTO victim (note) VALUES (${"x\u0000'); DROP TABLE canary; --"})`);
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).to.equal('22021'); // invalid byte sequence: the value never became SQL text
    expect(await count()).to.equal(n);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('values in arrays, nested fragments and joins stay parameters, numbered in order', async () => {
    const inner = sql`note = ANY(${HOSTILE_VALUES}::text[])`;
    const q = sql`SELECT count(*)::int AS n FROM ${ident('victim')} WHERE ${inner} AND id > ${0} AND ${join([sql`${1} = ${1}`, raw('TRUE')], ' AND ')}`;
    const { text, values } = q.toQuery();
    expect(text).to.equal('SELECT count(*)::int AS n FROM "victim" WHERE note = ANY($1::text[]) AND id > $2 AND $3 = $4 AND TRUE');
    expect(values).to.deep.equal([HOSTILE_VALUES, 0, 1, 1]);
    expect(text).not.to.include('DROP');
    expect((await client.query(text, values)).rows[0].n).to.equal(HOSTILE_VALUES.length);
  });

  it('raw text carries no values: a value next to it is still bound', async () => {
    const q = sql`SELECT ${raw('1')} + ${2}::int AS s, ${"'; DROP TABLE canary; --"}::text AS t`;
    expect(raw('now()').toQuery()).to.deep.equal({ text: 'now()', values: [] });
    expect(q.toQuery().text).to.equal('SELECT 1 + $1::int AS s, $2::text AS t');
    const before = await snapshot();
    expect((await run(q)).rows[0]).to.deep.equal({ s: 3, t: "'; DROP TABLE canary; --" });
    expect(await snapshot()).to.deep.equal(before);
  });
});

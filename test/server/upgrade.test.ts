// Upgrading a database made by the previous release (test/fixtures/upgrade: a pg_dump of a
// database filled by that release, and what it answered about its data): the current code starts
// on it, keeps every record and value, and logs what it changed; the next start changes nothing.
// An older schema (parts removed by hand) is brought back, and two instances starting at once on
// an old database upgrade it once.

import { expect } from 'chai';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { testCluster } from '../helpers/db.ts';
import { loadRegistry } from '../../server/bootstrap.ts';
import { createApp } from '../../server/app.ts';
import { quoteIdentifier } from '../../server/postgres.ts';
import { ADDONS } from '../../models/index.ts';
import { addonVersion, PRODUCT_VERSION } from '../../models/orm/upgrade.ts';
import { authenticate, checkBearer } from '../../models/base/auth.ts';
import { callKw } from '../../models/orm/call_kw.ts';
import type { Registry } from '../../models/orm/registry.ts';

const FIXTURE = new URL('../fixtures/upgrade/', import.meta.url);
const expected = JSON.parse(fs.readFileSync(new URL('previous_release.expected.json', FIXTURE), 'utf8'));
// Tables of the fixture's own records: exactly as many rows after the upgrade.
const DATA_TABLES = [
  'res_users', 'res_users_apikeys', 'res_partner', 'mailing_list', 'mailing_contact', 'mailing_subscription', 'phone_blacklist',
  'mailing_mailing', 'mailing_trace', 'sms_sms', 'sms_tracker', 'link_tracker', 'link_tracker_code', 'link_tracker_click',
  'sms_template', 'base_automation', 'utm_campaign', 'mail_mass_mailing_list_rel', 'ir_config_parameter',
];

interface LogLine {
  level: number;
  msg: string;
}

interface Started {
  registry: Registry;
  logs: LogLine[];
  /** The start's summary line about the database. */
  summary: string;
}

async function start(url: string): Promise<Started> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s)) });
  const registry = await loadRegistry(url, 4, { logger });
  const summary = logs.find((l) => /^(upgrading database|database schema up to date|created the database)/.test(l.msg))?.msg ?? '';
  return { registry, logs, summary };
}

async function counts(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`);
    const out: Record<string, number> = {};
    for (const { t } of rows) out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${quoteIdentifier(t)}`)).rows[0].n);
    return out;
  } finally {
    await c.end();
  }
}

async function sqlOn(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

describe('server: upgrading a database of the previous release', function () {
  this.timeout(180_000);
  const created: string[] = [];
  let admin: pg.Client;
  let connectionString: (db: string) => string;
  const fixtureDb = `sms_upgrade_fixture_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;

  /** A new database restored from the fixture (a copy of the one restored once). */
  async function restored(): Promise<string> {
    const name = `${fixtureDb}_${created.length}`;
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(fixtureDb)}`);
    created.push(name);
    return connectionString(name);
  }

  before(async () => {
    const cluster = await testCluster();
    admin = cluster.admin;
    connectionString = (db) => cluster.server.connectionString(db);
    await admin.query(`CREATE DATABASE ${quoteIdentifier(fixtureDb)} TEMPLATE template0 ENCODING 'UTF8'`);
    // The plain SQL of pg_dump, run as one multi-statement query (what psql would send).
    const dump = zlib.gunzipSync(fs.readFileSync(new URL('previous_release.sql.gz', FIXTURE))).toString('utf8');
    await sqlOn(connectionString(fixtureDb), dump);
  });
  after(async () => {
    for (const name of [...created, fixtureDb]) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  });

  describe('the first start of the new release', () => {
    let url: string;
    let first: Started;
    let restoredCounts: Record<string, number>;
    let call: (model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>) => Promise<any>;

    before(async () => {
      url = await restored();
      restoredCounts = await counts(url);
      first = await start(url);
      call = (model, method, args = [], kwargs = {}) => first.registry.transaction({ uid: 2 }, (env) => callKw(env, model, method, args, kwargs));
    });
    after(async () => first?.registry.close());

    it('the fixture is the previous release\'s data', () => {
      expect(restoredCounts).to.deep.include(Object.fromEntries(DATA_TABLES.map((t) => [t, expected.tables[t]])));
      expect(restoredCounts).not.to.have.property('ir_module_module');
    });

    it('logs what it changed, from the unversioned release to this one, and records every addon\'s version', async () => {
      expect(first.summary).to.match(new RegExp(`^upgrading database from a release without version records to ${PRODUCT_VERSION.replace(/\./g, '\\.')} \\(addons: base, `));
      expect(first.summary).to.contain('added table ir_module_module');
      const { rows } = await sqlOn(url, `SELECT name, state, latest_version FROM ir_module_module ORDER BY name`);
      expect(rows).to.deep.equal(ADDONS.map((a) => ({ name: a.name, state: 'installed', latest_version: addonVersion(a) })).sort((a, b) => a.name.localeCompare(b.name)));
    });

    it('keeps every record: the fixture\'s tables have the same rows, no table lost any', async () => {
      const after = await counts(url);
      for (const t of DATA_TABLES) expect(after[t], t).to.equal(expected.tables[t]);
      for (const [t, n] of Object.entries(expected.tables as Record<string, number>)) expect(after[t], t).to.be.at.least(n);
    });

    it('passwords and the API key still work, over the protocols too', async () => {
      const { alice, bob, admin: root } = expected.users;
      expect(await first.registry.sudo((env) => authenticate(env, alice.login, alice.password))).to.equal(alice.id);
      expect(await first.registry.sudo((env) => authenticate(env, bob.login, bob.password))).to.equal(bob.id);
      expect(await first.registry.sudo((env) => authenticate(env, bob.login, alice.password))).to.equal(false);
      expect(await first.registry.sudo((env) => checkBearer(env, root.apiKey))).to.equal(root.id);
      const app = createApp(first.registry, { dbName: first.registry.dbName, adminPassword: 'not-the-fixture-one', maxBodySize: 1024 * 1024 }, pino({ level: 'silent' }));
      const res = await request(app).post('/json/2/res.partner/search_count').set('Authorization', `bearer ${root.apiKey}`).set('Content-Type', 'application/json').send('{"domain": []}');
      expect(res.status).to.equal(200);
      expect(res.body).to.equal(expected.tables.res_partner - 1); // OdooBot is archived
    });

    it('the mailing\'s statistics, the lists, the campaign and the blacklist read as before', async () => {
      const [mailing] = await call('mailing.mailing', 'read', [[expected.ids.mailing], Object.keys(expected.mailing).filter((k) => k !== 'id')]);
      expect(mailing).to.deep.equal(expected.mailing);
      const lists = await call('mailing.list', 'read', [expected.ids.lists, ['name', 'contact_count', 'contact_count_sms', 'contact_count_opt_out', 'contact_count_blacklisted']]);
      expect(lists).to.deep.equal(expected.lists);
      expect((await call('utm.campaign', 'read', [[expected.ids.campaign], ['title', 'click_count']]))[0]).to.deep.equal(expected.campaign);
      expect((await call('phone.blacklist', 'search_read', [[], ['number']], { order: 'number' })).map((r: { number: string }) => r.number)).to.deep.equal(expected.blacklist);
      expect(await call('ir.config_parameter', 'get_param', ['upgrade_fixture.marker'])).to.equal(expected.param);
    });

    it('link codes still redirect to the tracked URL', async () => {
      const app = createApp(first.registry, { dbName: first.registry.dbName, adminPassword: 'x', maxBodySize: 1024 * 1024 }, pino({ level: 'silent' }));
      const res = await request(app).get(`/r/${expected.tracker.code}`).set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
      expect(res.status).to.equal(301);
      expect(res.headers.location).to.equal(expected.tracker.redirected_url);
    });

    it('the next start says the schema is up to date and changes nothing', async () => {
      const beforeSecond = await counts(url);
      const versions = (await sqlOn(url, `SELECT name, latest_version, write_date FROM ir_module_module ORDER BY name`)).rows;
      const second = await start(url);
      await second.registry.close();
      expect(second.summary).to.equal(`database schema up to date (release ${PRODUCT_VERSION})`);
      expect(second.logs.filter((l) => l.level >= 40).map((l) => l.msg)).to.deep.equal([]);
      expect(await counts(url)).to.deep.equal(beforeSecond);
      expect((await sqlOn(url, `SELECT name, latest_version, write_date FROM ir_module_module ORDER BY name`)).rows).to.deep.equal(versions);
    });
  });

  it('an older schema: missing table, columns, index, constraints, NOT NULL, a narrower type, another ON DELETE and a version are brought up to date and logged; unknown columns are kept', async () => {
    const url = await restored();
    // Upgraded once, then parts of the schema removed as if an older release had made it.
    await (await start(url)).registry.close();
    await sqlOn(url, `
      DROP TABLE mailing_filter CASCADE;
      ALTER TABLE mailing_contact DROP COLUMN message_bounce;
      ALTER TABLE mailing_contact DROP COLUMN email_normalized;
      ALTER TABLE link_tracker_click DROP CONSTRAINT link_tracker_click_mailing_trace_id_fkey;
      DROP INDEX link_tracker_click__mailing_trace_id_index;
      ALTER TABLE link_tracker_click DROP CONSTRAINT link_tracker_click_link_id_fkey;
      ALTER TABLE link_tracker_click ADD CONSTRAINT link_tracker_click_link_id_fkey FOREIGN KEY (link_id) REFERENCES link_tracker (id);
      ALTER TABLE mailing_list ALTER COLUMN name DROP NOT NULL;
      ALTER TABLE sms_sms ALTER COLUMN body TYPE varchar(2000);
      ALTER TABLE mailing_contact ADD COLUMN old_score int4;
      UPDATE mailing_contact SET old_score = id WHERE id % 2 = 0;
      INSERT INTO ir_model_fields (model, name, model_id, field_description, ttype, store, state)
        SELECT 'mailing.contact', 'old_score', id, 'Old Score', 'integer', true, 'base' FROM ir_model WHERE model = 'mailing.contact';
      DELETE FROM ir_module_module WHERE name = 'mass_mailing';`);
    const again = await start(url);
    try {
      const s = again.summary;
      expect(s).to.match(new RegExp(`^upgrading database from ${PRODUCT_VERSION.replace(/\./g, '\\.')} to ${PRODUCT_VERSION.replace(/\./g, '\\.')} \\(addons: mass_mailing\\): `));
      expect(s).to.contain('added table mailing_filter');
      expect(s).to.contain(`added column mailing_contact.message_bounce (${expected.tables.mailing_contact} rows set to the default 0)`);
      expect(s).to.contain(`added column mailing_contact.email_normalized (computed for ${expected.tables.mailing_contact} rows)`);
      expect(s).to.contain('added constraint link_tracker_click_mailing_trace_id_fkey on link_tracker_click');
      expect(s).to.contain('added constraint mailing_mailing_mailing_filter_id_fkey on mailing_mailing');
      expect(s).to.contain('created index link_tracker_click__mailing_trace_id_index on link_tracker_click');
      expect(s).to.contain('created index mailing_contact__email_normalized_index on mailing_contact');
      expect(s).to.contain('set NOT NULL on mailing_list.name');
      expect(s).to.contain('changed column sms_sms.body from character varying(2000) to text');
      expect(s).to.contain('changed foreign key link_tracker_click_link_id_fkey (link_tracker_click.link_id → link_tracker, ON DELETE CASCADE)');
      // Each change said once.
      const parts = s.slice(s.indexOf('): ') + 3).split('; ');
      expect(parts).to.have.length(new Set(parts).size).and.to.have.length(10);
      const warnings = again.logs.filter((l) => l.level === 40).map((l) => l.msg);
      const kept = expected.ids.contacts.filter((id: number) => id % 2 === 0).length;
      expect(warnings).to.deep.equal([`column mailing_contact.old_score is no longer a field of mailing.contact: left in place (${kept} rows hold a value)`]);
      const { rows } = await sqlOn(url, `SELECT email_normalized, message_bounce, old_score FROM mailing_contact WHERE email = 'sofie@example.com'`);
      expect(rows).to.deep.equal([{ email_normalized: 'sofie@example.com', message_bounce: 0, old_score: expected.ids.contacts[0] % 2 === 0 ? expected.ids.contacts[0] : null }]);
    } finally {
      await again.registry.close();
    }
  });

  it('shipped data is updated as `-u` does: records the release owns are rewritten, noupdate ones keep the user\'s edits', async () => {
    const url = await restored();
    const xmlid = `SELECT res_id FROM ir_model_data WHERE module = $1 AND name = $2`;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    let view: { id: number; name: string };
    let access: { model_id: number; perm_read: boolean };
    try {
      [view] = (await c.query(`SELECT v.id, v.name FROM ir_ui_view v JOIN ir_model_data d ON d.res_id = v.id AND d.model = 'ir.ui.view' AND NOT d.noupdate ORDER BY v.id LIMIT 1`)).rows;
      await c.query(`UPDATE ir_ui_view SET name = 'edited by hand' WHERE id = $1`, [view.id]);
      await c.query(`UPDATE ir_cron SET interval_number = 7 WHERE id = (${xmlid})`, ['base', 'autovacuum_job']);
      // A shipped access rule the older release did not have.
      [access] = (await c.query(`DELETE FROM ir_model_access WHERE id = (${xmlid}) RETURNING model_id, perm_read`, ['base', 'access_ir_cron_trigger_group_cron'])).rows;
      await c.query(`DELETE FROM ir_model_data WHERE module = $1 AND name = $2`, ['base', 'access_ir_cron_trigger_group_cron']);
    } finally {
      await c.end();
    }
    const s = await start(url);
    await s.registry.close();
    // Later releases add their own tables and records to the summary: the fixture's part is checked.
    expect(s.summary).to.include('added table ir_module_module');
    expect(s.summary).to.match(/; loaded data: [1-9]\d* new records$/);
    expect((await sqlOn(url, `SELECT name FROM ir_ui_view WHERE id = ${view.id}`)).rows[0].name).to.equal(view.name);
    expect((await sqlOn(url, `SELECT interval_number FROM ir_cron c JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron' WHERE d.name = 'autovacuum_job'`)).rows[0].interval_number).to.equal(7);
    expect((await sqlOn(url, `SELECT a.model_id, a.perm_read FROM ir_model_access a JOIN ir_model_data d ON d.res_id = a.id AND d.model = 'ir.model.access' WHERE d.name = 'access_ir_cron_trigger_group_cron'`)).rows).to.deep.equal([access]);
  });

  it('a database upgraded by a newer release is refused: downgrades are not supported', async () => {
    const url = await restored();
    await (await start(url)).registry.close();
    await sqlOn(url, `UPDATE ir_module_module SET latest_version = '99.0.0+00000000' WHERE name = 'base'`);
    try {
      await start(url);
      expect.fail('started');
    } catch (err) {
      expect((err as Error).message).to.equal(`This database was upgraded by release 99.0.0; this is release ${PRODUCT_VERSION}: downgrades are not supported (restore the backup made before the upgrade).`);
    }
  });

  it('two instances starting at once on an old database: both start, the upgrade runs once', async () => {
    const url = await restored();
    const [a, b] = await Promise.all([start(url), start(url)]);
    await Promise.all([a.registry.close(), b.registry.close()]);
    const summaries = [a.summary, b.summary].sort();
    expect(summaries[0]).to.equal(`database schema up to date (release ${PRODUCT_VERSION})`);
    expect(summaries[1]).to.match(/^upgrading database from a release without version records to /);
    const { rows } = await sqlOn(url, `SELECT count(*)::int AS n FROM ir_module_module`);
    expect(rows[0].n).to.equal(ADDONS.length);
    const after = await counts(url);
    for (const t of DATA_TABLES) expect(after[t], t).to.equal(expected.tables[t]);
  });
});

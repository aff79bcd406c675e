// The views loader follows its files as Odoo follows a module's data at update: records whose
// external id left views/<addon>/*.xml are deleted at the next start, and get_views stops
// applying a removed extension.

import { expect } from 'chai';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { makeTempDir } from '../helpers/db.ts';
import { loadViewData } from '../../models/base/view_data.ts';
import { xmlidLookup } from '../../models/base/ir_model_data.ts';
import { sql } from '../../models/orm/sql.ts';

const EXTRA = `<?xml version="1.0" encoding="utf-8"?>
<odoo>
    <record id="test_extra_form" model="ir.ui.view">
        <field name="name">mailing.mailing.form.test.extra</field>
        <field name="model">mailing.mailing</field>
        <field name="inherit_id" ref="mass_mailing_sms.mailing_mailing_view_form_sms"/>
        <field name="arch" type="xml">
            <field name="sms_subject" position="attributes"><attribute name="placeholder">Placeholder from an extra file</attribute></field>
        </field>
    </record>
    <record id="test_extra_form_more" model="ir.ui.view">
        <field name="name">mailing.mailing.form.test.extra.more</field>
        <field name="model">mailing.mailing</field>
        <field name="inherit_id" ref="test_extra_form"/>
        <field name="arch" type="xml">
            <field name="sms_subject" position="after"><field name="sms_force_send" string="Extra flag"/></field>
        </field>
    </record>
    <record id="test_extra_action" model="ir.actions.act_window">
        <field name="name">Extra mailings</field>
        <field name="res_model">mailing.mailing</field>
        <field name="view_mode">list,form</field>
    </record>
    <menuitem id="test_extra_menu" name="Extra" parent="mass_mailing_sms_menu_root" action="test_extra_action" sequence="50"/>
</odoo>
`;

describe('views loader: records removed from the XML files are deleted at the next start', () => {
  let t: TestRegistry;
  let dir: string;
  before(async () => {
    t = await testRegistry();
    dir = await makeTempDir('views');
    await fs.cp(new URL('../../views/', import.meta.url), path.join(dir, 'views'), { recursive: true });
  });
  after(async () => {
    await t.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const start = () => t.env((env) => loadViewData(env, { dir: pathToFileURL(path.join(dir, 'views') + '/') }));
  const formArch = async () => {
    const viewId = await t.env(async (env) => (await xmlidLookup(env, 'mass_mailing_sms.mailing_mailing_view_form_sms'))[1]);
    const res = await t.call('mailing.mailing', 'get_views', [[[viewId, 'form']]]);
    return res.views.form.arch as string;
  };
  const xmlids = (names: string[]) => t.env(async (env) => (await env.cr.query<{ name: string; model: string; res_id: number }>(sql`
    SELECT name, model, res_id FROM ir_model_data WHERE module = 'mass_mailing_sms' AND name = ANY(${names}::varchar[]) ORDER BY name`)));
  const NAMES = ['test_extra_action', 'test_extra_form', 'test_extra_form_more', 'test_extra_menu'];

  it('an extension in an extra file applies; the file gone, its records and their effect are gone', async () => {
    await fs.writeFile(path.join(dir, 'views', 'mass_mailing_sms', 'zz_test_extra.xml'), EXTRA);
    await start();
    expect(await formArch()).to.contain('Placeholder from an extra file').and.to.contain('Extra flag');
    const loaded = await xmlids(NAMES);
    expect(loaded.map((r) => r.name)).to.deep.equal(NAMES);
    const menus = await t.call('ir.ui.menu', 'load_web_menus', [false]);
    expect(Object.values(menus).map((m: any) => m.name)).to.include('Extra');

    await fs.rm(path.join(dir, 'views', 'mass_mailing_sms', 'zz_test_extra.xml'));
    await start();
    expect(await xmlids(NAMES)).to.deep.equal([]);
    const left = await t.env(async (env) => {
      const ids = (model: string) => loaded.filter((r) => r.model === model).map((r) => r.res_id);
      return {
        views: (await env.cr.query(sql`SELECT id FROM ir_ui_view WHERE id = ANY(${ids('ir.ui.view')}::int4[])`)).length,
        actions: (await env.cr.query(sql`SELECT id FROM ir_act_window WHERE id = ANY(${ids('ir.actions.act_window')}::int4[])`)).length,
        menus: (await env.cr.query(sql`SELECT id FROM ir_ui_menu WHERE id = ANY(${ids('ir.ui.menu')}::int4[])`)).length,
      };
    });
    expect(left).to.deep.equal({ views: 0, actions: 0, menus: 0 });
    const arch = await formArch();
    expect(arch).to.not.contain('Placeholder from an extra file');
    expect(arch).to.not.contain('Extra flag');
    expect(arch).to.contain('name="sms_subject"');
    expect(Object.values(await t.call('ir.ui.menu', 'load_web_menus', [false])).map((m: any) => m.name)).to.not.include('Extra');
  });

  it('a record removed from a file that stays is deleted, the others of the file are kept', async () => {
    const file = path.join(dir, 'views', 'mass_mailing_sms', 'mailing_mailing_views.xml');
    const text = await fs.readFile(file, 'utf8');
    const menu = /\s*<menuitem id="mass_mailing_sms_menu_blacklist"[^>]*\/>/.exec(text)![0];
    await fs.writeFile(file, text.replace(menu, ''));
    await start();
    expect(await xmlids(['mass_mailing_sms_menu_blacklist', 'mass_mailing_sms_menu_sms_template']).then((r) => r.map((x) => x.name))).to.deep.equal(['mass_mailing_sms_menu_sms_template']);
    // put back: created again at the next start
    await fs.writeFile(file, text);
    await start();
    expect((await xmlids(['mass_mailing_sms_menu_blacklist'])).length).to.equal(1);
  });
});

// Security data shipped with the product, as Odoo 19 ships it for the modules we mimic (base,
// mail, utm, link_tracker, phone_validation, sms, mass_mailing, mass_mailing_sms): group
// privileges, groups (with their external ids and implications), ACL rows (ir.model.access),
// the memberships of __system__ and admin, and admin's first password.
//
// The loader runs at every start and is idempotent:
//   - groups and privileges are created once (found again by external id in ir_model_data);
//     implications and the memberships of users 1 and 2 are set when a group is created, so
//     later edits by an administrator are kept;
//   - ACL rows are created for the models the registry has, by model name; rows of models not
//     there yet (later addons) are created on the first start that has them; a shipped row an
//     administrator deleted comes back (as in Odoo when a module is reloaded); existing rows are
//     never modified;
//   - admin's password is set from ADMIN_PASSWORD (default `admin`) only while admin has none.
// It also installs the ACL checker on the registry it runs with.

import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { hashPlaintextPasswords, setUserPassword } from './auth.ts';
import { installAccessChecker, invalidateSecurityCache } from './ir_model_access.ts';
import { ensureApikeyColumns } from './res_users_apikeys.ts';

export const DEFAULT_ADMIN_PASSWORD = 'admin';

interface PrivilegeData {
  xmlid: string;
  name: string;
  sequence?: number;
}

interface GroupData {
  xmlid: string;
  name: string;
  privilege?: string;
  sequence?: number;
  comment?: string;
  /** Groups this one implies (its users are members of those too). */
  implied?: string[];
  /** Users made members when the group is created (1 = __system__, 2 = admin). */
  users?: number[];
}

/** [external id, name, model, group external id or null (global), permissions among "rwcd"]. */
type AccessData = [string, string, string, string | null, string];

export const PRIVILEGES: PrivilegeData[] = [
  { xmlid: 'base.res_groups_privilege_export', name: 'Export' },
  { xmlid: 'base.res_groups_privilege_contact', name: 'Contact' },
  { xmlid: 'mass_mailing.res_groups_privilege_email_marketing', name: 'Email Marketing', sequence: 19 },
];

// Order matters: a group is created after the groups it implies.
export const GROUPS: GroupData[] = [
  { xmlid: 'base.group_no_one', name: 'Technical Features' },
  { xmlid: 'mail.group_mail_template_editor', name: 'Mail Template Editor' },
  { xmlid: 'base.group_user', name: 'Role / User', comment: 'Access to the home menu', implied: ['base.group_no_one', 'mail.group_mail_template_editor'], users: [1, 2] },
  { xmlid: 'base.group_erp_manager', name: 'Access Rights', implied: ['base.group_user'] },
  { xmlid: 'base.group_sanitize_override', name: 'Bypass HTML Field Sanitize' },
  { xmlid: 'base.group_allow_export', name: 'Allowed', privilege: 'base.res_groups_privilege_export', users: [1] },
  { xmlid: 'base.group_partner_manager', name: 'Creation', privilege: 'base.res_groups_privilege_contact', users: [1] },
  {
    xmlid: 'base.group_system', name: 'Role / Administrator', comment: 'Access to the settings to configure the apps',
    implied: ['base.group_erp_manager', 'base.group_sanitize_override', 'base.group_no_one', 'base.group_allow_export', 'base.group_partner_manager'],
    users: [1, 2],
  },
  {
    xmlid: 'base.group_portal', name: 'Role / Portal',
    comment: 'Portal members have specific access rights (such as record rules and restricted menus).\n                They usually do not belong to the usual Odoo groups.',
  },
  {
    xmlid: 'base.group_public', name: 'Role / Public',
    comment: 'Public users have specific access rights (such as record rules and restricted menus).\n                They usually do not belong to the usual Odoo groups.',
  },
  {
    xmlid: 'mass_mailing.group_mass_mailing_user', name: 'User', privilege: 'mass_mailing.res_groups_privilege_email_marketing', sequence: 10,
    implied: ['base.group_user', 'mail.group_mail_template_editor'], users: [1, 2],
  },
  { xmlid: 'mass_mailing.group_mass_mailing_campaign', name: 'Manage Mass Mailing Campaigns' },
];

const G = {
  user: 'base.group_user',
  system: 'base.group_system',
  erp: 'base.group_erp_manager',
  portal: 'base.group_portal',
  public: 'base.group_public',
  partner: 'base.group_partner_manager',
  mm: 'mass_mailing.group_mass_mailing_user',
  campaign: 'mass_mailing.group_mass_mailing_campaign',
  editor: 'mail.group_mail_template_editor',
};

// Odoo 19's ir.model.access.csv rows for the models of the product (present and planned).
export const ACCESS: AccessData[] = [
  // base
  ['base.access_ir_cron_group_cron', 'ir_cron group_cron', 'ir.cron', G.system, 'rwcd'],
  ['base.access_ir_cron_progress_group_cron', 'ir_cron_progress group_cron', 'ir.cron.progress', G.system, 'rwcd'],
  ['base.access_ir_cron_trigger_group_cron', 'ir_cron_trigger group_cron', 'ir.cron.trigger', G.system, 'rwcd'],
  ['base.access_ir_model_group_erp_manager', 'ir_model group_erp_manager', 'ir.model', G.erp, 'rwcd'],
  ['base.access_ir_model_user', 'ir_model_all', 'ir.model', G.user, ''],
  ['base.access_ir_model_access_group_erp_manager', 'ir_model_access_group_erp_manager', 'ir.model.access', G.erp, 'rwcd'],
  ['base.access_ir_model_data_group_erp_manager', 'ir_model_data group_erp_manager', 'ir.model.data', G.erp, 'rwcd'],
  ['base.access_ir_model_data_user', 'ir_model_data user', 'ir.model.data', G.user, ''],
  ['base.access_ir_model_fields_group_erp_manager', 'ir_model_fields group_erp_manager', 'ir.model.fields', G.erp, 'rwcd'],
  ['base.access_ir_model_fields_user', 'ir_model_fields all', 'ir.model.fields', G.user, ''],
  ['base.access_ir_config_parameter_system', 'ir_config_parameter_system', 'ir.config_parameter', G.system, 'rwcd'],
  ['base.access_ir_sequence_group_user', 'ir_sequence group_user', 'ir.sequence', G.user, 'r'],
  ['base.access_ir_sequence_group_system', 'ir_sequence group_system', 'ir.sequence', G.system, 'rwcd'],
  ['base.access_ir_mail_server', 'ir_mail_server', 'ir.mail_server', G.system, 'rwcd'],
  ['base.access_res_config', 'access.res.config', 'res.config', G.system, 'rwc'],
  ['base.access_res_config_settings', 'access.res.config.settings', 'res.config.settings', G.system, 'rwc'],
  ['base.access_res_company_group_erp_manager', 'res_company group_erp_manager', 'res.company', G.erp, 'rwcd'],
  ['base.access_res_company_public', 'res_company group_user', 'res.company', G.public, 'r'],
  ['base.access_res_company_portal', 'res_company group_user', 'res.company', G.portal, 'r'],
  ['base.access_res_company_employee', 'res_company group_user', 'res.company', G.user, 'r'],
  ['base.access_res_country_public', 'res_country group_user_all', 'res.country', G.public, 'r'],
  ['base.access_res_country_portal', 'res_country group_user_all', 'res.country', G.portal, 'r'],
  ['base.access_res_country_employee', 'res_country group_user_all', 'res.country', G.user, 'r'],
  ['base.access_res_country_group_user', 'res_country group_user', 'res.country', G.partner, 'r'],
  ['base.access_res_country_group_system', 'res_country_group_system', 'res.country', G.system, 'rwcd'],
  ['base.access_res_country_state_public', 'res_country_state group_user_all', 'res.country.state', G.public, 'r'],
  ['base.access_res_country_state_portal', 'res_country_state group_user_all', 'res.country.state', G.portal, 'r'],
  ['base.access_res_country_state_employee', 'res_country_state group_user_all', 'res.country.state', G.user, 'r'],
  ['base.access_res_country_state_group_user', 'res_country_state group_user', 'res.country.state', G.partner, 'rwcd'],
  ['base.access_res_currency_public', 'res_currency group_all', 'res.currency', G.public, 'r'],
  ['base.access_res_currency_portal', 'res_currency group_all', 'res.currency', G.portal, 'r'],
  ['base.access_res_currency_employee', 'res_currency group_all', 'res.currency', G.user, 'r'],
  ['base.access_res_currency_group_system', 'res_currency group_system', 'res.currency', G.system, 'rwcd'],
  ['base.access_res_groups_group_erp_manager', 'res_groups group_erp_manager', 'res.groups', G.erp, 'rwcd'],
  ['base.access_res_groups_group_user', 'res_groups group_user', 'res.groups', G.user, 'r'],
  ['base.access_res_groups_privilege_group_erp_manager', 'res_groups_privilege group_erp_manager', 'res.groups.privilege', G.erp, 'rwcd'],
  ['base.access_res_groups_privilege_group_user', 'res_groups_privilege group_user', 'res.groups.privilege', G.user, 'r'],
  ['base.access_res_partner_public', 'res_partner group_public', 'res.partner', G.public, 'r'],
  ['base.access_res_partner_portal', 'res_partner group_portal', 'res.partner', G.portal, 'r'],
  ['base.access_res_partner_group_partner_manager', 'res_partner group_partner_manager', 'res.partner', G.partner, 'rwcd'],
  ['base.access_res_partner_group_user', 'res_partner group_user', 'res.partner', G.user, 'r'],
  ['base.access_res_partner_category_group_user', 'res_partner_category group_user', 'res.partner.category', G.user, 'r'],
  ['base.access_res_partner_category_group_partner_manager', 'res_partner_category group_partner_manager', 'res.partner.category', G.partner, 'rwcd'],
  ['base.access_res_users_public', 'res_users all', 'res.users', G.public, 'r'],
  ['base.access_res_users_portal', 'res_users all', 'res.users', G.portal, 'r'],
  ['base.access_res_users_employee', 'res_users all', 'res.users', G.user, 'r'],
  ['base.access_res_users_group_erp_manager', 'res_users group_erp_manager', 'res.users', G.erp, 'rwcd'],
  ['base.access_res_users_apikeys_access_employee', 'API keys access employees', 'res.users.apikeys', G.user, 'r'],
  ['base.access_res_users_apikeys_access_portal', 'API keys access portal', 'res.users.apikeys', G.portal, 'r'],
  ['base.access_res_users_apikeys_description_employee', 'API key wizard employees', 'res.users.apikeys.description', G.user, 'rc'],
  ['base.access_res_users_apikeys_description_portal', 'API key wizard', 'res.users.apikeys.description', G.portal, 'rc'],
  ['base.access_res_users_apikeys_show_employee', 'API key result employees', 'res.users.apikeys.show', G.user, 'rc'],
  // mail
  ['mail.access_mail_message_all', 'mail.message.all', 'mail.message', G.public, 'r'],
  ['mail.access_mail_message_portal', 'mail.message.portal', 'mail.message', G.portal, 'rwcd'],
  ['mail.access_mail_message_user', 'mail.message.user', 'mail.message', G.user, 'rwcd'],
  ['mail.access_mail_message_subtype_public', 'mail.message.subtype: portal/public: read public subtypes', 'mail.message.subtype', G.public, 'r'],
  ['mail.access_mail_message_subtype_portal', 'mail.message.subtype: portal/public: read public subtypes', 'mail.message.subtype', G.portal, 'r'],
  ['mail.access_mail_message_subtype_user', 'mail.message.subtype.user', 'mail.message.subtype', G.user, 'r'],
  ['mail.access_mail_message_subtype_system', 'mail.message.subtype.system', 'mail.message.subtype', G.system, 'rwcd'],
  ['mail.access_mail_tracking_value_system', 'mail.tracking.value.system', 'mail.tracking.value', G.system, 'rwcd'],
  ['mail.access_mail_mail_system', 'mail.mail.system', 'mail.mail', G.system, 'rwcd'],
  ['mail.access_mail_followers_user', 'mail.followers.user', 'mail.followers', G.user, 'r'],
  ['mail.access_mail_followers_system', 'mail.followers.system', 'mail.followers', G.system, 'rwcd'],
  ['mail.access_mail_notification_portal', 'mail.notification.portal', 'mail.notification', G.portal, 'r'],
  ['mail.access_mail_notification_user', 'mail.notification.user', 'mail.notification', G.user, 'rc'],
  ['mail.access_mail_notification_system', 'mail.notification.system', 'mail.notification', G.system, 'rcd'],
  ['mail.access_mail_template_user', 'mail.template', 'mail.template', G.user, 'r'],
  ['mail.access_mail_template_editor', 'mail.template_editor', 'mail.template', G.editor, 'rwcd'],
  ['mail.access_mail_template_system', 'mail.template_system', 'mail.template', G.system, 'rwcd'],
  ['mail.access_mail_activity_type_user', 'mail.activity.type.user', 'mail.activity.type', G.user, 'r'],
  ['mail.access_mail_activity_type_system', 'mail.activity.type.system', 'mail.activity.type', G.system, 'rwcd'],
  ['mail.access_mail_activity_user', 'mail.activity.user', 'mail.activity', G.user, 'rc'],
  ['mail.access_mail_blacklist_system', 'access_mail_blacklist_system', 'mail.blacklist', G.system, 'rwcd'],
  ['mail.access_mail_blacklist_remove_system', 'acesss.mail.blacklist.remove.system', 'mail.blacklist.remove', G.system, 'rwcd'],
  ['mail.access_mail_compose_message', 'access.mail.compose.message', 'mail.compose.message', G.user, 'rwc'],
  // utm
  ['utm.access_utm_campaign_user', 'access_utm_campaign_user', 'utm.campaign', G.user, 'rwc'],
  ['utm.access_utm_campaign_system', 'utm.campaign.system', 'utm.campaign', G.system, 'rwcd'],
  ['utm.access_utm_medium_user', 'access_utm_medium_user', 'utm.medium', G.user, 'rwc'],
  ['utm.access_utm_medium_system', 'utm.medium.system', 'utm.medium', G.system, 'rwcd'],
  ['utm.access_utm_source_user', 'access_utm_source_user', 'utm.source', G.user, 'rwc'],
  ['utm.access_utm_source_system', 'utm.source.system', 'utm.source', G.system, 'rwcd'],
  ['utm.access_utm_stage_user', 'mail.utm.stage', 'utm.stage', G.user, 'r'],
  ['utm.access_utm_stage_system', 'mail.utm.stage', 'utm.stage', G.system, 'rwcd'],
  ['utm.access_utm_tag_user', 'utm.tag', 'utm.tag', G.user, 'r'],
  ['utm.access_utm_tag_system', 'utm.tag', 'utm.tag', G.system, 'rwcd'],
  // link_tracker
  ['link_tracker.access_link_tracker_user', 'link.tracker', 'link.tracker', G.user, 'r'],
  ['link_tracker.access_link_tracker_public', 'link.tracker', 'link.tracker', G.public, 'r'],
  ['link_tracker.access_link_tracker_code_user', 'link.tracker.code', 'link.tracker.code', G.user, 'r'],
  ['link_tracker.access_link_tracker_code_public', 'link.tracker.code', 'link.tracker.code', G.public, 'r'],
  ['link_tracker.access_link_tracker_click_user', 'link.tracker.click', 'link.tracker.click', G.user, 'r'],
  ['link_tracker.access_link_tracker_click_public', 'link.tracker.click', 'link.tracker.click', G.public, 'r'],
  // phone_validation
  ['phone_validation.access_phone_blacklist_system', 'access.phone.blacklist.system', 'phone.blacklist', G.system, 'rwcd'],
  ['phone_validation.access_phone_blacklist_remove_system', 'acesss.phone.blacklist.remove.system', 'phone.blacklist.remove', G.system, 'rwcd'],
  // sms
  ['sms.access_sms_sms_system', 'access.sms.sms.system', 'sms.sms', G.system, 'rwcd'],
  ['sms.access_sms_template_user', 'access.sms.template.user', 'sms.template', G.user, 'r'],
  ['sms.access_sms_template_system', 'SMS Template: system group granted all', 'sms.template', G.system, 'rwcd'],
  ['sms.access_sms_tracker_system', 'access.sms.tracker.system', 'sms.tracker', G.system, 'rwcd'],
  ['sms.access_sms_composer', 'access.sms.composer', 'sms.composer', G.user, 'rwc'],
  ['sms.access_sms_resend_recipient', 'access.sms.resend.recipient', 'sms.resend.recipient', G.user, 'rwc'],
  ['sms.access_sms_resend', 'access.sms.resend', 'sms.resend', G.user, 'rwc'],
  ['sms.access_sms_template_preview', 'access.sms.template.preview', 'sms.template.preview', G.user, 'rwc'],
  ['sms.access_sms_template_reset', 'access.sms.template.reset', 'sms.template.reset', G.editor, 'rwcd'],
  // product models (not in Odoo: prepaid SMS credits, models/sms/credit.ts)
  ['sms.access_sms_credit_price_user', 'sms.credit.price.user', 'sms.credit.price', G.user, 'r'],
  ['sms.access_sms_credit_price_system', 'sms.credit.price.system', 'sms.credit.price', G.system, 'rwcd'],
  ['sms.access_sms_credit_account_mm_user', 'sms.credit.account.mailing.user', 'sms.credit.account', G.mm, 'r'],
  ['sms.access_sms_credit_account_system', 'sms.credit.account.system', 'sms.credit.account', G.system, 'rwcd'],
  // mass_mailing
  ['mass_mailing.access_utm_tag_mass_mailing_campaign', 'utm.tag', 'utm.tag', G.campaign, 'rwcd'],
  ['mass_mailing.access_mailing_contact_mm_user', 'access.mailing.contact.mm.user', 'mailing.contact', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_contact_import_mm_user', 'access.mailing.contact.import.mailing.user', 'mailing.contact.import', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_subscription_mm_user', 'access.mailing.subscription.mm.user', 'mailing.subscription', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_subscription_optout_mm_user', 'access.mailing.subscription.optout.mm.user', 'mailing.subscription.optout', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_list_mm_user', 'access.mailing.list.mm.user', 'mailing.list', G.mm, 'rwcd'],
  ['mass_mailing.access_utm_stage', 'utm.stage', 'utm.stage', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_mailing_mm_user', 'access.mailing.mailing.mm.user', 'mailing.mailing', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_mailing_system', 'access.mailing.mailing.system', 'mailing.mailing', G.system, 'rwcd'],
  ['mass_mailing.access_mailing_trace_mm_user', 'access.mailing.trace.mm.user', 'mailing.trace', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_trace_report_mm_user', 'access.mailing.trace.report.mm.user', 'mailing.trace.report', G.mm, 'r'],
  ['mass_mailing.access_utm_campaign_mass_mailing_user', 'utm.campaign', 'utm.campaign', G.mm, 'rwcd'],
  ['mass_mailing.access_utm_medium_mass_mailing_user', 'access_utm_source', 'utm.medium', G.mm, 'rwcd'],
  ['mass_mailing.access_utm_source', 'access_utm_source', 'utm.source', G.mm, 'rwcd'],
  ['mass_mailing.access_ir_mail_server', 'access_ir_mail_server', 'ir.mail_server', G.mm, 'r'],
  ['mass_mailing.access_ir_model', 'access_ir_model', 'ir.model', G.mm, 'r'],
  ['mass_mailing.access_mail_blacklist_mass_mailing_user', 'access.mail.blacklist.mass_mailing_user', 'mail.blacklist', G.mm, 'rwcd'],
  ['mass_mailing.access_mail_blacklist_remove_mass_mailing_user', 'acesss.mail.blacklist.remove.mass_mailing_user', 'mail.blacklist.remove', G.mm, 'rwcd'],
  ['mass_mailing.access_link_tracker_mailing', 'access.link.tracker.mailing', 'link.tracker', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_list_merge', 'access.mailing.list.merge', 'mailing.list.merge', G.mm, 'rwc'],
  ['mass_mailing.access_mailing_mailing_test', 'access.mailing.mailing.test', 'mailing.mailing.test', G.mm, 'rwc'],
  ['mass_mailing.access_mailing_contact_to_list', 'access.mailing.contact.to.list', 'mailing.contact.to.list', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_schedule_date', 'access.mailing.schedule.date', 'mailing.mailing.schedule.date', G.mm, 'rwcd'],
  ['mass_mailing.access_mailing_filter_mailing_user', 'access.mailing.filter.mailing.user', 'mailing.filter', G.mm, 'rwcd'],
  // mass_mailing_sms
  ['mass_mailing_sms.access_mailing_sms_test', 'access.mailing.sms.test', 'mailing.sms.test', G.mm, 'rwc'],
  ['mass_mailing_sms.access_phone_blacklist_remove_mass_mailing_user', 'acesss.phone.blacklist.remove.mass_mailing_user', 'phone.blacklist.remove', G.mm, 'rwcd'],
  ['mass_mailing_sms.access_sms_tracker_mailing_user', 'access.sms.tracker.mailing.user', 'sms.tracker', G.mm, 'rwcd'],
  // base: server actions (used by automation rules)
  ['base.access_ir_actions_server_group_system', 'ir_actions_server_group_system', 'ir.actions.server', G.system, 'rwcd'],
  // base_automation
  ['base_automation.access_base_automation', 'base.automation', 'base.automation', G.system, 'rwcd'],
];

/** External ids of records made by models/base/data.ts. */
const BASE_RECORD_XMLIDS: [string, string, number][] = [
  ['base.main_partner', 'res.partner', 1],
  ['base.partner_root', 'res.partner', 2],
  ['base.partner_admin', 'res.partner', 3],
  ['base.user_root', 'res.users', 1],
  ['base.user_admin', 'res.users', 2],
];

// ---------------------------------------------------------------- external ids

/** ir_model_data exists even when no model declares it yet (Odoo's columns). */
async function ensureIrModelDataTable(env: Env): Promise<void> {
  await env.cr.execute(`CREATE TABLE IF NOT EXISTS ir_model_data (
    id SERIAL NOT NULL PRIMARY KEY,
    name varchar NOT NULL,
    module varchar NOT NULL DEFAULT '',
    model varchar NOT NULL,
    res_id int4,
    noupdate bool DEFAULT false,
    create_uid int4, create_date timestamp, write_uid int4, write_date timestamp)`);
  await env.cr.execute('CREATE INDEX IF NOT EXISTS ir_model_data_module_name_security_idx ON ir_model_data (module, name)');
}

function splitXmlid(xmlid: string): [string, string] {
  const dot = xmlid.indexOf('.');
  return [xmlid.slice(0, dot), xmlid.slice(dot + 1)];
}

/** xmlid → res_id of the rows of `models`, only for records that still exist. */
async function existingXmlids(env: Env, model: string, table: string): Promise<Map<string, number>> {
  const rows = await env.cr.query<{ xmlid: string; res_id: number }>(`
    SELECT d.module || '.' || d.name AS xmlid, d.res_id FROM ir_model_data d JOIN "${table}" r ON r.id = d.res_id
    WHERE d.model = $1`, [model]);
  return new Map(rows.map((r) => [r.xmlid, r.res_id]));
}

/** Point `xmlid` at record `resId` of `model` (insert, or repair a dangling entry). */
async function setXmlid(env: Env, xmlid: string, model: string, resId: number, noupdate = false): Promise<void> {
  const [module, name] = splitXmlid(xmlid);
  const updated = await env.cr.execute(sql`UPDATE ir_model_data SET res_id = ${resId}, model = ${model}, write_date = now() at time zone 'utc'
    WHERE module = ${module} AND name = ${name}`);
  if (!updated) {
    await env.cr.execute(sql`INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_uid, write_uid, create_date, write_date)
      VALUES (${module}, ${name}, ${model}, ${resId}, ${noupdate}, 1, 1, now() at time zone 'utc', now() at time zone 'utc')`);
  }
}

// ---------------------------------------------------------------- loader

/** Set admin's (id 2) password when it has none; returns whether it did. Never overwrites. */
export async function ensureAdminPassword(env: Env, password: string): Promise<boolean> {
  const rows = await env.cr.query<{ password: string | null }>(sql`SELECT password FROM res_users WHERE id = 2`);
  if (!rows.length || rows[0].password) return false;
  await setUserPassword(env, [2], password || DEFAULT_ADMIN_PASSWORD);
  return true;
}

/** ADMIN_PASSWORD, or `admin` when unset or empty (as server/config.ts reads it). */
export function adminPasswordFromEnv(): string {
  return process.env.ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD;
}

async function loadGroups(env: Env): Promise<Map<string, number>> {
  const privileges = await existingXmlids(env, 'res.groups.privilege', 'res_groups_privilege');
  for (const p of PRIVILEGES) {
    if (privileges.has(p.xmlid)) continue;
    const rec = await env.model('res.groups.privilege').create({ name: p.name, sequence: p.sequence ?? 100 });
    await setXmlid(env, p.xmlid, 'res.groups.privilege', rec.ids[0]);
    privileges.set(p.xmlid, rec.ids[0]);
  }
  const groups = await existingXmlids(env, 'res.groups', 'res_groups');
  for (const g of GROUPS) {
    if (groups.has(g.xmlid)) continue;
    const implied = (g.implied ?? []).map((x) => groups.get(x)).filter((id): id is number => !!id);
    const rec: RecordSet = await env.model('res.groups').create({
      name: g.name,
      comment: g.comment ?? false,
      sequence: g.sequence ?? 0,
      privilege_id: g.privilege ? privileges.get(g.privilege) ?? false : false,
      implied_ids: [[6, 0, implied]],
    });
    const id = rec.ids[0];
    await setXmlid(env, g.xmlid, 'res.groups', id);
    groups.set(g.xmlid, id);
    const users = (await env.cr.query<{ id: number }>(sql`SELECT id FROM res_users WHERE id = ANY(${g.users ?? []}::int4[])`)).map((r) => r.id);
    if (users.length) {
      await env.cr.execute(sql`INSERT INTO res_groups_users_rel (gid, uid) SELECT ${id}::int4, unnest(${users}::int4[]) ON CONFLICT DO NOTHING`);
    }
  }
  return groups;
}

async function loadAccessRights(env: Env, groups: Map<string, number>): Promise<void> {
  const existing = await existingXmlids(env, 'ir.model.access', 'ir_model_access');
  const models = new Map(
    (await env.cr.query<{ id: number; model: string }>(sql`SELECT id, model FROM ir_model WHERE model = ANY(${[...new Set(ACCESS.map((a) => a[2]))]}::varchar[])`))
      .map((r) => [r.model, r.id]),
  );
  const todo = ACCESS.filter(([xmlid, , model, group]) => !existing.has(xmlid) && models.has(model) && env.registry.has(model) && (group === null || groups.has(group)));
  if (!todo.length) return;
  const created = await env.model('ir.model.access').create(todo.map(([, name, model, group, perms]) => ({
    name,
    model_id: models.get(model),
    group_id: group ? groups.get(group) : false,
    perm_read: perms.includes('r'),
    perm_write: perms.includes('w'),
    perm_create: perms.includes('c'),
    perm_unlink: perms.includes('d'),
  })));
  for (let i = 0; i < todo.length; i++) await setXmlid(env, todo[i][0], 'ir.model.access', created.ids[i]);
}

/** The data loader (runs as superuser after the schema and base data). */
export async function loadSecurityData(env: Env): Promise<void> {
  // Columns no field declares: the password hash, and the secret parts of API keys.
  await env.cr.execute('ALTER TABLE res_users ADD COLUMN IF NOT EXISTS password varchar');
  await ensureApikeyColumns(env);
  await ensureIrModelDataTable(env);
  for (const [xmlid, model, id] of BASE_RECORD_XMLIDS) {
    const [module, name] = splitXmlid(xmlid);
    const found = await env.cr.query(sql`SELECT 1 FROM ir_model_data WHERE module = ${module} AND name = ${name}`);
    const exists = await env.cr.query(`SELECT 1 FROM "${model.replace(/\./g, '_')}" WHERE id = $1`, [id]);
    if (!found.length && exists.length) await setXmlid(env, xmlid, model, id, true);
  }
  const groups = await loadGroups(env);
  await loadAccessRights(env, groups);
  // Internal users are not "share" users (stored field, kept right for rows made by SQL).
  const groupUser = groups.get('base.group_user');
  if (groupUser) {
    await env.cr.execute(sql`
      WITH RECURSIVE g(uid, id) AS (
        SELECT uid, gid FROM res_groups_users_rel
        UNION SELECT g.uid, r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id)
      UPDATE res_users u SET share = NOT EXISTS (SELECT 1 FROM g WHERE g.uid = u.id AND g.id = ${groupUser})
      WHERE u.share IS DISTINCT FROM NOT EXISTS (SELECT 1 FROM g WHERE g.uid = u.id AND g.id = ${groupUser})`);
  }
  await ensureAdminPassword(env, adminPasswordFromEnv());
  await hashPlaintextPasswords(env);
  invalidateSecurityCache(env);
  installAccessChecker(env.registry);
}

// Security data of `mass_mailing` as Odoo 19 ships it: privileges, groups and ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

const G = {
  system: 'base.group_system',
  mm: 'mass_mailing.group_mass_mailing_user',
  campaign: 'mass_mailing.group_mass_mailing_campaign',
};

export const SECURITY: SecurityData = {
  privileges: [{ xmlid: 'mass_mailing.res_groups_privilege_email_marketing', name: 'Email Marketing', sequence: 19 }],
  groups: [
    {
      xmlid: 'mass_mailing.group_mass_mailing_user', name: 'User', privilege: 'mass_mailing.res_groups_privilege_email_marketing', sequence: 10,
      implied: ['base.group_user', 'mail.group_mail_template_editor'], users: [1, 2],
    },
    { xmlid: 'mass_mailing.group_mass_mailing_campaign', name: 'Manage Mass Mailing Campaigns' },
  ],
  access: [
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
  ],
};

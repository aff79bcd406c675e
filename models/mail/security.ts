// Security data of `mail` as Odoo 19 ships it: its group (implied by internal users) and ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

const G = {
  user: 'base.group_user',
  system: 'base.group_system',
  portal: 'base.group_portal',
  public: 'base.group_public',
  editor: 'mail.group_mail_template_editor',
};

export const SECURITY: SecurityData = {
  groups: [
    { xmlid: 'mail.group_mail_template_editor', name: 'Mail Template Editor' },
    // mail adds the template editor to internal users (Odoo: implied_ids of base.group_user).
    { xmlid: 'base.group_user', name: 'Role / User', implied: ['mail.group_mail_template_editor'] },
  ],
  access: [
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
  ],
};

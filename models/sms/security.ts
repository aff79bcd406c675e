// Security data of `sms` as Odoo 19 ships it: ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

const G = {
  user: 'base.group_user',
  system: 'base.group_system',
  editor: 'mail.group_mail_template_editor',
};

export const SECURITY: SecurityData = {
  access: [
    ['sms.access_sms_sms_system', 'access.sms.sms.system', 'sms.sms', G.system, 'rwcd'],
    ['sms.access_sms_template_user', 'access.sms.template.user', 'sms.template', G.user, 'r'],
    ['sms.access_sms_template_system', 'SMS Template: system group granted all', 'sms.template', G.system, 'rwcd'],
    ['sms.access_sms_tracker_system', 'access.sms.tracker.system', 'sms.tracker', G.system, 'rwcd'],
    ['sms.access_sms_composer', 'access.sms.composer', 'sms.composer', G.user, 'rwc'],
    ['sms.access_sms_resend_recipient', 'access.sms.resend.recipient', 'sms.resend.recipient', G.user, 'rwc'],
    ['sms.access_sms_resend', 'access.sms.resend', 'sms.resend', G.user, 'rwc'],
    ['sms.access_sms_template_preview', 'access.sms.template.preview', 'sms.template.preview', G.user, 'rwc'],
    ['sms.access_sms_template_reset', 'access.sms.template.reset', 'sms.template.reset', G.editor, 'rwcd'],
    ['sms.access_sms_credit_price_user', 'sms.credit.price.user', 'sms.credit.price', G.user, 'r'],
    ['sms.access_sms_credit_price_system', 'sms.credit.price.system', 'sms.credit.price', G.system, 'rwcd'],
    ['sms.access_sms_credit_account_system', 'sms.credit.account.system', 'sms.credit.account', G.system, 'rwcd'],
  ],
};

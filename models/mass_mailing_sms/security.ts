// Security data of `mass_mailing_sms` as Odoo 19 ships it: ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

const G = {
  mm: 'mass_mailing.group_mass_mailing_user',
};

export const SECURITY: SecurityData = {
  access: [
    ['sms.access_sms_credit_account_mm_user', 'sms.credit.account.mailing.user', 'sms.credit.account', G.mm, 'r'],
    ['mass_mailing_sms.access_mailing_sms_test', 'access.mailing.sms.test', 'mailing.sms.test', G.mm, 'rwc'],
    ['mass_mailing_sms.access_phone_blacklist_remove_mass_mailing_user', 'acesss.phone.blacklist.remove.mass_mailing_user', 'phone.blacklist.remove', G.mm, 'rwcd'],
    ['mass_mailing_sms.access_sms_tracker_mailing_user', 'access.sms.tracker.mailing.user', 'sms.tracker', G.mm, 'rwcd'],
  ],
};

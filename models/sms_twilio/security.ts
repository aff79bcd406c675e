// Security data of `sms_twilio` as Odoo 19 ships it (ACL rows), plus ours for sms.inbound.

import type { SecurityData } from '../orm/addon.ts';

const G = {
  system: 'base.group_system',
  mm: 'mass_mailing.group_mass_mailing_user',
};

export const SECURITY: SecurityData = {
  access: [
    ['sms_twilio.access_sms_twilio_number_system', 'access_sms_twilio_number_system', 'sms.twilio.number', G.system, 'rwcd'],
    ['sms_twilio.access_sms_twilio_account_manage_system', 'access_sms_twilio_account_manage_system', 'sms.twilio.account.manage', G.system, 'rwc'],
    ['sms_twilio.access_sms_inbound_mm_user', 'access_sms_inbound_mm_user', 'sms.inbound', G.mm, 'r'],
    ['sms_twilio.access_sms_inbound_system', 'access_sms_inbound_system', 'sms.inbound', G.system, 'rwcd'],
  ],
};

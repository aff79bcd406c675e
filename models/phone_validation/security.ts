// Security data of `phone_validation` as Odoo 19 ships it: ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

const G = {
  system: 'base.group_system',
};

export const SECURITY: SecurityData = {
  access: [
    ['phone_validation.access_phone_blacklist_system', 'access.phone.blacklist.system', 'phone.blacklist', G.system, 'rwcd'],
    ['phone_validation.access_phone_blacklist_remove_system', 'acesss.phone.blacklist.remove.system', 'phone.blacklist.remove', G.system, 'rwcd'],
  ],
};

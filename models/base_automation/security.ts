// Security data of `base_automation` as Odoo 19 ships it: ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

export const SECURITY: SecurityData = {
  access: [
    ['base_automation.access_base_automation', 'base.automation', 'base.automation', 'base.group_system', 'rwcd'],
  ],
};

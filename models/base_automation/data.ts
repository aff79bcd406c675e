// Data of the base_automation addon: the cron checking time-based rules (inactive until a time
// rule exists, as Odoo ships it; rules switch it on and set its frequency).

import type { CronData } from '../orm/addon.ts';

export const AUTOMATION_CRON = 'base_automation.ir_cron_data_base_automation_check';

export const AUTOMATION_CRON_DATA: CronData = {
  xmlId: AUTOMATION_CRON, name: 'Automation Rules: check and execute', model: 'base.automation', method: '_check', intervalNumber: 4, intervalType: 'hours', active: false,
};

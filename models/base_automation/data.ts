// Data of the base_automation addon: the cron checking time-based rules (inactive until a time
// rule exists, as Odoo ships it).

import type { Env } from '../orm/env.ts';
import { ensureCron } from '../base/ir_cron.ts';

export const AUTOMATION_CRON = 'base_automation.ir_cron_data_base_automation_check';

export async function loadBaseAutomationData(env: Env): Promise<void> {
  await ensureCron(env, { xmlId: AUTOMATION_CRON, name: 'Automation Rules: check and execute', model: 'base.automation', method: '_check', intervalNumber: 4, intervalType: 'hours', active: false });
}

// The `base_automation` addon: automation rules running server actions when records are created,
// updated or deleted, when a date passes (cron), or when a webhook is called.

import type { Addon } from '../orm/addon.ts';
import { BaseAutomation, registerAutomationHook } from './base_automation.ts';
import { IrActionsServerAutomation } from './ir_actions_server.ts';
import { AUTOMATION_CRON_DATA } from './data.ts';
import { SECURITY } from './security.ts';

export const BASE_AUTOMATION: Addon = {
  name: 'base_automation',
  depends: ['base', 'mail', 'sms'],
  models: [BaseAutomation, IrActionsServerAutomation],
  security: SECURITY,
  crons: [AUTOMATION_CRON_DATA],
  // Odoo's _register_hook: every model's create/write/unlink consult the rules.
  hooks: { registryBuilt: registerAutomationHook },
};

// Models of Odoo's `base_automation` addon (automation rules), in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { BaseAutomation } from './base_automation.ts';
import { IrActionsServerAutomation } from './ir_actions_server.ts';
import { loadBaseAutomationData } from './data.ts';

export const BASE_AUTOMATION_MODELS: ModelSpec[] = [BaseAutomation, IrActionsServerAutomation];
export const BASE_AUTOMATION_DATA: DataLoader[] = [loadBaseAutomationData];

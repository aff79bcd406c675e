// Models of Odoo's `utm` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';

export const UTM_MODELS: ModelSpec[] = [];
export const UTM_DATA: DataLoader[] = [];

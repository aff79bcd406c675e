// Models of Odoo's `phone_validation` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';

export const PHONE_VALIDATION_MODELS: ModelSpec[] = [];
export const PHONE_VALIDATION_DATA: DataLoader[] = [];

// Models of Odoo's `mass_mailing` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';

export const MASS_MAILING_MODELS: ModelSpec[] = [];
export const MASS_MAILING_DATA: DataLoader[] = [];

// Base models (odoo/addons/base): countries, partners, users, groups, models, parameters.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { ResCountry } from './res_country.ts';
import { ResPartner, ResPartnerCategory } from './res_partner.ts';
import { ResUsers } from './res_users.ts';
import { ResGroups } from './res_groups.ts';
import { IrModel } from './ir_model.ts';
import { IrConfigParameter } from './ir_config_parameter.ts';
import { loadBaseData } from './data.ts';

export const BASE_MODELS: ModelSpec[] = [IrModel, IrConfigParameter, ResCountry, ResPartnerCategory, ResPartner, ResGroups, ResUsers];
export const BASE_DATA: DataLoader[] = [loadBaseData];

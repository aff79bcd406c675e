// Base models (odoo/addons/base): countries, partners, users, groups, models, parameters.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { ResCountry } from './res_country.ts';
import { ResPartner, ResPartnerCategory } from './res_partner.ts';
import { ResUsers } from './res_users.ts';
import { ResGroups, ResGroupsPrivilege } from './res_groups.ts';
import { ResUsersApikeys, ResUsersApikeysDescription, ResUsersApikeysShow } from './res_users_apikeys.ts';
import { IrModelAccess } from './ir_model_access.ts';
import { loadSecurityData } from './security_data.ts';
import { IrModel } from './ir_model.ts';
import { IrModelData } from './ir_model_data.ts';
import { IrConfigParameter } from './ir_config_parameter.ts';
import { loadBaseData } from './data.ts';
import { IrCron, IrCronTrigger, IrAutovacuum, loadCronData } from './ir_cron.ts';
import { ResConfigSettings } from './res_config_settings.ts';
import { IrModelFields, reflectFields } from './ir_model_fields.ts';
import { IrActionsServer } from './ir_actions_server.ts';

export const BASE_MODELS: ModelSpec[] = [IrModel, IrModelData, IrConfigParameter, ResCountry, ResPartnerCategory, ResPartner, ResGroupsPrivilege, ResGroups, ResUsers, ResUsersApikeys, ResUsersApikeysDescription, ResUsersApikeysShow, IrModelAccess, IrCron, IrCronTrigger, IrAutovacuum, ResConfigSettings, IrModelFields, IrActionsServer];
export const BASE_DATA: DataLoader[] = [loadBaseData, reflectFields, loadSecurityData, loadCronData];

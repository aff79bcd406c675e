// The `base` addon (odoo/addons/base): countries, partners, users, groups, models, parameters,
// scheduled actions. Knows no addon above it: those bring their own security, crons and data.

import type { Addon } from '../orm/addon.ts';
import { ResCountry } from './res_country.ts';
import { ResPartnerCategory } from './res_partner_category.ts';
import { ResPartner } from './res_partner.ts';
import { ResUsers } from './res_users.ts';
import { ResGroupsPrivilege } from './res_groups_privilege.ts';
import { ResGroups } from './res_groups.ts';
import { ResUsersApikeys, ensureApikeyColumns } from './res_users_apikeys.ts';
import { ResUsersApikeysDescription } from './res_users_apikeys_description.ts';
import { ResUsersApikeysShow } from './res_users_apikeys_show.ts';
import { IrModelAccess } from './ir_model_access.ts';
import { ensureIrModelDataTable, loadSecurityData } from './security_data.ts';
import { SECURITY } from './security.ts';
import { IrModel } from './ir_model.ts';
import { IrModelData } from './ir_model_data.ts';
import { ensureDataFileTable } from './view_data.ts';
import { IrConfigParameter } from './ir_config_parameter.ts';
import { loadBaseData } from './data.ts';
import { IrCron, BASE_CRONS, IR_CRON_LEASE_DDL, loadCronData, registerAddonCrons } from './ir_cron.ts';
import { IrCronTrigger } from './ir_cron_trigger.ts';
import { IrAutovacuum } from './ir_autovacuum.ts';
import { ResConfigSettings } from './res_config_settings.ts';
import { IrModelFields, reflectFields } from './ir_model_fields.ts';
import { IrActionsServer } from './ir_actions_server.ts';
import { ResCompany, loadCompanyData } from './res_company.ts';
import { IrUiView } from './ir_ui_view.ts';
import { IrActionsActWindow } from './ir_actions_act_window.ts';
import { IrUiMenu } from './ir_ui_menu.ts';
import { installSecurityTriggers } from './security_notify.ts';

export const BASE: Addon = {
  name: 'base',
  depends: [],
  models: [IrModel, IrModelData, IrConfigParameter, ResCountry, ResPartnerCategory, ResPartner, ResCompany, ResGroupsPrivilege, ResGroups, ResUsers, ResUsersApikeys, ResUsersApikeysDescription, ResUsersApikeysShow, IrModelAccess, IrCron, IrCronTrigger, IrAutovacuum, ResConfigSettings, IrUiView, IrActionsActWindow, IrUiMenu, IrModelFields, IrActionsServer],
  // Security and crons of every loaded addon are loaded here, after ir.model reflection.
  data: [loadBaseData, reflectFields, loadCompanyData, loadSecurityData, loadCronData],
  security: SECURITY,
  crons: BASE_CRONS,
  schema: [
    // Columns no field declares: the password hash, the secret parts of API keys, cron leases.
    'ALTER TABLE res_users ADD COLUMN IF NOT EXISTS password varchar',
    ensureApikeyColumns,
    ensureIrModelDataTable,
    IR_CRON_LEASE_DDL,
    // Which views/<addon>/<file> loaded each external id (records that leave a file are deleted).
    ensureDataFileTable,
    // NOTIFY every instance when credentials or access rights change (their in-memory caches).
    installSecurityTriggers,
    // /web/session sessions (rpc/session.ts), shared by every server instance on the database;
    // last_used in epoch ms, only a SHA-256 of the session id is kept
    `CREATE TABLE IF NOT EXISTS web_session (
      sid_hash char(64) PRIMARY KEY, db varchar NOT NULL, uid int4 NOT NULL, login varchar NOT NULL,
      context jsonb NOT NULL DEFAULT '{}', last_used int8 NOT NULL)`,
  ],
  hooks: { registryBuilt: registerAddonCrons },
};

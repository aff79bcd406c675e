// Models of Odoo's `phone_validation` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { MailThreadPhone } from './mail_thread_phone.ts';
import { PhoneBlacklist } from './phone_blacklist.ts';
import { PhoneBlacklistRemove } from './phone_blacklist_remove.ts';
import { ResPartnerPhone } from './res_partner.ts';
import { ResUsersPhone } from './res_users.ts';

export const PHONE_VALIDATION_MODELS: ModelSpec[] = [MailThreadPhone, PhoneBlacklist, PhoneBlacklistRemove, ResPartnerPhone, ResUsersPhone];
export const PHONE_VALIDATION_DATA: DataLoader[] = [];

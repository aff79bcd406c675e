// The `phone_validation` addon: phone sanitisation mixin and the phone blacklist.

import type { Addon } from '../orm/addon.ts';
import { MailThreadPhone } from './mail_thread_phone.ts';
import { PhoneBlacklist } from './phone_blacklist.ts';
import { PhoneBlacklistRemove } from './phone_blacklist_remove.ts';
import { ResPartnerPhone } from './res_partner.ts';
import { ResUsersPhone } from './res_users.ts';
import { SECURITY } from './security.ts';

export const PHONE_VALIDATION: Addon = {
  name: 'phone_validation',
  depends: ['base', 'mail'],
  models: [MailThreadPhone, PhoneBlacklist, PhoneBlacklistRemove, ResPartnerPhone, ResUsersPhone],
  security: SECURITY,
};

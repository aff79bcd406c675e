// Every addon of the product. The registry sorts them on `depends` (dependencies first); their
// models, schema extras, data, security and crons load in that order.

import type { Addon, AccessData, GroupData } from './orm/addon.ts';
import type { ModelSpec } from './orm/model.ts';
import { sortAddons } from './orm/addon.ts';
import { BASE } from './base/index.ts';
import { MAIL } from './mail/index.ts';
import { UTM } from './utm/index.ts';
import { LINK_TRACKER } from './link_tracker/index.ts';
import { PHONE_VALIDATION } from './phone_validation/index.ts';
import { MASS_MAILING } from './mass_mailing/index.ts';
import { SMS } from './sms/index.ts';
import { MASS_MAILING_SMS } from './mass_mailing_sms/index.ts';
import { SMS_TWILIO } from './sms_twilio/index.ts';
import { BASE_AUTOMATION } from './base_automation/index.ts';

export type { DataLoader } from './orm/addon.ts';

export const ADDONS: Addon[] = sortAddons([BASE, MAIL, UTM, LINK_TRACKER, PHONE_VALIDATION, MASS_MAILING, SMS, MASS_MAILING_SMS, SMS_TWILIO, BASE_AUTOMATION]);

/** Every model declaration, addon by addon (for registries built from specs, e.g. ORM tests). */
export const MODELS: ModelSpec[] = ADDONS.flatMap((a) => a.models);

/** The shipped groups and ACL rows of every addon. */
export const GROUPS: GroupData[] = ADDONS.flatMap((a) => a.security?.groups ?? []);
export const ACCESS: AccessData[] = ADDONS.flatMap((a) => a.security?.access ?? []);

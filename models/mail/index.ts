// Models of Odoo's `mail` addon that the product needs (minimal chatter), in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { MailMessageSubtype } from './mail_message_subtype.ts';
import { MailMessage } from './mail_message.ts';
import { MailTrackingValue } from './mail_tracking_value.ts';
import { MailThread } from './mail_thread.ts';
import { loadMailData } from './data.ts';

export const MAIL_MODELS: ModelSpec[] = [MailMessageSubtype, MailMessage, MailTrackingValue, MailThread];
export const MAIL_DATA: DataLoader[] = [loadMailData];

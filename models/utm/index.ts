// Models of Odoo's `utm` addon, in load order.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import { UtmMixin } from './utm_mixin.ts';
import { UtmSource, UtmSourceMixin } from './utm_source.ts';
import { UtmMedium } from './utm_medium.ts';
import { UtmCampaign, UtmStage, UtmTag } from './utm_campaign.ts';
import { loadUtmData } from './data.ts';

export const UTM_MODELS: ModelSpec[] = [UtmStage, UtmTag, UtmCampaign, UtmMedium, UtmSource, UtmMixin, UtmSourceMixin];
export const UTM_DATA: DataLoader[] = [loadUtmData];

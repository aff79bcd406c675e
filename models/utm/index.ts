// The `utm` addon: campaigns, media, sources and the mixins that track them.

import type { Addon } from '../orm/addon.ts';
import { UtmMixin } from './utm_mixin.ts';
import { UtmSource } from './utm_source.ts';
import { UtmSourceMixin } from './utm_source_mixin.ts';
import { UtmMedium } from './utm_medium.ts';
import { UtmStage } from './utm_stage.ts';
import { UtmTag } from './utm_tag.ts';
import { UtmCampaign } from './utm_campaign.ts';
import { loadUtmData } from './data.ts';
import { SECURITY } from './security.ts';

export const UTM: Addon = {
  name: 'utm',
  depends: ['base'],
  models: [UtmStage, UtmTag, UtmCampaign, UtmMedium, UtmSource, UtmMixin, UtmSourceMixin],
  data: [loadUtmData],
  security: SECURITY,
};

// The `link_tracker` addon: short links, their codes and clicks, and the triggers that tell every
// server instance to drop its cached redirects when one goes stale.

import type { Addon } from '../orm/addon.ts';
import type { Env } from '../orm/env.ts';
import { LinkTracker } from './link_tracker.ts';
import { LinkTrackerCode } from './link_tracker_code.ts';
import { LinkTrackerClick } from './link_tracker_click.ts';
import { UtmCampaignLinkTracker } from './utm_campaign.ts';
import { Q } from './queries.ts';
import { SECURITY } from './security.ts';

export const LINK_TRACKER: Addon = {
  name: 'link_tracker',
  depends: ['utm', 'mail'],
  models: [LinkTracker, LinkTrackerCode, LinkTrackerClick, UtmCampaignLinkTracker],
  data: [
    async (env: Env) => {
      for (const stmt of Q.invalidationTriggers()) await env.cr.execute(stmt);
    },
  ],
  security: SECURITY,
};

// Models of Odoo's `link_tracker` addon, in load order, and the redirect cache's triggers.

import type { ModelSpec } from '../orm/model.ts';
import type { DataLoader } from '../index.ts';
import type { Env } from '../orm/env.ts';
import { LinkTracker } from './link_tracker.ts';
import { LinkTrackerCode } from './link_tracker_code.ts';
import { LinkTrackerClick } from './link_tracker_click.ts';
import { UtmCampaignLinkTracker } from './utm_campaign.ts';
import { Q } from './queries.ts';

export const LINK_TRACKER_MODELS: ModelSpec[] = [LinkTracker, LinkTrackerCode, LinkTrackerClick, UtmCampaignLinkTracker];

export const LINK_TRACKER_DATA: DataLoader[] = [
  // Triggers telling every server instance to drop its cached redirects when one goes stale.
  async (env: Env) => {
    for (const stmt of Q.invalidationTriggers()) await env.cr.execute(stmt);
  },
];

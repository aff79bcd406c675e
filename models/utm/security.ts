// Security data of `utm` as Odoo 19 ships it: ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

const G = {
  user: 'base.group_user',
  system: 'base.group_system',
};

export const SECURITY: SecurityData = {
  access: [
    ['utm.access_utm_campaign_user', 'access_utm_campaign_user', 'utm.campaign', G.user, 'rwc'],
    ['utm.access_utm_campaign_system', 'utm.campaign.system', 'utm.campaign', G.system, 'rwcd'],
    ['utm.access_utm_medium_user', 'access_utm_medium_user', 'utm.medium', G.user, 'rwc'],
    ['utm.access_utm_medium_system', 'utm.medium.system', 'utm.medium', G.system, 'rwcd'],
    ['utm.access_utm_source_user', 'access_utm_source_user', 'utm.source', G.user, 'rwc'],
    ['utm.access_utm_source_system', 'utm.source.system', 'utm.source', G.system, 'rwcd'],
    ['utm.access_utm_stage_user', 'mail.utm.stage', 'utm.stage', G.user, 'r'],
    ['utm.access_utm_stage_system', 'mail.utm.stage', 'utm.stage', G.system, 'rwcd'],
    ['utm.access_utm_tag_user', 'utm.tag', 'utm.tag', G.user, 'r'],
    ['utm.access_utm_tag_system', 'utm.tag', 'utm.tag', G.system, 'rwcd'],
  ],
};

// Security data of `link_tracker` as Odoo 19 ships it: ACL rows (ir.model.access).

import type { SecurityData } from '../orm/addon.ts';

const G = {
  user: 'base.group_user',
  public: 'base.group_public',
};

export const SECURITY: SecurityData = {
  access: [
    ['link_tracker.access_link_tracker_user', 'link.tracker', 'link.tracker', G.user, 'r'],
    ['link_tracker.access_link_tracker_public', 'link.tracker', 'link.tracker', G.public, 'r'],
    ['link_tracker.access_link_tracker_code_user', 'link.tracker.code', 'link.tracker.code', G.user, 'r'],
    ['link_tracker.access_link_tracker_code_public', 'link.tracker.code', 'link.tracker.code', G.public, 'r'],
    ['link_tracker.access_link_tracker_click_user', 'link.tracker.click', 'link.tracker.click', G.user, 'r'],
    ['link_tracker.access_link_tracker_click_public', 'link.tracker.click', 'link.tracker.click', G.public, 'r'],
  ],
};

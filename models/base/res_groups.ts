// res.groups: user groups carrying access rights (ir.model.access lives in the security layer).

import type { ModelSpec } from '../orm/model.ts';

export const ResGroups: ModelSpec = {
  _name: 'res.groups',
  _description: 'Access Groups',
  _order: 'name',
  fields: {
    name: { type: 'char', string: 'Name', required: true, translate: true },
    full_name: { type: 'char', string: 'Group Name', related: 'name' },
    comment: { type: 'text', string: 'Comment', translate: true },
    sequence: { type: 'integer', string: 'Sequence' },
    share: { type: 'boolean', string: 'Share Group', help: 'Group created to set access rights for sharing data with some users.' },
    api_key_duration: { type: 'float', string: 'API Keys maximum duration days', help: 'Determines the maximum duration of an api key created by a user belonging to this group.' },
    user_ids: { type: 'many2many', comodel: 'res.users', relation: 'res_groups_users_rel', column1: 'gid', column2: 'uid', string: 'Users' },
    implied_ids: { type: 'many2many', comodel: 'res.groups', relation: 'res_groups_implied_rel', column1: 'gid', column2: 'hid', string: 'Inherits' },
  },
};

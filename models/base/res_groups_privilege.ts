// res.groups.privilege: gathers the groups of one functional area.

import type { ModelSpec } from '../orm/model.ts';

export const ResGroupsPrivilege: ModelSpec = {
  _name: 'res.groups.privilege',
  _description: 'Privileges',
  _order: 'sequence, name, id',
  fields: {
    name: { type: 'char', string: 'Name', required: true, translate: true },
    description: { type: 'text', string: 'Description' },
    placeholder: { type: 'char', string: 'Placeholder', help: 'Text that is displayed as placeholder in the selection field of the user form.' },
    sequence: { type: 'integer', string: 'Sequence', default: 100 },
    group_ids: { type: 'one2many', comodel: 'res.groups', inverseName: 'privilege_id', string: 'Groups' },
  },
};

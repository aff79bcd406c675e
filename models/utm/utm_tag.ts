// utm.tag: tags of UTM campaigns.

import type { ModelSpec } from '../orm/model.ts';

export const UtmTag: ModelSpec = {
  _name: 'utm.tag',
  _description: 'UTM Tag',
  _order: 'name',
  _sql_constraints: [['name_uniq', 'unique (name)', 'Tag name already exists!']],
  fields: {
    name: { type: 'char', string: 'Name', required: true, translate: true },
    color: { type: 'integer', string: 'Color Index', default: () => 1 + Math.floor(Math.random() * 11), help: 'Tag color. No color means no display in kanban to distinguish internal tags from public categorization tags.' },
  },
};

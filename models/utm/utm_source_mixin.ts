// utm.source.mixin: records that create their own utm.source, named after them.

import type { ModelSpec } from '../orm/model.ts';

export const UtmSourceMixin: ModelSpec = {
  _name: 'utm.source.mixin',
  _description: 'UTM Source Mixin',
  _abstract: true,
  fields: {
    name: { type: 'char', string: 'Name', related: 'source_id.name' },
    source_id: { type: 'many2one', comodel: 'utm.source', string: 'Source', required: true, ondelete: 'restrict', copy: false },
  },
};

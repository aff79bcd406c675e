// utm.stage: the stages of UTM campaigns.

import type { ModelSpec } from '../orm/model.ts';

export const UtmStage: ModelSpec = {
  _name: 'utm.stage',
  _description: 'Campaign Stage',
  _order: 'sequence',
  fields: {
    name: { type: 'char', string: 'Name', required: true, translate: true },
    sequence: { type: 'integer', string: 'Sequence', default: 1 },
  },
};

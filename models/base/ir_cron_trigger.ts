// ir.cron.trigger: a moment at which a cron must run (besides its own schedule).

import type { ModelSpec } from '../orm/model.ts';

export const IrCronTrigger: ModelSpec = {
  _name: 'ir.cron.trigger',
  _description: 'Triggered actions',
  _rec_name: 'cron_id',
  _order: 'call_at, id',
  _indexes: [['cron_call_at_idx', '(cron_id, call_at)']],
  fields: {
    cron_id: { type: 'many2one', comodel: 'ir.cron', string: 'Cron', required: true, ondelete: 'cascade', index: true },
    call_at: { type: 'datetime', string: 'Call At', required: true, index: true },
  },
};

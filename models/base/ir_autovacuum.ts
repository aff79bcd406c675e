// ir.autovacuum: the daily job that calls every model's garbage-collection methods.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';

/** Odoo's `ir.autovacuum`: the daily job calling every model's `_gc_*` methods. */
export const IrAutovacuum: ModelSpec = {
  _name: 'ir.autovacuum',
  _description: 'Automatic Vacuum',
  _abstract: true,
  methods: {
    _run_vacuum_cleaner: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet) => {
        for (const model of self.env.registry.models.values()) {
          if (model.abstract) continue;
          for (const name of model.methods.keys()) {
            if (name.startsWith('_gc_')) await self.env.model(model.name).sudo().call(name);
          }
        }
        return true;
      },
    },
  },
};

// ir.model in mass_mailing: which models a mailing may target (Odoo's `_mailing_enabled` models).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { PyValueError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';

/** Models that set `_mailing_enabled = True` in Odoo 19 (mass_mailing's contacts, lists and partners). */
export const MAILING_ENABLED_MODELS = ['mailing.contact', 'mailing.list', 'res.partner'];

export const IrModelMailing: ModelSpec = {
  _name: 'ir.model',
  _inherit: 'ir.model',
  fields: {
    is_mailing_enabled: {
      type: 'boolean', string: 'Mailing Enabled', compute: '_compute_is_mailing_enabled', search: '_search_is_mailing_enabled',
      help: 'Whether this model supports marketing mailing capabilities (notably email and SMS).',
    },
  },
  methods: {
    _compute_is_mailing_enabled: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; model: string }>(sql`SELECT id, model FROM ir_model WHERE id = ANY(${self.ids}::int4[])`);
        return new Map(rows.map((r) => [r.id, { is_mailing_enabled: MAILING_ENABLED_MODELS.includes(r.model) && self.env.registry.models.has(r.model) }]));
      },
    },
    _search_is_mailing_enabled: {
      api: 'model',
      private: true,
      fn: (_self: RecordSet, operator: string, value: unknown) => {
        if (operator !== '=' && operator !== '!=') {
          throw new PyValueError("Searching Mailing Enabled models supports only direct search using '='' or '!='.");
        }
        const positive = (operator === '=') === !!value;
        return [['model', positive ? 'in' : 'not in', MAILING_ENABLED_MODELS]];
      },
    },
  },
};

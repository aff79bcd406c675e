// ir.model in sms: which models with a chatter can be texted (a phone field or a partner to text).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import type { Registry } from '../orm/registry.ts';
import { sql } from '../orm/sql.ts';

/** Odoo's test: a mail.thread model with a phone number field or a partner field. */
function isMailThreadSms(registry: Registry, name: string): boolean {
  const model = registry.models.get(name);
  if (!model || model.abstract || !model.mixins.has('mail.thread')) return false;
  if (model.mixins.has('mail.thread.phone')) return true;
  const partner = model.fields.get('partner_id');
  return !!partner && partner.type === 'many2one' && partner.comodel === 'res.partner';
}

export const IrModelSms: ModelSpec = {
  _name: 'ir.model',
  _inherit: 'ir.model',
  fields: {
    is_mail_thread_sms: {
      type: 'boolean', string: 'Mail Thread SMS', default: false, compute: '_compute_is_mail_thread_sms', search: '_search_is_mail_thread_sms',
      depends: ['is_mail_thread'], help: 'Whether this model supports messages and notifications through SMS',
    },
  },
  methods: {
    _compute_is_mail_thread_sms: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; model: string }>(sql`SELECT id, model FROM ir_model WHERE id = ANY(${self.ids}::int4[])`);
        return new Map(rows.map((r) => [r.id, { is_mail_thread_sms: isMailThreadSms(self.env.registry, r.model) }]));
      },
    },
    _search_is_mail_thread_sms: {
      api: 'model',
      private: true,
      fn: (self: RecordSet, operator: string, value: unknown) => {
        const names = [...self.env.registry.models.keys()].filter((n) => isMailThreadSms(self.env.registry, n));
        const positive = (operator === '=' && !!value) || (operator === '!=' && !value);
        return [['model', positive ? 'in' : 'not in', names]];
      },
    },
  },
};

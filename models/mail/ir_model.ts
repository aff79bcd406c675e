// ir.model in mail: which models have a chatter, activities or a blacklist (reflected from the registry).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';

export const IrModelMail: ModelSpec = {
  _name: 'ir.model',
  _inherit: 'ir.model',
  fields: {
    is_mail_thread: { type: 'boolean', string: 'Has Mail Thread' },
    is_mail_activity: { type: 'boolean', string: 'Has Mail Activity' },
    is_mail_blacklist: { type: 'boolean', string: 'Has Mail Blacklist' },
  },
  methods: {
    _reflect_models: {
      api: 'model',
      private: true,
      async fn(self: RecordSet) {
        const res = await this.super();
        const models = [...self.env.registry.models.values()];
        const names = models.map((m) => m.name);
        const thread = models.map((m) => m.mixins.has('mail.thread'));
        const blacklist = models.map((m) => m.mixins.has('mail.thread.phone') || m.mixins.has('mail.thread.blacklist'));
        await self.env.cr.execute(sql`
          UPDATE ir_model SET is_mail_thread = v.th, is_mail_blacklist = v.bl
          FROM unnest(${names}::varchar[], ${thread}::bool[], ${blacklist}::bool[]) AS v(m, th, bl)
          WHERE ir_model.model = v.m AND (ir_model.is_mail_thread IS DISTINCT FROM v.th OR ir_model.is_mail_blacklist IS DISTINCT FROM v.bl)`);
        return res;
      },
    },
  },
};

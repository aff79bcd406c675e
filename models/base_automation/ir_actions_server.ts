// base_automation additions to ir.actions.server: the rule an action belongs to, the usage of
// such actions, and the warning when the action's model is not the rule's.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';

export const IrActionsServerAutomation: ModelSpec = {
  _name: 'ir.actions.server',
  _inherit: 'ir.actions.server',
  fields: {
    usage: { type: 'selection', selection: [['ir_actions_server', 'Server Action'], ['ir_cron', 'Scheduled Action'], ['base_automation', 'Automation Rule']] },
    base_automation_id: { type: 'many2one', comodel: 'base.automation', string: 'Automation Rule', index: true, ondelete: 'cascade' },
  },
  methods: {
    _compute_warning: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const out = (await this.super()) as Map<number, { warning: string | false }>;
        const rows = await self.sudo().fetch(['name', 'model_id', 'base_automation_id']);
        const ruleIds = [...new Set(rows.map((r) => r.base_automation_id as number).filter(Boolean))];
        const rules = new Map((await self.env.model('base.automation').sudo().withContext({ active_test: false }).browse(ruleIds).fetch(['name', 'model_id'])).map((r) => [r.id as number, r]));
        for (const r of rows) {
          const rule = rules.get(r.base_automation_id as number);
          if (!rule || rule.model_id === r.model_id) continue;
          const prev = out.get(r.id as number)?.warning;
          const line = `Model of action ${r.name} should match the one from automated rule ${rule.name}.`;
          out.set(r.id as number, { warning: prev ? `${prev}\n\n${line}` : line });
        }
        return out;
      },
    },
  },
};

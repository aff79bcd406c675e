// sms.template.reset: resets templates to the version of their source data file (template_fs).
// This product ships no SMS template files, so a template naming one cannot be reset (Odoo's
// error for a missing source) and the others are left as they are.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';

export const SmsTemplateReset: ModelSpec = {
  _name: 'sms.template.reset',
  _description: 'SMS Template Reset',
  _transient: true,
  fields: {
    template_ids: { type: 'many2many', comodel: 'sms.template', string: 'Template' },
  },
  methods: {
    reset_template: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const [wizard] = await self.fetch(['template_ids']);
        const ids = (wizard?.template_ids as number[]) ?? [];
        if (!ids.length) return false;
        await self.env.model('sms.template').browse(ids).call('reset_template');
        const params = self.env.context.params as Record<string, unknown> | undefined;
        const next = params?.view_type === 'list' ? { type: 'ir.actions.client', tag: 'reload' } : { type: 'ir.actions.act_window_close' };
        return { type: 'ir.actions.client', tag: 'display_notification', params: { type: 'success', message: 'SMS Templates have been reset', next } };
      },
    },
  },
};

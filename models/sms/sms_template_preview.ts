// sms.template.preview: a template rendered on a chosen record of its model (the record defaults
// to the first one), with the renderer the composer and mailings use.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { parseInlineTemplate } from '../tools/inline_template.ts';
import { renderSmsBodies } from '../mass_mailing_sms/render.ts';

/** `model,id` of a Reference value, or null when it does not name an existing model. */
function parseReference(value: unknown, registryHas: (m: string) => boolean): { model: string; id: number } | null {
  if (typeof value !== 'string') return null;
  const [model, id] = value.split(',');
  const n = Number(id);
  return model && registryHas(model) && Number.isInteger(n) && n > 0 ? { model, id: n } : null;
}

export const SmsTemplatePreview: ModelSpec = {
  _name: 'sms.template.preview',
  _description: 'SMS Template Preview',
  _transient: true,
  fields: {
    sms_template_id: { type: 'many2one', comodel: 'sms.template', string: 'Sms Template', required: true, ondelete: 'cascade' },
    lang: { type: 'selection', string: 'Template Preview Language', selection: [['en_US', 'English (US)']] },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Applies to', related: 'sms_template_id.model_id', readonly: true },
    body: { type: 'char', string: 'Body', compute: '_compute_sms_template_fields', depends: ['lang', 'resource_ref'] },
    resource_ref: { type: 'reference', string: 'Record reference', selection: [] },
    no_record: { type: 'boolean', string: 'No Record', compute: '_compute_no_record', depends: ['model_id'] },
  },
  methods: {
    default_get: {
      api: 'model',
      params: ['fields'],
      async fn(self: RecordSet, fields: unknown) {
        const res = (await this.super(fields)) as Vals;
        const templateId = self.env.context.default_sms_template_id;
        if (!templateId || !Array.isArray(fields) || !fields.includes('resource_ref')) return res;
        const [tpl] = await self.env.model('sms.template').browse([Number(templateId)]).fetch(['model']);
        if (tpl?.model && self.env.registry.has(String(tpl.model))) {
          const first = await self.env.model(String(tpl.model)).search([], { limit: 1 });
          if (first.ids.length) res.resource_ref = `${tpl.model},${first.ids[0]}`;
        }
        return res;
      },
    },
    _compute_no_record: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const r of await self.fetch(['sms_template_id'])) {
          const [tpl] = r.sms_template_id ? await self.env.model('sms.template').sudo().browse([r.sms_template_id as number]).fetch(['model']) : [];
          const model = tpl?.model ? String(tpl.model) : '';
          out.set(r.id as number, { no_record: model && self.env.registry.has(model) ? (await self.env.model(model).searchCount([])) === 0 : true });
        }
        return out;
      },
    },
    _compute_sms_template_fields: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const r of await self.fetch(['sms_template_id', 'resource_ref'])) {
          const [tpl] = r.sms_template_id ? await self.env.model('sms.template').sudo().browse([r.sms_template_id as number]).fetch(['model', 'body']) : [];
          const ref = parseReference(r.resource_ref, (m) => self.env.registry.has(m));
          if (tpl && ref && ref.model === tpl.model) {
            // Read through the user's access rights: a preview shows only records the user may read.
            await self.env.model(ref.model).browse([ref.id]).read(['id']);
            out.set(r.id as number, { body: (await renderSmsBodies(self.env, ref.model, parseInlineTemplate(String(tpl.body)), [ref.id]))[0] });
          } else {
            out.set(r.id as number, { body: tpl?.body ?? false });
          }
        }
        return out;
      },
    },
  },
};

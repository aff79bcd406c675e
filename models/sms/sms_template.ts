// sms.template: a reusable SMS body for one model, with `{{ object.field }}` placeholders
// (inline_template syntax) checked against the model's fields when saved.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Registry } from '../orm/registry.ts';
import { UserError, ValidationError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { smsRecipientSpec } from '../mass_mailing_sms/recipients.ts';
import { parseInlineTemplate, templatePaths } from '../tools/inline_template.ts';

/**
 * UserError unless every `object.a.b` path of the template names fields of `modelName` (each
 * step but the last relational). Refuses the template at save time instead of sending blanks.
 */
export function checkTemplatePaths(registry: Registry, modelName: string | null | undefined, body: string | null | undefined, what = 'SMS body'): void {
  if (!body) return;
  const parts = parseInlineTemplate(body);
  if (!modelName || !registry.has(modelName)) return;
  for (const path of templatePaths(parts)) {
    let model = registry.get(modelName);
    for (let i = 0; i < path.length; i++) {
      const field = model.fields.get(path[i]);
      const shown = `object.${path.join('.')}`;
      if (!field) {
        throw new UserError(`The ${what} uses "{{ ${shown} }}" but "${path[i]}" is not a field of ${model.description} (${model.name}).`);
      }
      if (i < path.length - 1) {
        if (!field.isRelational || !field.comodel) {
          throw new UserError(`The ${what} uses "{{ ${shown} }}" but "${path[i]}" of ${model.description} (${model.name}) is not a relation.`);
        }
        model = registry.get(field.comodel);
      }
    }
  }
}

async function modelNames(self: RecordSet, modelIds: number[]): Promise<Map<number, string>> {
  const ids = [...new Set(modelIds.filter(Boolean))];
  const rows = ids.length ? await self.env.model('ir.model').sudo().browse(ids).fetch(['model']) : [];
  return new Map(rows.map((r) => [r.id as number, r.model as string]));
}

export const SmsTemplate: ModelSpec = {
  _name: 'sms.template',
  _description: 'SMS Templates',
  _constraints: [
    {
      fields: ['body', 'model_id'],
      check: async (records) => {
        const rows = await records.fetch(['body', 'model_id']);
        const names = await modelNames(records, rows.map((r) => r.model_id as number));
        for (const r of rows) checkTemplatePaths(records.env.registry, names.get(r.model_id as number), r.body as string, 'SMS template');
      },
    },
    {
      // Odoo offers only SMS-capable, non-transient models (the model_id domain); refused here.
      fields: ['model_id'],
      check: async (records) => {
        const rows = await records.fetch(['model_id']);
        const names = await modelNames(records, rows.map((r) => r.model_id as number));
        for (const r of rows) {
          const name = names.get(r.model_id as number);
          const model = name && records.env.registry.has(name) ? records.env.registry.get(name) : null;
          if (!model || model.transient || !(await smsRecipientSpec(records.env, name!))) {
            throw new ValidationError(`SMS templates can only apply to models whose records have a phone number (not ${model ? `${model.description} (${name})` : name ?? 'this model'}).`);
          }
        }
      },
    },
  ],
  fields: {
    name: { type: 'char', string: 'Name', translate: true },
    model_id: { type: 'many2one', comodel: 'ir.model', string: 'Applies to', required: true, ondelete: 'cascade', help: 'The type of document this template can be used with' },
    model: { type: 'char', string: 'Related Document Model', related: 'model_id.model', store: true, readonly: true, index: true },
    body: { type: 'char', string: 'Body', required: true, translate: true },
    lang: { type: 'char', string: 'Language', help: 'Optional translation language (ISO code) to select when sending out an email. If not set, the english version will be used. This should usually be a placeholder expression that provides the appropriate language, e.g. {{ object.partner_id.lang }}.' },
    template_fs: { type: 'char', string: 'Template Filename', copy: false },
    sidebar_action_id: { type: 'many2one', comodel: 'ir.actions.act_window', string: 'Sidebar action', readonly: true, copy: false, help: 'Sidebar action to make this template available on records of the related document model' },
    render_model: { type: 'char', string: 'Rendering Model', compute: '_compute_render_model', depends: ['model'] },
  },
  methods: {
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        // `model` is stored from model_id (the ORM fills stored related columns only from vals).
        const names = await modelNames(self, list.map((v) => v.model_id as number));
        for (const v of list) if (v.model_id) v.model = names.get(Number(v.model_id)) ?? false;
        return this.super(list);
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        const out = { ...vals };
        if ('model_id' in out) out.model = out.model_id ? (await modelNames(self, [Number(out.model_id)])).get(Number(out.model_id)) ?? false : false;
        return this.super(out);
      },
    },
    copy_data: {
      api: 'record',
      params: [['default', null]],
      async fn(self: RecordSet, defaults: Vals | null) {
        const list = (await this.super(defaults)) as Vals[];
        const rows = await self.fetch(['name']);
        list.forEach((v, i) => {
          if (!defaults || !('name' in defaults)) v.name = `${rows[i]?.name || ''} (copy)`;
        });
        return list;
      },
    },
    /** A "Send SMS (<name>)" window action on the composer, offered on records of the template's model. */
    action_create_sidebar_action: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        await self.checkAccess('write');
        const view = await self.env.cr.query<{ res_id: number }>(sql`SELECT res_id FROM ir_model_data WHERE module = 'sms' AND name = 'sms_composer_view_form' AND model = 'ir.ui.view'`);
        for (const t of await self.fetch(['name', 'model_id'])) {
          const action = await self.env.model('ir.actions.act_window').sudo().create({
            name: `Send SMS (${t.name || ''})`,
            type: 'ir.actions.act_window',
            res_model: 'sms.composer',
            // `guess`: the composer picks mass or comment mode from the number of records.
            context: `{'default_template_id' : ${t.id}, 'sms_composition_mode': 'guess', 'default_res_ids': active_ids, 'default_res_id': active_id}`,
            view_mode: 'form',
            view_id: view[0]?.res_id ?? false,
            target: 'new',
            binding_model_id: t.model_id,
          });
          await self.browse([t.id as number]).sudo().write({ sidebar_action_id: action.ids[0] });
        }
        return true;
      },
    },
    action_unlink_sidebar_action: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        await self.checkAccess('write');
        const ids = (await self.sudo().fetch(['sidebar_action_id'])).map((r) => r.sidebar_action_id as number).filter(Boolean);
        if (ids.length) await self.env.model('ir.actions.act_window').sudo().browse(ids).unlink();
        return true;
      },
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        // A template's sidebar action goes with it.
        const ids = (await self.sudo().fetch(['sidebar_action_id'])).map((r) => r.sidebar_action_id as number).filter(Boolean);
        if (ids.length) await self.env.model('ir.actions.act_window').sudo().browse(ids).unlink();
        return this.super();
      },
    },
    /** template.reset.mixin: back to the source file's version; no SMS template file is shipped. */
    reset_template: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['template_fs']);
        const missing = rows.filter((r) => r.template_fs);
        if (missing.length) {
          const names = await self.browse(missing.map((r) => r.id as number)).displayNames();
          throw new UserError(`The following email templates could not be reset because their related source files could not be found:\n- ${[...names.values()].join('\n- ')}`);
        }
        return true;
      },
    },
    _compute_render_model: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => new Map((await self.fetch(['model'])).map((r) => [r.id as number, { render_model: r.model || false }])),
    },
  },
};

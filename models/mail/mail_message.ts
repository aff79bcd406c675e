// mail.message: the chatter of a record (model + res_id): posted notes and comments, creation
// logs and tracking messages (with their mail.tracking.value lines). Minimal: no mail sending,
// no followers, no notifications, no attachments.

import type { AccessFilter, ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import type { Env } from '../orm/env.ts';
import { AccessError } from '../orm/exceptions.ts';
import { ident, join, sql, type SQL } from '../orm/sql.ts';
import { checkModelAccess, isSystem, userHasGroup } from '../base/ir_model_access.ts';

type Operation = 'read' | 'write' | 'create' | 'unlink';

/** Partner of the env's user, cached for the transaction. */
async function userPartnerId(env: Env): Promise<number | null> {
  const key = `mail.message:partner:${env.uid}`;
  if (!env.cache.has(key)) {
    const rows = await env.cr.query<{ partner_id: number | null }>(sql`SELECT partner_id FROM res_users WHERE id = ${env.uid}`);
    env.cache.set(key, rows[0]?.partner_id ?? null);
  }
  return env.cache.get(key) as number | null;
}

/**
 * Messages whose document the user may access: the document exists and the user's ACLs allow
 * `docOperation` on its model (Odoo's `_find_allowed_doc_ids`; user notifications excluded).
 */
async function documentCondition(env: Env, docOperation: Operation, a: string): Promise<SQL> {
  const parts: SQL[] = [];
  for (const model of env.registry.models.values()) {
    if (model.abstract || model.name === 'mail.message' || !model.columns.length) continue;
    if (!(await checkModelAccess(env, model.name, docOperation, false))) continue;
    parts.push(sql`(${ident(a, 'model')} = ${model.name} AND EXISTS (SELECT 1 FROM ${ident(model.table)} d WHERE d.id = ${ident(a, 'res_id')}))`);
  }
  if (!parts.length) return sql`FALSE`;
  return sql`(${ident(a, 'message_type')} <> 'user_notification' AND (${join(parts, ' OR ')}))`;
}

/**
 * Odoo 19's access rules of mail.message (`_filter_accessible_from_query`): read = author,
 * creator or readable document; write = author or writable document; unlink = writable
 * document; create = private message or document open to posting (write). Users who are not
 * employees never see internal messages (SHARE_DOMAIN).
 */
export const MAIL_MESSAGE_ACCESS: AccessFilter = {
  async condition(env, operation, a) {
    const pid = await userPartnerId(env);
    const author = pid ? sql`${ident(a, 'author_id')} = ${pid}` : sql`FALSE`;
    let cond: SQL;
    switch (operation) {
      case 'read':
        cond = sql`(${author} OR ${ident(a, 'create_uid')} = ${env.uid} OR ${await documentCondition(env, 'read', a)})`;
        break;
      case 'write':
        cond = sql`(${author} OR ${await documentCondition(env, 'write', a)})`;
        break;
      case 'unlink':
        cond = await documentCondition(env, 'write', a);
        break;
      case 'create':
        cond = sql`(${ident(a, 'model')} IS NULL OR ${ident(a, 'res_id')} IS NULL OR ${ident(a, 'res_id')} = 0
          OR ${ident(a, 'message_type')} = 'user_notification' OR ${await documentCondition(env, 'write', a)})`;
        break;
    }
    if (await userHasGroup(env, 'base.group_user')) return cond;
    return sql`(${cond} AND ${ident(a, 'is_internal')} IS NOT TRUE AND ${ident(a, 'message_type')} <> 'tracking'
      AND NOT EXISTS (SELECT 1 FROM mail_message_subtype st WHERE st.id = ${ident(a, 'subtype_id')} AND st.internal))`;
  },
  error(records, operation) {
    const ids = records.ids.slice(0, 6);
    return new AccessError(
      'The requested operation cannot be completed due to security restrictions. Please contact your system administrator.\n\n' +
        `(Document type: ${records.model.description}, Operation: ${operation})\n\n` +
        `Records: [${ids.join(', ')}], User: ${records.env.uid}`,
    );
  },
};

export const MESSAGE_TYPES: [string, string][] = [
  ['email', 'Email'],
  ['comment', 'Comment'],
  ['email_outgoing', 'Outgoing Email'],
  ['notification', 'System notification'],
  ['auto_comment', 'Automated Targeted Notification'],
  ['user_notification', 'User Specific Notification'],
];

export const MailMessage: ModelSpec = {
  _name: 'mail.message',
  _description: 'Message',
  _order: 'id desc',
  _rec_name: 'record_name',
  _indexes: [['model_res_id_idx', '(model, res_id)']],
  _access_filter: MAIL_MESSAGE_ACCESS,
  fields: {
    subject: { type: 'char', string: 'Subject' },
    date: { type: 'datetime', string: 'Date', default: () => new Date() },
    body: { type: 'html', string: 'Contents', default: '' },
    model: { type: 'char', string: 'Related Document Model' },
    res_id: { type: 'many2one_reference', string: 'Related Document ID' },
    record_name: { type: 'char', string: 'Message Record Name', compute: '_compute_record_name', help: 'Name get of the related document.' },
    message_type: {
      type: 'selection', string: 'Type', required: true, default: 'comment', selection: MESSAGE_TYPES,
      help: 'Used to categorize message generator\n\'email\': generated by an incoming email e.g. mailgateway\n\'comment\': generated by user input e.g. through discuss or composer\n\'email_outgoing\': generated by a mailing\n\'notification\': generated by system e.g. tracking messages\n\'auto_comment\': generated by automated notification mechanism e.g. acknowledgment\n\'user_notification\': generated for a specific recipient',
    },
    subtype_id: { type: 'many2one', comodel: 'mail.message.subtype', string: 'Subtype', ondelete: 'set null', index: true },
    is_internal: { type: 'boolean', string: 'Employee Only', help: 'Hide to public / portal users, independently from subtype configuration.' },
    author_id: { type: 'many2one', comodel: 'res.partner', string: 'Author', ondelete: 'set null', index: true, help: 'Author of the message. If not set, email_from may hold an email address that did not match any partner.' },
    email_from: { type: 'char', string: 'From', help: 'Email address of the sender. This field is set when no matching partner is found and replaces the author_id field in the chatter.' },
    parent_id: { type: 'many2one', comodel: 'mail.message', string: 'Parent Message', ondelete: 'set null', index: 'btree_not_null', help: 'Initial thread message.' },
    tracking_value_ids: { type: 'one2many', comodel: 'mail.tracking.value', inverseName: 'mail_message_id', string: 'Tracking values', groups: 'base.group_system' },
  },
  methods: {
    // Odoo: moving a message to another document is for administrators only.
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        if (vals && typeof vals === 'object' && ('model' in vals || 'res_id' in vals) && !(await isSystem(self.env))) {
          throw new AccessError("Only administrators can modify 'model' and 'res_id' fields.");
        }
        return this.super(vals);
      },
    },
    // Name of the related document, one display-name batch per model.
    _compute_record_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['model', 'res_id']);
        const byModel = new Map<string, number[]>();
        for (const r of rows) {
          if (!r.model || !r.res_id || !self.env.registry.has(r.model as string)) continue;
          const list = byModel.get(r.model as string) ?? [];
          list.push(r.res_id as number);
          byModel.set(r.model as string, list);
        }
        const names = new Map<string, Map<number, string>>();
        for (const [model, ids] of byModel) {
          if (self.env.registry.get(model).abstract) continue;
          names.set(model, await self.env.model(model).sudo().withContext({ active_test: false }).browse([...new Set(ids)]).displayNames());
        }
        const out = new Map<number, Vals>();
        for (const r of rows) {
          const name = names.get(r.model as string)?.get(r.res_id as number);
          out.set(r.id as number, { record_name: name || false });
        }
        return out;
      },
    },
  },
};

// mailing.sms.test ("Test SMS Mailing"): send the mailing's body, rendered on the first record of
// its recipients' model, to a few numbers typed by the user.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { UserError } from '../orm/exceptions.ts';
import { parseInlineTemplate } from '../tools/inline_template.ts';
import { phoneSanitize } from '../tools/phone.ts';
import { renderSmsBodies } from './render.ts';
import { checkTemplatePaths } from '../sms/sms_template.ts';
import { dispatchAfterCommit } from './dispatch.ts';
import { userPhoneCountry } from '../phone_validation/default_country.ts';

/** Numbers of the user's previous test, else the user's own sanitised phone, else "". */
async function defaultNumbers(env: Env): Promise<string> {
  const prev = await env.cr.query<{ numbers: string }>(sql`SELECT numbers FROM mailing_sms_test WHERE create_uid = ${env.uid} ORDER BY create_date DESC, id DESC LIMIT 1`);
  if (prev.length && prev[0].numbers) return prev[0].numbers;
  const hasSanitized = !!env.registry.get('res.partner').fields.get('phone_sanitized')?.columnType;
  if (!hasSanitized) return '';
  const rows = await env.cr.query<{ n: string | null }>(sql`SELECT p.phone_sanitized AS n FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = ${env.uid}`);
  return rows[0]?.n ?? '';
}

// Python's str.splitlines() boundaries: the wizard takes one number per line.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** One number per line, trimmed; blank lines are skipped (Odoo lists them as empty invalid numbers). */
export function splitTestNumbers(text: string): string[] {
  return text.split(LINE_BREAK).map((n) => n.trim()).filter(Boolean);
}

export const MailingSmsTest: ModelSpec = {
  _name: 'mailing.sms.test',
  _description: 'Test SMS Mailing',
  _transient: true,
  fields: {
    numbers: { type: 'text', string: 'Number(s)', required: true, default: defaultNumbers, help: 'Carriage-return-separated list of phone numbers' },
    mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mailing', required: true, ondelete: 'cascade' },
  },
  methods: {
    action_send_sms: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        self.ensureOne();
        const env = self.env;
        const [wizard] = await self.fetch(['numbers', 'mailing_id']);
        const mailing = env.model('mailing.mailing').browse([wizard.mailing_id as number]);
        const [m] = await mailing.fetch(['mailing_model_real', 'body_plaintext']);
        const numbers = splitTestNumbers((wizard.numbers as string) || '');
        // Numbers are read in the user's country (their contact's), as res.users._phone_format.
        const country = (await userPhoneCountry(env)) ?? null;
        const results = numbers.map((number) => ({ number, sanitized: phoneSanitize(number, country) }));
        const invalid = results.filter((r) => !r.sanitized).map((r) => r.number);
        // One test SMS per valid line, a number given twice included (as Odoo does).
        const valid = results.filter((r) => r.sanitized).map((r) => r.sanitized as string);

        let body = (m.body_plaintext as string) || '';
        const model = m.mailing_model_real as string;
        if (model && env.registry.has(model)) {
          const [first] = (await env.model(model).search([], { limit: 1 })).ids;
          if (first) {
            try {
              checkTemplatePaths(env.registry, model, body);
              [body] = await renderSmsBodies(env, model, parseInlineTemplate(body), [first]);
            } catch (err) {
              if (err instanceof UserError) throw new UserError(`Failed to render inline_template template: ${body}\n${err.message}`);
              throw err;
            }
          }
        }
        let created: number[] = [];
        if (valid.length) {
          created = (await env.model('sms.sms').sudo().create(valid.map((number) => ({ body, number, state: 'outgoing' })))).ids;
          // Odoo sends test SMS at once: hand them to the engine when this transaction commits.
          dispatchAfterCommit(env, created);
        }
        const lines: string[] = [];
        if (invalid.length) lines.push(`The following numbers are not correctly encoded: ${invalid.join(', ')}`);
        for (const n of valid) lines.push(`Test SMS queued for sending to ${n}`);
        // One internal note on the mailing, one line per number (Odoo's _message_log).
        if (lines.length && mailing.model.methods.has('_message_log')) {
          await mailing.call('_message_log', `<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`);
        }
        return true;
      },
    },
  },
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}


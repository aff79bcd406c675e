// mailing.mailing in mass_mailing_sms: the SMS fields (body, template, opt-out link, encoding)
// and SMS sending, quiet hours (ours). Recipients, classification and trace creation run set-based (prepare.ts).

import { shortenLinksText } from '../link_tracker/shorten.ts';
import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql, ident } from '../orm/sql.ts';
import { PyValueError, UserError } from '../orm/exceptions.ts';
import { smsEncodingInfo } from '../tools/sms_encoding.ts';
import { stopSmsPlaceholder, webBaseUrl } from './unsubscribe.ts';
import { parseInlineTemplate } from '../tools/inline_template.ts';
import { checkTemplatePaths } from '../sms/sms_template.ts';
import { utmMediumRef } from '../utm/utm_medium.ts';
import { prepareSmsMailing, remainingRecipientsQuery } from './prepare.ts';
import { renderSmsBodies } from './render.ts';
import { requireSmsRecipientSpec } from './recipients.ts';
import { dispatchAfterCommit, wakeSmsQueue } from './dispatch.ts';
import { finishIdleMailings } from './sms_tracker.ts';
import { holdMailingSms, mailingQuietWindow } from './quiet_hours.ts';
import { quietHoursWaiting } from './queries.ts';
import { failureTypesByMailing } from '../mass_mailing/queries.ts';
import { checkWindowHours } from './res_company.ts';
import { irModelId, nowStr } from '../mass_mailing/mailing_mailing.ts';
import { abTestingRecipientCondition } from '../mass_mailing/ab_testing.ts';
import { parseMailingDomain } from '../tools/py_literal.ts';

/** Queued SMS wait for their recipients' window (quiet hours), then the queue is woken. */
async function holdAndWake(mailing: RecordSet): Promise<void> {
  const window = await mailingQuietWindow(mailing);
  if (window) await holdMailingSms(mailing.env, mailing.ids[0], window, new Date());
  await wakeSmsQueue(mailing.env);
}

/** Encoding/cost preview of an SMS body as carriers bill it (see sms_body_info). */
export function smsBodyInfo(body: string | null | undefined | false) {
  return smsEncodingInfo(body || '');
}

export const MailingMailingSms: ModelSpec = {
  _name: 'mailing.mailing',
  _inherit: 'mailing.mailing',
  _constraints: [
    {
      fields: ['sms_quiet_hours_start', 'sms_quiet_hours_end'],
      check: async (records) => checkWindowHours(await records.fetch(['sms_quiet_hours_start', 'sms_quiet_hours_end'])),
    },
    {
      // Placeholders must name fields of the recipients' model: refused when saved, not sent blank.
      fields: ['body_plaintext', 'mailing_model_id', 'mailing_type'],
      check: async (records) => {
        const rows = await records.fetch(['body_plaintext', 'mailing_model_real']);
        for (const r of rows) checkTemplatePaths(records.env.registry, r.mailing_model_real as string, r.body_plaintext as string, 'SMS body');
      },
    },
  ],
  fields: {
    mailing_type: { type: 'selection', selection: [['mail', 'Email'], ['sms', 'SMS']] },
    ab_testing_mailings_sms_count: { type: 'integer', string: 'A/B Test Mailings SMS #', related: 'campaign_id.ab_testing_mailings_sms_count', readonly: true },
    ab_testing_sms_winner_selection: { type: 'selection', string: 'SMS Winner Selection', related: 'campaign_id.ab_testing_sms_winner_selection', readonly: false, selection: [['manual', 'Manual'], ['clicks_ratio', 'Highest Click Rate']] },
    sms_subject: { type: 'char', string: 'Title', related: 'subject', readonly: false, help: 'For an email, the subject your recipients will see in their inbox.\nFor an SMS, the internal title of the message.' },
    body_plaintext: { type: 'text', string: 'SMS Body', compute: '_compute_body_plaintext', store: true, readonly: false, depends: ['sms_template_id', 'mailing_type'] },
    sms_template_id: { type: 'many2one', comodel: 'sms.template', string: 'SMS Template', ondelete: 'set null' },
    sms_has_insufficient_credit: { type: 'boolean', string: 'Insufficient IAP credits', compute: '_compute_sms_has_iap_failure', depends: ['mailing_trace_ids.failure_type'], help: 'UX Field to propose to buy IAP credits' },
    sms_has_unregistered_account: { type: 'boolean', string: 'Unregistered IAP account', compute: '_compute_sms_has_iap_failure', depends: ['mailing_trace_ids.failure_type'], help: 'UX Field to propose to Register the SMS IAP account' },
    sms_force_send: { type: 'boolean', string: 'Send Directly', help: 'Immediately send the SMS Mailing instead of queuing up. Use at your own risk.' },
    sms_allow_unsubscribe: { type: 'boolean', string: 'Include opt-out link', default: false },
    // Ours (not in Odoo): length of body_plaintext as carriers bill it. Odoo's widget counter
    // treats GSM extension characters (€ [ ] { } ^ ~ \ |) as switching the text to Unicode; carriers
    // send them in GSM-7 as 2 septets each, which is what these fields report.
    sms_encoding: { type: 'selection', string: 'SMS Encoding', selection: [['GSM7', 'GSM-7'], ['UNICODE', 'Unicode (UCS-2)']], compute: '_compute_sms_encoding', depends: ['body_plaintext', 'sms_allow_unsubscribe'], help: 'Encoding carriers use for the SMS body: GSM-7 (160 characters per SMS, 153 when split) or Unicode (70, 67 when split).' },
    sms_character_count: { type: 'integer', string: 'SMS Characters', compute: '_compute_sms_encoding', depends: ['body_plaintext', 'sms_allow_unsubscribe'], help: 'Billed length of the SMS body: GSM-7 septets (extension characters count 2) or UTF-16 units, the opt-out line included when the mailing has one. Placeholders are counted as written.' },
    sms_segment_count: { type: 'integer', string: 'SMS Parts', compute: '_compute_sms_encoding', depends: ['body_plaintext', 'sms_allow_unsubscribe'], help: 'Number of SMS segments each recipient is billed for (before placeholders are rendered).' },
    // Ours (not in Odoo): quiet hours, the company's window or this mailing's own, and the SMS it holds.
    sms_quiet_hours: { type: 'selection', string: 'Quiet Hours', selection: [['company', 'Company Default'], ['custom', 'Custom Window'], ['off', 'Off']], default: 'company', help: "Whether the SMS wait for the sending window of their recipient's local time: the company's setting, this mailing's own window, or never." },
    sms_quiet_hours_start: { type: 'float', string: 'Window Start', default: 8, help: 'Custom window: local time from which the SMS may be received (hours, 8.5 = 08:30).' },
    sms_quiet_hours_end: { type: 'float', string: 'Window End', default: 21, help: 'Custom window: local time from which the SMS wait for the next day.' },
    sms_quiet_waiting_count: { type: 'integer', string: 'SMS Waiting for Their Window', compute: '_compute_sms_quiet_waiting' },
    sms_quiet_waiting_until: { type: 'datetime', string: 'Waiting Until', compute: '_compute_sms_quiet_waiting', help: 'When the last SMS waiting for its window may go.' },
  },
  methods: {
    default_get: {
      api: 'model',
      params: ['fields'],
      async fn(self: RecordSet, fields: string[]) {
        const res = (await this.super(fields)) as Vals;
        if (Array.isArray(fields) && fields.includes('keep_archives') && res.mailing_type === 'sms') res.keep_archives = true;
        return res;
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        const ctxType = self.env.context.default_mailing_type;
        for (const v of list) {
          // The SMS form edits `sms_subject`: it is the subject (and the source name) of SMS mailings.
          if ((v.mailing_type ?? ctxType) === 'sms' && v.sms_subject) v.subject = v.sms_subject;
        }
        return this.super(list);
      },
    },
    _get_ab_testing_winner_selection: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const res = (await this.super()) as Vals;
        const [r] = await self.ensureOne().fetch(['mailing_type', 'ab_testing_sms_winner_selection']);
        if (r.mailing_type !== 'sms') return res;
        // SMS mailings are judged on the campaign's SMS winner selection (manual or clicks).
        const selection = (self.model.fields.get('ab_testing_sms_winner_selection')!.spec.selection as [string, string][]) || [];
        return { value: r.ab_testing_sms_winner_selection, description: selection.find(([k]) => k === r.ab_testing_sms_winner_selection)?.[1] ?? false };
      },
    },
    _get_default_ab_testing_campaign_values: {
      api: 'record',
      private: true,
      async fn(self: RecordSet, values: Vals | null) {
        const res = (await this.super(values)) as Vals;
        const v = values || {};
        const [r] = self.length ? await self.fetch(['mailing_type', 'sms_subject', 'ab_testing_sms_winner_selection']) : [{} as Vals];
        if ((v.mailing_type ?? r.mailing_type ?? self.env.context.default_mailing_type) !== 'sms') return res;
        const subject = v.sms_subject || r.sms_subject;
        if (subject) res.name = `A/B Test: ${subject}`;
        // Odoo 19 leaves this empty when A/B is enabled by a write (spec §3.6); we give the default.
        res.ab_testing_sms_winner_selection = v.ab_testing_sms_winner_selection || r.ab_testing_sms_winner_selection || 'clicks_ratio';
        return res;
      },
    },
    _compute_medium_id: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['mailing_type', 'medium_id']);
        const email = await utmMediumRef(self.env, 'utm.utm_medium_email');
        const smsMedium = await utmMediumRef(self.env, 'mass_mailing_sms.utm_medium_sms');
        return new Map(rows.map((r) => {
          let medium = r.medium_id || false;
          if (r.mailing_type === 'sms' && (!medium || medium === email)) medium = smsMedium;
          else if (r.mailing_type === 'mail' && (!medium || medium === smsMedium)) medium = email;
          return [r.id as number, { medium_id: medium }];
        }));
      },
    },
    _compute_mailing_type_description: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const res = (await this.super()) as Map<number, Vals>;
        const rows = await self.fetch(['mailing_type']);
        for (const r of rows) if (r.mailing_type === 'sms') res.set(r.id as number, { mailing_type_description: 'SMS' });
        return res;
      },
    },
    _compute_body_plaintext: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['mailing_type', 'sms_template_id', 'body_plaintext']);
        const tplIds = [...new Set(rows.map((r) => r.sms_template_id).filter(Boolean) as number[])];
        const bodies = tplIds.length ? await self.env.model('sms.template').sudo().browse(tplIds).fetchValues(['body']) : new Map<number, Vals>();
        return new Map(rows.map((r) => [r.id as number, {
          body_plaintext: r.mailing_type === 'sms' && r.sms_template_id ? bodies.get(r.sms_template_id as number)?.body ?? r.body_plaintext ?? false : r.body_plaintext ?? false,
        }]));
      },
    },
    _compute_sms_has_iap_failure: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        // IAP failure types only ever end SMS traces: the per-day counts need no trace_type.
        const rows = self.ids.length ? await self.env.cr.query<{ id: number; reason: string }>(failureTypesByMailing(self.ids, ['sms_credit', 'sms_acc'])) : [];
        const has = (id: number, reason: string) => rows.some((r) => r.id === id && r.reason === reason);
        return new Map(self.ids.map((id) => [id, { sms_has_insufficient_credit: has(id, 'sms_credit'), sms_has_unregistered_account: has(id, 'sms_acc') }]));
      },
    },
    _compute_sms_quiet_waiting: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = self.ids.length ? await self.env.cr.query<{ mailing_id: number; n: number; until: string }>(quietHoursWaiting(self.ids)) : [];
        const by = new Map(rows.map((r) => [r.mailing_id, r]));
        return new Map(self.ids.map((id) => [id, { sms_quiet_waiting_count: by.get(id)?.n ?? 0, sms_quiet_waiting_until: by.get(id)?.until ?? false }]));
      },
    },
    _compute_sms_encoding: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['body_plaintext', 'sms_allow_unsubscribe']);
        const base = rows.some((r) => r.sms_allow_unsubscribe) ? await webBaseUrl(self.env) : '';
        return new Map(rows.map((r) => {
          // Opt-out mailings are billed for the STOP line too (its code counted as 3 characters).
          const stop = r.sms_allow_unsubscribe ? stopSmsPlaceholder(base, r.id as number) : '';
          const info = smsBodyInfo(((r.body_plaintext as string) || '') + stop);
          return [r.id as number, { sms_encoding: info.encoding, sms_character_count: info.characters, sms_segment_count: info.segments }];
        }));
      },
    },
    // ------------------------------------------------------------------ actions
    action_retry_failed: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const rows = await self.fetch(['mailing_type']);
        const sms = rows.filter((r) => r.mailing_type === 'sms').map((r) => r.id as number);
        if (sms.length) await self.browse(sms).call('action_retry_failed_sms');
        if (sms.length < rows.length) throw new UserError('Retrying failed emails is not supported: this server sends SMS mailings only.');
        return null;
      },
    },
    action_retry_failed_sms: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        // Failed SMS and their traces are deleted in two statements (could be a whole list after a
        // credit outage); their recipients become "remaining" again.
        await self.env.cr.execute(sql`DELETE FROM mailing_trace WHERE sms_id_int IN (SELECT id FROM sms_sms WHERE mailing_id = ANY(${self.ids}::int4[]) AND state = 'error')`);
        await self.env.cr.execute(sql`DELETE FROM sms_sms WHERE mailing_id = ANY(${self.ids}::int4[]) AND state = 'error'`);
        return self.call('action_put_in_queue');
      },
    },
    action_test: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        self.ensureOne();
        const [r] = await self.fetch(['mailing_type']);
        if (r.mailing_type === 'sms') {
          return { name: 'Test Mailing', type: 'ir.actions.act_window', view_mode: 'form', res_model: 'mailing.sms.test', target: 'new', context: { ...self.env.context, default_mailing_id: self.ids[0], dialog_size: 'medium' } };
        }
        return { name: 'Test Mailing', type: 'ir.actions.act_window', view_mode: 'form', res_model: 'mailing.mailing.test', target: 'new', context: { ...self.env.context, default_mass_mailing_id: self.ids[0], dialog_size: 'medium' } };
      },
    },
    action_send_mail: {
      api: 'record',
      params: [['res_ids', null]],
      fn: async (self: RecordSet, resIds: number[] | null) => {
        const rows = await self.fetch(['mailing_type']);
        const sms = rows.filter((r) => r.mailing_type === 'sms').map((r) => r.id as number);
        if (sms.length < rows.length) throw new UserError('Sending emails is not supported: this server sends SMS mailings only.');
        return self.browse(sms).call('action_send_sms', resIds);
      },
    },
    action_send_sms: {
      api: 'record',
      params: [['res_ids', null]],
      fn: async (self: RecordSet, resIds: number[] | null) => {
        const nothingSent: number[] = [];
        for (const mailing of self) {
          const [m] = await mailing.fetch(['sms_force_send']);
          const result = await prepareSmsMailing(mailing, { resIds: resIds && resIds.length ? resIds : null, collectSmsIds: !!m.sms_force_send });
          if (m.sms_force_send && result.smsIds.length) dispatchAfterCommit(self.env, result.smsIds);
          else if (result.sent) await holdAndWake(mailing);
          if (!result.sent) nothingSent.push(mailing.ids[0]);
        }
        // A sending mailing whose recipients were all cancelled has nothing left to wait for.
        await finishIdleMailings(self.env, nothingSent, ['sending']);
        return true;
      },
    },
    convert_links: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        // SMS bodies with their links shortened (trackers with the mailing's UTMs); email bodies as they are.
        const rows = await self.fetch(['mailing_type', 'body_plaintext', 'body_html']);
        const out: Record<number, string | false> = {};
        for (const r of rows) {
          if (r.mailing_type !== 'sms') out[r.id as number] = (r.body_html as string) || '';
          else {
            const vals = await self.browse([r.id as number]).call<Vals>('_get_link_tracker_values');
            out[r.id as number] = await shortenLinksText(self.env, (r.body_plaintext as string) || false, vals);
          }
        }
        return out;
      },
    },
    _get_link_tracker_values: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [r] = await self.ensureOne().fetch(['campaign_id', 'source_id', 'medium_id']);
        return { mass_mailing_id: r.id, campaign_id: r.campaign_id || false, source_id: r.source_id || false, medium_id: r.medium_id || false };
      },
    },
    action_view_link_trackers: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => (await self.checkAccess('read'), {
        name: 'Link Statistics', type: 'ir.actions.act_window', res_model: 'link.tracker', view_mode: 'list,graph,form',
        domain: [['mass_mailing_id', '=', self.ensureOne().ids[0]]], context: { ...self.env.context, create: false },
      }),
    },
    get_sms_link_replacements_placeholders: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        await self.checkAccess('write');
        const base = ((await self.env.cr.query<{ value: string }>(sql`SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'`))[0]?.value || '').replace(/\/+$/, '');
        let codeLen = 3;
        if (self.env.registry.has('link.tracker.code')) {
          const rows = await self.env.cr.query<{ n: number }>(sql`SELECT length(code) AS n FROM link_tracker_code ORDER BY id DESC LIMIT 1`);
          if (rows.length) codeLen = rows[0].n + 1;
        }
        const maxSms = (await self.env.cr.query<{ m: number | null }>(sql`SELECT max(id) AS m FROM sms_sms`))[0].m ?? 0;
        let idLen: number;
        if (self.ids.length) idLen = String(self.ids[0]).length;
        else {
          const maxMailing = (await self.env.cr.query<{ m: number | null }>(sql`SELECT max(id) AS m FROM mailing_mailing`))[0].m;
          idLen = maxMailing ? String(maxMailing + 1).length : 1;
        }
        return {
          link: `${base}/r/${'x'.repeat(codeLen)}/s/${'x'.repeat(Math.max(String(maxSms).length, 5))}`,
          unsubscribe: `\nSTOP SMS: ${base}/sms/${'x'.repeat(idLen)}/xxx`,
        };
      },
    },
    /**
     * Ours: encoding and billed length of an SMS body before it is saved, as carriers count it
     * (GSM-7 extension characters are 2 septets; anything outside GSM-7 switches to UCS-2).
     * Returns {encoding: 'GSM7'|'UNICODE', characters, segments, remaining}.
     */
    sms_body_info: { api: 'model', params: [['body', '']], readonly: true, fn: async (_self: RecordSet, body: unknown) => smsBodyInfo(typeof body === 'string' ? body : '') },

    _get_remaining_recipients: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [r] = await self.ensureOne().fetch(['mailing_model_real', 'mailing_domain', 'campaign_id', 'ab_testing_enabled', 'ab_testing_pc', 'mailing_type']);
        const m = { id: self.ids[0], mailing_model_real: r.mailing_model_real as string, mailing_domain: r.mailing_domain as string };
        const ab = await abTestingRecipientCondition(self.env, { ...m, campaign_id: r.campaign_id as number | false, ab_testing_enabled: !!r.ab_testing_enabled, ab_testing_pc: r.ab_testing_pc as number, mailing_type: r.mailing_type as string }, m.mailing_model_real, parseMailingDomain(m.mailing_domain), 'q');
        const rows = await self.env.cr.query<{ id: number }>(remainingRecipientsQuery(self.env, m, ab));
        return rows.map((x) => x.id);
      },
    },
    _get_opt_out_list_sms: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [r] = await self.ensureOne().fetch(['mailing_model_name']);
        const name = r.mailing_model_name as string;
        if (name && self.env.registry.has(name) && self.env.registry.get(name).methods.has('_mailing_get_opt_out_list_sms')) {
          return self.env.model(name).call('_mailing_get_opt_out_list_sms', self);
        }
        return [];
      },
    },
    _get_seen_list_sms: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [r] = await self.ensureOne().fetch(['mailing_model_real']);
        const spec = await requireSmsRecipientSpec(self.env, r.mailing_model_real as string);
        const target = self.env.registry.get(r.mailing_model_real as string);
        const fields = spec.sanitizedField ? [spec.sanitizedField] : spec.numberFields;
        const rows = await self.env.cr.query<Record<string, unknown>>(sql`
          SELECT target.* FROM mailing_trace trace JOIN ${ident(target.table)} target ON trace.res_id = target.id
          WHERE trace.mass_mailing_id = ${self.ids[0]} AND trace.model = ${target.name}`);
        const ids = new Set<number>();
        const numbers = new Set<string>();
        for (const row of rows) {
          const vals = fields.map((f) => row[f]).filter(Boolean) as string[];
          if (!vals.length) continue;
          ids.add(row.id as number);
          vals.forEach((v) => numbers.add(v));
        }
        return [[...ids], [...numbers]];
      },
    },
    _send_sms_get_composer_values: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, resIds: number[]) => {
        const [r] = await self.ensureOne().fetch(['body_plaintext', 'sms_template_id', 'mailing_model_real', 'keep_archives', 'sms_force_send', 'sms_allow_unsubscribe', 'use_exclusion_list']);
        return {
          body: r.body_plaintext, template_id: r.sms_template_id || false, res_model: r.mailing_model_real, res_ids: `[${(resIds ?? []).join(', ')}]`,
          composition_mode: 'mass', mailing_id: self.ids[0], mass_keep_log: r.keep_archives, mass_force_send: r.sms_force_send,
          mass_sms_allow_unsubscribe: r.sms_allow_unsubscribe, use_exclusion_list: r.use_exclusion_list,
        };
      },
    },
    /**
     * Queue cron (`mass_mailing.ir_cron_mass_mailing_queue`): every due mailing in `in_queue` or
     * `sending` (schedule date passed or none) gets its remaining recipients prepared and becomes
     * `sending`; one with nobody left becomes `done`. Mailings another worker holds are skipped.
     */
    _process_mass_mailing_queue: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet) => {
        const env = self.env;
        const due = await env.cr.query<{ id: number; write_uid: number | null }>(sql`
          SELECT id, write_uid FROM mailing_mailing
          WHERE state IN ('in_queue', 'sending') AND active AND (schedule_date IS NULL OR schedule_date < (now() AT TIME ZONE 'UTC'))
          ORDER BY id FOR UPDATE SKIP LOCKED`);
        for (const row of due) {
          const user = row.write_uid && (await env.cr.query(sql`SELECT 1 FROM res_users WHERE id = ${row.write_uid} AND active`)).length ? row.write_uid : env.uid;
          const mailing = env.model('mailing.mailing').withEnv(env.withUser(user).sudo(env.su)).browse([row.id]);
          const [m] = await mailing.fetch(['mailing_type', 'sms_force_send', 'sent_date', 'state']);
          if (m.mailing_type !== 'sms') continue;
          const result = await prepareSmsMailing(mailing, { collectSmsIds: !!m.sms_force_send });
          if (result.recipients > 0) {
            if (m.state !== 'sending') await mailing.write({ state: 'sending' });
            if (m.sms_force_send && result.smsIds.length) dispatchAfterCommit(env, result.smsIds);
            else if (result.sent) await holdAndWake(mailing);
            else await finishIdleMailings(env, [row.id], ['sending']);
          } else {
            await mailing.write({ state: 'done', sent_date: nowStr(), kpi_mail_required: !m.sent_date });
          }
        }
        return true;
      },
    },
  },
};

export { parseInlineTemplate, renderSmsBodies, PyValueError };

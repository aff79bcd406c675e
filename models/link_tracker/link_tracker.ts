// link.tracker: a short URL `<base>/r/<code>` standing for a target URL with its UTMs; the
// redirect route sends visitors to `redirected_url` and counts their clicks.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { sql } from '../orm/sql.ts';
import { PyValueError, UserError } from '../orm/exceptions.ts';
import { getParam } from '../base/ir_config_parameter.ts';
import { pyRepr, redirectedUrl, validateUrl } from '../tools/link_url.ts';
import { Q } from './queries.ts';

/** `web.base.url` without a trailing slash. */
export async function baseUrl(env: Env): Promise<string> {
  return ((await getParam(env, 'web.base.url')) || '').replace(/\/+$/, '');
}

/** The settings redirected_url depends on besides the tracker itself. */
export async function redirectSettings(env: Env): Promise<{ baseUrl: string; noExternalTracking: boolean }> {
  return { baseUrl: await baseUrl(env), noExternalTracking: !!(await getParam(env, 'link_tracker.no_external_tracking')) };
}

/** Odoo's checks and normalisation of a url given to create / search_or_create. */
export function checkedUrl(vals: Vals): string {
  if (!('url' in vals)) throw new PyValueError('Creating a Link Tracker without URL is not possible');
  const url = vals.url;
  if (typeof url !== 'string') return url as string;
  if (url.startsWith('?') || url.startsWith('#')) throw new UserError(`“${url}” is not a valid link, links cannot redirect to the current page.`);
  return validateUrl(url);
}

const m2o = (v: unknown): number | null => (Array.isArray(v) ? Number(v[0]) || null : Number(v) || null);

export const LinkTracker: ModelSpec = {
  _name: 'link.tracker',
  _description: 'Link Tracker',
  _rec_name: 'short_url',
  _order: 'count DESC',
  _inherit: ['utm.mixin'],
  // Uniqueness check and search_or_create look trackers up by URL (hash: URLs may be long).
  _indexes: [['url_hash_idx', 'USING hash (url)']],
  _constraints: [
    {
      fields: ['url', 'campaign_id', 'medium_id', 'source_id', 'label'],
      check: async (records) => {
        // Python-side uniqueness in Odoo (a SQL UNIQUE would let NULL UTMs repeat); empty label = no label.
        const rows = await records.env.cr.query<{ url: string; campaign: string | null; medium: string | null; source: string | null; label: string | null }>(Q.duplicateTrackers(records.ids));
        if (!rows.length) return;
        const shown = (v: string | null) => (v ? pyRepr(v) : 'False');
        const lines = rows.map((r) => `- (${pyRepr(r.url)}, ${shown(r.campaign)}, ${shown(r.medium)}, ${shown(r.source)}, ${pyRepr(r.label || '""')})`);
        throw new UserError(`Combinations of Link Tracker values (URL, campaign, medium, source, and label) must be unique.\nThe following combinations are already used: \n${lines.join('\n')}`);
      },
    },
  ],
  fields: {
    url: { type: 'char', string: 'Target URL', required: true },
    absolute_url: { type: 'char', string: 'Absolute URL', compute: '_compute_absolute_url', depends: ['url'] },
    short_url: { type: 'char', string: 'Tracked URL', compute: '_compute_short_url', depends: ['code'] },
    redirected_url: { type: 'char', string: 'Redirected URL', compute: '_compute_redirected_url', depends: ['url'] },
    short_url_host: { type: 'char', string: 'Host of the short URL', compute: '_compute_short_url_host' },
    title: { type: 'char', string: 'Page Title' },
    label: { type: 'char', string: 'Button label' },
    link_code_ids: { type: 'one2many', comodel: 'link.tracker.code', inverseName: 'link_id', string: 'Codes' },
    code: { type: 'char', string: 'Short URL code', compute: '_compute_code', inverse: '_inverse_code' },
    link_click_ids: { type: 'one2many', comodel: 'link.tracker.click', inverseName: 'link_id', string: 'Clicks' },
    count: { type: 'integer', string: 'Number of Clicks', compute: '_compute_count', store: true, depends: ['link_click_ids.link_id'] },
    // UTMs of the mixin, emptied (not blocked) when the UTM record is deleted.
    campaign_id: { type: 'many2one', comodel: 'utm.campaign', string: 'Campaign', ondelete: 'set null', index: 'btree_not_null', help: 'This is a name that helps you keep track of your different campaign efforts, e.g. Fall_Drive, Christmas_Special' },
    source_id: { type: 'many2one', comodel: 'utm.source', string: 'Source', ondelete: 'set null', index: 'btree_not_null', help: 'This is the source of the link, e.g. Search Engine, another domain, or name of email list' },
    medium_id: { type: 'many2one', comodel: 'utm.medium', string: 'Medium', ondelete: 'set null', index: 'btree_not_null', help: 'This is the method of delivery, e.g. Postcard, Email, or Banner Ad' },
  },
  methods: {
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[] | Vals) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        for (const v of list) {
          v.url = checkedUrl(v);
          // No network fetch of the page title: the URL stands for it (as Odoo when the fetch fails).
          if (!v.title) v.title = v.url;
          // UTMs come from the values only (never from the visitor's UTM cookies).
          for (const f of ['campaign_id', 'source_id', 'medium_id']) if (!(f in v)) v[f] = false;
        }
        const links: RecordSet = await this.super(list);
        const codes = await self.env.model('link.tracker.code').call<string[]>('_get_random_code_strings', list.length);
        await self.env.model('link.tracker.code').sudo().create(links.ids.map((id, i) => ({ code: codes[i], link_id: id })));
        return links;
      },
    },
    /**
     * Existing or new trackers for each vals, in input order (duplicates kept): matched on url,
     * campaign, medium, source and label (empty label = none). A single dict is still accepted.
     */
    search_or_create: {
      api: 'model',
      params: ['vals_list'],
      fn: async (self: RecordSet, valsList: Vals[] | Vals) => {
        const list: Vals[] = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v, url: checkedUrl(v) }));
        const keyOf = (v: Vals) => JSON.stringify([v.url, m2o(v.campaign_id), m2o(v.medium_id), m2o(v.source_id), (v.label as string) || '']);
        const found = new Map<string, number>();
        if (list.length) {
          const rows = await self.env.cr.query<{ k: number; id: number }>(Q.findTrackers(
            list.map((v) => String(v.url)), list.map((v) => m2o(v.campaign_id)), list.map((v) => m2o(v.medium_id)),
            list.map((v) => m2o(v.source_id)), list.map((v) => (v.label as string) || ''),
          ));
          for (const r of rows) found.set(keyOf(list[r.k - 1]), r.id);
        }
        const missing = new Map<string, Vals>();
        for (const v of list) if (!found.has(keyOf(v)) && !missing.has(keyOf(v))) missing.set(keyOf(v), v);
        if (missing.size) {
          const created = await self.create([...missing.values()]);
          [...missing.keys()].forEach((k, i) => found.set(k, created.ids[i]));
        }
        return self.browse(list.map((v) => found.get(keyOf(v))!));
      },
    },
    get_url_from_code: {
      api: 'model',
      params: ['code'],
      readonly: true,
      fn: async (self: RecordSet, code: unknown) => {
        const rows = await self.env.cr.query<{ link_id: number }>(sql`SELECT link_id FROM link_tracker_code WHERE code = ${String(code)} LIMIT 1`);
        if (!rows.length) return null;
        const [r] = await self.sudo().browse([rows[0].link_id]).read(['redirected_url']);
        return r.redirected_url;
      },
    },
    recent_links: {
      api: 'model',
      params: ['filter', 'limit'],
      readonly: true,
      fn: async (self: RecordSet, filter: unknown, limit: unknown) => {
        if (filter === 'newest') return self.searchRead([], null, { order: 'create_date DESC, id DESC', limit: limit as number });
        if (filter === 'most-clicked') return self.searchRead([['count', '!=', 0]], null, { order: 'count DESC', limit: limit as number });
        if (filter === 'recently-used') return self.searchRead([['count', '!=', 0]], null, { order: 'write_date DESC, id DESC', limit: limit as number });
        return { Error: "This filter doesn't exist." };
      },
    },
    action_visit_page: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const [r] = await self.ensureOne().fetch(['url']);
        return { name: 'Visit Webpage', type: 'ir.actions.act_url', url: r.url, target: 'new' };
      },
    },
    action_view_statistics: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => ({
        name: 'Link Clicks', type: 'ir.actions.act_window', res_model: 'link.tracker.click', view_mode: 'graph,list,form',
        domain: [['link_id', '=', self.ensureOne().ids[0]]], context: { ...self.env.context, create: false },
      }),
    },
    _compute_absolute_url: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const base = await baseUrl(self.env);
        const rows = await self.fetch(['url']);
        return new Map(rows.map((r) => {
          const url = (r.url as string) || '';
          return [r.id as number, { absolute_url: /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) ? url : new URL(url, `${base}/`).href }];
        }));
      },
    },
    _compute_short_url_host: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const host = `${await baseUrl(self.env)}/r/`;
        return new Map(self.ids.map((id) => [id, { short_url_host: host }]));
      },
    },
    _compute_code: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; code: string }>(Q.latestCodes(self.ids));
        const codes = new Map(rows.map((r) => [r.id, r.code]));
        return new Map(self.ids.map((id) => [id, { code: codes.get(id) ?? false }]));
      },
    },
    _inverse_code: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, code: unknown) => {
        // Writing `code` renames each tracker's latest code (its short URL follows).
        if (!code) return;
        const codeIds = (await self.env.cr.query<{ id: number }>(sql`SELECT max(id) AS id FROM link_tracker_code WHERE link_id = ANY(${self.ids}::int4[]) GROUP BY link_id`)).map((r) => r.id);
        if (codeIds.length) await self.env.model('link.tracker.code').sudo().browse(codeIds).write({ code });
      },
    },
    _compute_short_url: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const host = `${await baseUrl(self.env)}/r/`;
        const rows = await self.env.cr.query<{ id: number; code: string }>(Q.latestCodes(self.ids));
        const codes = new Map(rows.map((r) => [r.id, r.code]));
        return new Map(self.ids.map((id) => [id, { short_url: `${host}${codes.get(id) ?? 'False'}` }]));
      },
    },
    _compute_redirected_url: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const settings = await redirectSettings(self.env);
        const rows = await self.env.cr.query<{ id: number; url: string; campaign: string | null; source: string | null; medium: string | null }>(Q.trackerUtmNames(self.ids));
        return new Map(rows.map((r) => [r.id, { redirected_url: r.url ? redirectedUrl(r.url, r, settings) : false }]));
      },
    },
    _compute_count: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; n: number }>(sql`SELECT link_id AS id, count(*)::int AS n FROM link_tracker_click WHERE link_id = ANY(${self.ids}::int4[]) GROUP BY link_id`);
        const counts = new Map(rows.map((r) => [r.id, r.n]));
        return new Map(self.ids.map((id) => [id, { count: counts.get(id) ?? 0 }]));
      },
    },
  },
};

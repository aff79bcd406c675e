// res.users: people who log in. A user is backed by a res.partner (name, email live there).
// The password is write-only: writing `password` (or `new_password`) stores Odoo's pbkdf2-sha512
// hash in the res_users.password column, which no field reads; reading `password` gives ''.

import type { ModelSpec } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import { SUPERUSER_ID } from '../orm/env.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { AccessDenied, AccessError, UserError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { LANG_SELECTION, TZ_SELECTION } from './res_partner.ts';
import { authenticateOrRaise, invalidateCredentialCache, setUserPassword } from './auth.ts';
import { groupIdsByUser, invalidateSecurityCache, userHasGroup, xmlidToResId } from './ir_model_access.ts';

/** Fields a user may read on their own record whatever their rights (Odoo's SELF_READABLE_FIELDS). */
const SELF_READABLE_FIELDS = new Set([
  'signature', 'company_id', 'login', 'email', 'name', 'image_1920', 'image_1024', 'image_512', 'image_256', 'image_128',
  'lang', 'tz', 'tz_offset', 'group_ids', 'partner_id', 'write_date', 'action_id', 'avatar_1920', 'avatar_1024',
  'avatar_512', 'avatar_256', 'avatar_128', 'share', 'device_ids', 'api_key_ids', 'phone', 'display_name',
]);
/** Fields a user may write on their own record (Odoo's SELF_WRITEABLE_FIELDS). */
const SELF_WRITEABLE_FIELDS = new Set(['signature', 'action_id', 'company_id', 'email', 'name', 'image_1920', 'lang', 'tz', 'api_key_ids', 'phone']);

/** Changing these invalidates cached credential checks of the users concerned. */
const CREDENTIAL_FIELDS = ['password', 'new_password', 'active', 'login'];

async function defaultGroups(env: Env): Promise<number[]> {
  const id = await xmlidToResId(env, 'base.group_user', 'res.groups');
  return id ? [id] : [];
}

function isVals(v: unknown): v is Vals {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export const ResUsers: ModelSpec = {
  _name: 'res.users',
  _description: 'User',
  _order: 'login',
  _rec_name: 'name',
  _sql_constraints: [['login_key', 'UNIQUE (login)', 'You can not have two users with the same login!']],
  fields: {
    partner_id: { type: 'many2one', comodel: 'res.partner', string: 'Related Partner', required: true, ondelete: 'restrict', index: true, help: 'Partner-related data of the user' },
    name: { type: 'char', string: 'Name', related: 'partner_id.name', readonly: false },
    email: { type: 'char', string: 'Email', related: 'partner_id.email', readonly: false },
    login: { type: 'char', string: 'Login', required: true, help: 'Used to log into the system' },
    password: {
      type: 'char', string: 'Password', copy: false, compute: '_compute_password', inverse: '_set_password',
      help: "Keep empty if you don't want the user to be able to connect on the system.",
    },
    new_password: {
      type: 'char', string: 'Set Password', compute: '_compute_password', inverse: '_set_new_password',
      help: "Specify a value only when creating a user or if you're changing the user's password, otherwise leave empty. After a change of password, the user has to login again.",
    },
    api_key_ids: { type: 'one2many', comodel: 'res.users.apikeys', inverseName: 'user_id', string: 'API Keys' },
    active: { type: 'boolean', string: 'Active', default: true },
    share: {
      type: 'boolean', string: 'Share User', compute: '_compute_share', store: true, depends: ['group_ids'],
      help: 'External user with limited access, created only for the purpose of sharing data.',
    },
    // Partner data, read and written through the user's partner (Odoo's _inherits on res.partner).
    tz: { type: 'selection', string: 'Timezone', selection: TZ_SELECTION, related: 'partner_id.tz', default: 'UTC' },
    lang: { type: 'selection', string: 'Language', selection: LANG_SELECTION, related: 'partner_id.lang', default: 'en_US' },
    ref: { type: 'char', string: 'Reference', related: 'partner_id.ref' },
    complete_name: { type: 'char', string: 'Complete Name', related: 'partner_id.complete_name', readonly: true },
    vat: { type: 'char', string: 'Tax ID', related: 'partner_id.vat' },
    website: { type: 'char', string: 'Website Link', related: 'partner_id.website' },
    comment: { type: 'html', string: 'Notes', related: 'partner_id.comment' },
    employee: { type: 'boolean', string: 'Employee', related: 'partner_id.employee' },
    function: { type: 'char', string: 'Job Position', related: 'partner_id.function' },
    type: { type: 'selection', string: 'Address Type', selection: [['contact', 'Contact'], ['invoice', 'Invoice'], ['delivery', 'Delivery'], ['other', 'Other']], related: 'partner_id.type' },
    street: { type: 'char', string: 'Street', related: 'partner_id.street' },
    street2: { type: 'char', string: 'Street2', related: 'partner_id.street2' },
    zip: { type: 'char', string: 'Zip', related: 'partner_id.zip' },
    city: { type: 'char', string: 'City', related: 'partner_id.city' },
    country_id: { type: 'many2one', comodel: 'res.country', string: 'Country', related: 'partner_id.country_id' },
    country_code: { type: 'char', string: 'Country Code', related: 'partner_id.country_code', readonly: true },
    phone: { type: 'char', string: 'Phone', related: 'partner_id.phone' },
    is_company: { type: 'boolean', string: 'Is a Company', related: 'partner_id.is_company' },
    company_name: { type: 'char', string: 'Company Name', related: 'partner_id.company_name' },
    color: { type: 'integer', string: 'Color Index', related: 'partner_id.color' },
    parent_id: { type: 'many2one', comodel: 'res.partner', string: 'Related Company', related: 'partner_id.parent_id' },
    user_id: { type: 'many2one', comodel: 'res.users', string: 'Salesperson', related: 'partner_id.user_id' },
    group_ids: {
      type: 'many2many', comodel: 'res.groups', relation: 'res_groups_users_rel', column1: 'uid', column2: 'gid', string: 'Groups',
      default: defaultGroups, help: 'Groups explicitly assigned to the user',
    },
    all_group_ids: {
      type: 'many2many', comodel: 'res.groups', string: 'Groups and implied groups', compute: '_compute_all_group_ids', search: '_search_all_group_ids', depends: ['group_ids.all_implied_ids'],
    },
    role: {
      type: 'selection', string: 'Role', selection: [['group_user', 'User'], ['group_system', 'Administrator']],
      compute: '_compute_role', readonly: false, depends: ['group_ids'],
    },
  },
  methods: {
    _compute_password: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => new Map(self.ids.map((id) => [id, { password: '', new_password: '' }])),
    },
    _set_password: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, value: unknown) => {
        await setUserPassword(self.env, self.ids, typeof value === 'string' && value ? value : false);
      },
    },
    _set_new_password: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet, value: unknown) => {
        // An empty value is ignored (web clients send False for untouched fields).
        if (!value) return;
        if (self.ids.includes(self.env.uid)) {
          throw new UserError('Please use the change password wizard (in User Preferences or User menu) to change your own password.');
        }
        await setUserPassword(self.env, self.ids, String(value));
      },
    },
    _compute_share: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const groupUser = await xmlidToResId(self.env, 'base.group_user', 'res.groups');
        const groups = await groupIdsByUser(self.env, self.ids);
        return new Map(self.ids.map((id) => [id, { share: !(groupUser && groups.get(id)?.includes(groupUser)) }]));
      },
    },
    _compute_all_group_ids: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const groups = await groupIdsByUser(self.env, self.ids);
        return new Map(self.ids.map((id) => [id, { all_group_ids: groups.get(id) ?? [] }]));
      },
    },
    _search_all_group_ids: {
      api: 'model',
      private: true,
      fn: (_self: RecordSet, operator: string, value: unknown) => {
        const ids = (Array.isArray(value) ? value : [value]).map(Number).filter((n) => Number.isInteger(n));
        // Users with one of the groups implying `ids` (a group implies itself).
        const q = sql`SELECT r.uid FROM res_groups_users_rel r WHERE r.gid IN (
          WITH RECURSIVE c(id) AS (SELECT unnest(${ids}::int4[]) UNION SELECT i.gid FROM res_groups_implied_rel i JOIN c ON i.hid = c.id) SELECT id FROM c)`;
        return [['id', operator === 'not in' || operator === '!=' ? 'not in' : 'in', q]];
      },
    },
    _compute_role: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const [system, user] = [await xmlidToResId(self.env, 'base.group_system'), await xmlidToResId(self.env, 'base.group_user')];
        const groups = await groupIdsByUser(self.env, self.ids);
        return new Map(self.ids.map((id) => {
          const g = groups.get(id) ?? [];
          return [id, { role: system && g.includes(system) ? 'group_system' : user && g.includes(user) ? 'group_user' : false }];
        }));
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
        // Like _inherits: a user without partner gets one made from its name/email.
        for (const vals of list) {
          if (!vals.partner_id) {
            const partner = await self.env.model('res.partner').sudo().create({ name: vals.name ?? vals.login, email: vals.email ?? false });
            vals.partner_id = partner.ids[0];
            delete vals.name;
            delete vals.email;
          }
        }
        const users = await this.super(list);
        invalidateSecurityCache(self.env);
        return users;
      },
    },
    read: {
      api: 'record',
      params: [['fields', null], ['load', '_classic_read']],
      readonly: true,
      async fn(self: RecordSet, fields: unknown, load: unknown) {
        // A user may always read the safe fields of their own record.
        if (!self.env.su && Array.isArray(fields) && fields.length && self.ids.length === 1 && self.ids[0] === self.env.uid
          && fields.every((f) => typeof f === 'string' && (SELF_READABLE_FIELDS.has(f) || f.startsWith('context_')))) {
          return self.sudo().call('read', fields, load);
        }
        return this.super(fields, load);
      },
    },
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        if (!isVals(vals)) return this.super(vals);
        if (vals.active && self.ids.includes(SUPERUSER_ID)) throw new UserError('You cannot activate the superuser.');
        if (vals.active === false && self.ids.includes(self.env.uid)) throw new UserError("You cannot deactivate the user you're currently logged in as.");
        let res: unknown;
        if (self.ids.length === 1 && self.ids[0] === self.env.uid && !self.env.su
          && Object.keys(vals).every((k) => SELF_WRITEABLE_FIELDS.has(k) && self.model.fields.has(k))) {
          // Safe fields of one's own record: written as superuser (no rights needed).
          res = await self.sudo().call('write', vals);
        } else {
          res = await this.super(vals);
        }
        if (CREDENTIAL_FIELDS.some((k) => k in vals)) for (const id of self.ids) invalidateCredentialCache(self.env.registry, id);
        if ('group_ids' in vals || 'active' in vals) invalidateSecurityCache(self.env);
        return res;
      },
    },
    unlink: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        if (self.ids.includes(SUPERUSER_ID)) {
          throw new UserError('You can not remove the admin user as it is used internally for resources created by Odoo (updates, module installation, ...)');
        }
        const admin = await xmlidToResId(self.env, 'base.user_admin', 'res.users');
        if (admin && self.ids.includes(admin)) {
          throw new UserError('You cannot delete the admin user because it is utilized in various places (such as security configurations,...). Instead, archive it.');
        }
        const res = await this.super();
        for (const id of self.ids) invalidateCredentialCache(self.env.registry, id);
        invalidateSecurityCache(self.env);
        return res;
      },
    },
    copy: {
      api: 'record',
      params: [['default', null]],
      async fn(self: RecordSet, defaults: Vals | null) {
        // Like Odoo's copy_data: "<name> (copy)" and "<login> (copy)" unless given (logins are unique).
        const created: number[] = [];
        for (const rec of self) {
          const d: Vals = { ...(isVals(defaults) ? defaults : {}) };
          const [row] = await rec.read(['name', 'login'], null);
          if (!row) throw rec.missingError(rec.ids, []);
          if (!('name' in d) && !('partner_id' in d)) d.name = `${String(row.name || '')} (copy)`;
          if (!('login' in d)) d.login = `${String(row.login)} (copy)`;
          const [vals] = await rec.copyData(d);
          delete vals.partner_id; // a copied user gets its own partner
          if (d.partner_id) vals.partner_id = d.partner_id;
          created.push(...(await self.browse([]).create(vals)).ids);
        }
        return self.browse(created);
      },
    },
    /** The user's context: lang, tz and uid (OdooRPC and the web client call it at login). */
    context_get: {
      api: 'model',
      params: [],
      readonly: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ lang: string | null; tz: string | null }>(sql`SELECT p.lang, p.tz FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = ${self.env.uid}`);
        if (!rows.length) return {};
        return { lang: rows[0].lang || 'en_US', tz: rows[0].tz || false, uid: self.env.uid };
      },
    },
    /** Whether the user belongs to the group with that external id ("base.group_system"). */
    has_group: {
      api: 'record',
      params: ['group_ext_id'],
      readonly: true,
      fn: async (self: RecordSet, groupExtId: unknown) => {
        self.ensureOne();
        const uid = self.ids[0];
        if (!(self.env.su || uid === self.env.uid || (await userHasGroup(self.env, 'base.group_user')))) {
          throw new AccessError('You can ony call user.has_group() with your current user.');
        }
        if (groupExtId === 'base.group_no_one') return false; // debug mode only, never over RPC
        return userHasGroup(self.env, String(groupExtId), uid);
      },
    },
    /** `has_groups("a.g1,!b.g2")`: member of one of the positives and of none of the negatives. */
    has_groups: {
      api: 'record',
      params: ['group_spec'],
      readonly: true,
      fn: async (self: RecordSet, groupSpec: unknown) => {
        if (groupSpec === '.') return false;
        const positives: string[] = [];
        const negatives: string[] = [];
        for (const raw of String(groupSpec).split(',')) {
          const x = raw.trim();
          if (x.startsWith('!')) negatives.push(x.slice(1));
          else positives.push(x);
        }
        for (const x of negatives) if (await self.call('has_group', x)) return false;
        for (const x of positives) if (await self.call('has_group', x)) return true;
        return positives.length === 0;
      },
    },
    /** Change one's own password, giving the old one (AccessDenied when it is wrong). */
    change_password: {
      api: 'model',
      params: ['old_passwd', 'new_passwd'],
      fn: async (self: RecordSet, oldPasswd: unknown, newPasswd: unknown) => {
        if (!oldPasswd || typeof oldPasswd !== 'string') throw new AccessDenied();
        const rows = await self.env.cr.query<{ login: string }>(sql`SELECT login FROM res_users WHERE id = ${self.env.uid}`);
        if (!rows.length) throw new AccessDenied();
        const uid = await authenticateOrRaise(self.env, rows[0].login, oldPasswd, { interactive: true });
        if (uid !== self.env.uid) throw new AccessDenied();
        const password = typeof newPasswd === 'string' ? newPasswd.trim() : '';
        if (!password) throw new UserError('Setting empty passwords is not allowed for security reasons!');
        await setUserPassword(self.env, [self.env.uid], password);
        return true;
      },
    },
  },
};

// res.groups: user groups carrying access rights (ACL rows live in ir.model.access).
// A group implies other groups (implied_ids): its users are members of those groups too.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { UserError } from '../orm/exceptions.ts';
import { sql } from '../orm/sql.ts';
import { INVALIDATE_SECURITY_CACHE, invalidateSecurityCache, xmlidToResId } from './ir_model_access.ts';

/** Reflexive transitive closure over res_groups_implied_rel, in either direction. */
function closureQuery(ids: number[], down: boolean) {
  // down: the groups implied by `ids`; up: the groups implying `ids`.
  return down
    ? sql`WITH RECURSIVE c(id) AS (SELECT unnest(${ids}::int4[]) UNION SELECT r.hid FROM res_groups_implied_rel r JOIN c ON r.gid = c.id) SELECT id FROM c`
    : sql`WITH RECURSIVE c(id) AS (SELECT unnest(${ids}::int4[]) UNION SELECT r.gid FROM res_groups_implied_rel r JOIN c ON r.hid = c.id) SELECT id FROM c`;
}

async function closureById(self: RecordSet, down: boolean): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const id of self.ids) {
    const rows = await self.env.cr.query<{ id: number }>(closureQuery([id], down));
    out.set(id, rows.map((r) => r.id).sort((a, b) => a - b));
  }
  return out;
}

function idList(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.map(Number).filter((n) => Number.isInteger(n));
  return [];
}

export const ResGroups: ModelSpec = {
  _name: 'res.groups',
  _description: 'Access Groups',
  _rec_name: 'full_name',
  _order: 'privilege_id, sequence, name, id',
  _sql_constraints: [
    ['name_uniq', 'UNIQUE (privilege_id, name)', 'The name of the group must be unique within a group privilege!'],
    ['check_api_key_duration', 'CHECK(api_key_duration >= 0)', 'The api key duration cannot be a negative value.'],
  ],
  fields: {
    name: { type: 'char', string: 'Name', required: true, translate: true },
    user_ids: { type: 'many2many', comodel: 'res.users', relation: 'res_groups_users_rel', column1: 'gid', column2: 'uid', string: 'User', help: 'Users explicitly in this group' },
    all_user_ids: { type: 'many2many', comodel: 'res.users', string: 'Users and implied users', compute: '_compute_all_user_ids', search: '_search_all_user_ids', readonly: false, depends: ['all_implied_by_ids.user_ids'] },
    all_users_count: { type: 'integer', string: '# Users', compute: '_compute_all_users_count', depends: ['all_user_ids'], help: 'Number of users having this group (implicitly or explicitly)' },
    model_access: { type: 'one2many', comodel: 'ir.model.access', inverseName: 'group_id', string: 'Access Controls', copy: true },
    comment: { type: 'text', string: 'Comment', translate: true },
    full_name: { type: 'char', string: 'Group Name', compute: '_compute_full_name', search: '_search_full_name', depends: ['privilege_id.name', 'name'] },
    share: { type: 'boolean', string: 'Share Group', help: 'Group created to set access rights for sharing data with some users.' },
    api_key_duration: { type: 'float', string: 'API Keys maximum duration days', help: 'Determines the maximum duration of an api key created by a user belonging to this group.' },
    sequence: { type: 'integer', string: 'Sequence' },
    privilege_id: { type: 'many2one', comodel: 'res.groups.privilege', string: 'Privilege', index: true },
    implied_ids: { type: 'many2many', comodel: 'res.groups', relation: 'res_groups_implied_rel', column1: 'gid', column2: 'hid', string: 'Implied Groups', help: 'Users of this group are also implicitly part of those groups' },
    all_implied_ids: { type: 'many2many', comodel: 'res.groups', string: 'Transitively Implied Groups', compute: '_compute_all_implied_ids', search: '_search_all_implied_ids', depends: ['implied_ids.all_implied_ids'], help: 'The group itself with all its implied groups.' },
    implied_by_ids: { type: 'many2many', comodel: 'res.groups', relation: 'res_groups_implied_rel', column1: 'hid', column2: 'gid', string: 'Implying Groups', help: 'Users in those groups are implicitly part of this group.' },
    all_implied_by_ids: { type: 'many2many', comodel: 'res.groups', string: 'Transitively Implying Groups', compute: '_compute_all_implied_by_ids', search: '_search_all_implied_by_ids', depends: ['implied_by_ids.all_implied_by_ids'] },
    disjoint_ids: { type: 'many2many', comodel: 'res.groups', string: 'Disjoint Groups', compute: '_compute_disjoint_ids', help: 'A user may not belong to this group and one of those.  For instance, users may not be portal users and internal users.' },
  },
  methods: {
    _compute_full_name: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const rows = await self.env.cr.query<{ id: number; name: string; p: string | null }>(
          sql`SELECT g.id, g.name, p.name AS p FROM res_groups g LEFT JOIN res_groups_privilege p ON p.id = g.privilege_id WHERE g.id = ANY(${self.ids}::int4[])`,
        );
        const short = !!self.env.context.short_display_name;
        return new Map(rows.map((r) => [r.id, { full_name: r.p && !short ? `${r.p} / ${r.name}` : r.name }]));
      },
    },
    _search_full_name: {
      api: 'model',
      private: true,
      fn: (_self: RecordSet, operator: string, operand: unknown) => {
        // "Privilege / Group" searches the group name and the privilege name; a bare text
        // matches either (like Odoo's _search_full_name, negative operators unsupported).
        const values = typeof operand === 'string' ? [operand] : Array.isArray(operand) ? operand.map(String) : [];
        const domains: unknown[][] = [[['name', operator, operand]]];
        for (const value of values) {
          if (!value) continue;
          const single = typeof operand === 'string';
          const wrap = (v: string) => (single ? v : [v]);
          const [privilegeName, groupName] = value.includes('/')
            ? [value.slice(0, value.indexOf('/')).trim(), value.slice(value.indexOf('/') + 1).trim()]
            : [value, null];
          if (!privilegeName) continue;
          const d: unknown[] = [['privilege_id.name', operator, wrap(privilegeName)]];
          if (groupName) d.unshift('&'), d.push(['name', operator, wrap(groupName)]);
          domains.push(d);
        }
        const out: unknown[] = [];
        for (let i = 1; i < domains.length; i++) out.push('|');
        for (const d of domains) out.push(...d);
        return out;
      },
    },
    _compute_all_implied_ids: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => new Map([...(await closureById(self, true))].map(([id, ids]) => [id, { all_implied_ids: ids }])),
    },
    _compute_all_implied_by_ids: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => new Map([...(await closureById(self, false))].map(([id, ids]) => [id, { all_implied_by_ids: ids }])),
    },
    _search_all_implied_ids: {
      api: 'model',
      private: true,
      // Groups whose closure contains one of `value`: the groups implying them.
      fn: (_self: RecordSet, operator: string, value: unknown) => [['id', operator === 'not in' || operator === '!=' ? 'not in' : 'in', closureQuery(idList(value), false)]],
    },
    _search_all_implied_by_ids: {
      api: 'model',
      private: true,
      fn: (_self: RecordSet, operator: string, value: unknown) => [['id', operator === 'not in' || operator === '!=' ? 'not in' : 'in', closureQuery(idList(value), true)]],
    },
    _compute_all_user_ids: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        for (const id of self.ids) {
          const rows = await self.env.cr.query<{ uid: number }>(
            sql`SELECT DISTINCT r.uid FROM res_groups_users_rel r JOIN res_users u ON u.id = r.uid WHERE r.gid IN (${closureQuery([id], false)}) ORDER BY r.uid`,
          );
          out.set(id, { all_user_ids: rows.map((r) => r.uid) });
        }
        return out;
      },
    },
    _compute_all_users_count: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const users = await self.runCompute(self.field('all_user_ids'), ['all_user_ids']);
        return new Map(self.ids.map((id) => [id, { all_users_count: ((users.get(id)?.all_user_ids as number[]) ?? []).length }]));
      },
    },
    _search_all_user_ids: {
      api: 'model',
      private: true,
      fn: (_self: RecordSet, operator: string, value: unknown) => {
        const users = idList(value);
        const q = sql`WITH RECURSIVE c(id) AS (SELECT gid FROM res_groups_users_rel WHERE uid = ANY(${users}::int4[]) UNION SELECT r.hid FROM res_groups_implied_rel r JOIN c ON r.gid = c.id) SELECT id FROM c`;
        return [['id', operator === 'not in' || operator === '!=' ? 'not in' : 'in', q]];
      },
    },
    _compute_disjoint_ids: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const typeGroups: number[] = [];
        for (const x of ['base.group_user', 'base.group_portal', 'base.group_public']) {
          const id = await xmlidToResId(self.env, x, 'res.groups');
          if (id) typeGroups.push(id);
        }
        return new Map(self.ids.map((id) => [id, { disjoint_ids: typeGroups.includes(id) ? typeGroups.filter((g) => g !== id) : [] }]));
      },
    },
    copy: {
      api: 'record',
      params: [['default', null]],
      async fn(self: RecordSet, defaults: Vals | null) {
        // A copy is named "<name> (copy)": names are unique within a privilege.
        const created: number[] = [];
        for (const rec of self) {
          const [row] = await rec.fetch(['name']);
          if (!row) throw rec.missingError(rec.ids, []);
          const { name } = row;
          const [vals] = await rec.copyData({ ...(defaults || {}), name: defaults?.name ?? `${String(name)} (copy)` });
          created.push(...(await self.browse([]).create(vals)).ids);
        }
        return self.browse(created);
      },
    },
    create: INVALIDATE_SECURITY_CACHE.create,
    write: {
      api: 'record',
      params: ['vals'],
      async fn(self: RecordSet, vals: Vals) {
        if (vals && typeof vals === 'object' && typeof vals.name === 'string' && vals.name.startsWith('-')) {
          throw new UserError('The name of the group can not start with "-"');
        }
        const res = await this.super(vals);
        invalidateSecurityCache(self.env);
        return res;
      },
    },
    unlink: INVALIDATE_SECURITY_CACHE.unlink,
  },
};

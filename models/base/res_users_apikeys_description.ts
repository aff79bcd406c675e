// res.users.apikeys.description: the wizard that names a new API key and shows it once.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';
import { AccessError } from '../orm/exceptions.ts';
import { formatDatetime } from '../orm/fields.ts';
import { userHasGroup } from './ir_model_access.ts';
import { API_KEY_DURATIONS, checkKeyExpiration, generateApiKey } from './res_users_apikeys.ts';

export const ResUsersApikeysDescription: ModelSpec = {
  _name: 'res.users.apikeys.description',
  _description: 'API Key Description',
  _transient: true,
  fields: {
    name: { type: 'char', string: 'Description', required: true },
    duration: { type: 'selection', string: 'Duration', selection: API_KEY_DURATIONS, required: true, default: '1' },
    expiration_date: {
      type: 'datetime', string: 'Expiration Date', compute: '_compute_expiration_date', store: true, readonly: false, depends: ['duration'],
    },
  },
  methods: {
    _compute_expiration_date: {
      api: 'record',
      private: true,
      fn: async (self: RecordSet) => {
        const out = new Map<number, Vals>();
        const rows = await self.fetch(['duration', 'expiration_date']);
        for (const r of rows) {
          const days = parseInt(String(r.duration ?? '-1'), 10);
          if (days < 0) {
            out.set(r.id as number, { expiration_date: r.expiration_date ?? false });
            continue;
          }
          // Today (UTC) + days at midnight; 0 means persistent (no date).
          const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
          out.set(r.id as number, { expiration_date: days ? formatDatetime(new Date(today.getTime() + days * 86_400_000)) : false });
        }
        return out;
      },
    },
    create: {
      api: 'model',
      params: ['vals_list'],
      async fn(self: RecordSet, valsList: Vals[]) {
        const res = (await this.super(valsList)) as RecordSet;
        for (const row of await res.sudo().fetch(['expiration_date'])) await checkKeyExpiration(self.env, row.expiration_date);
        return res;
      },
    },
    /** Generate the key and return the action that shows it (its context carries `default_key`). */
    make_key: {
      api: 'record',
      params: [],
      async fn(self: RecordSet) {
        self.ensureOne();
        await self.call('check_access_make_key');
        const [description] = await self.read(['name', 'expiration_date'], null);
        const key = await generateApiKey(self.env, null, String(description.name), description.expiration_date || null);
        await self.sudo().unlink();
        return {
          type: 'ir.actions.act_window',
          res_model: 'res.users.apikeys.show',
          name: 'API Key Ready',
          views: [[false, 'form']],
          target: 'new',
          context: { default_key: key },
        };
      },
    },
    /** Only internal users may create API keys. */
    check_access_make_key: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        if (!self.env.su && !(await userHasGroup(self.env, 'base.group_user'))) throw new AccessError('Only internal users can create API keys');
        return null;
      },
    },
  },
};

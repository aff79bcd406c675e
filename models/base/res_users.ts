// res.users: people who log in. A user is backed by a res.partner (name, email live there).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet, Vals } from '../orm/records.ts';

export const ResUsers: ModelSpec = {
  _name: 'res.users',
  _description: 'User',
  _order: 'login',
  _rec_name: 'name',
  _sql_constraints: [['login_key', 'UNIQUE (login)', 'You can not have two users with the same login!']],
  fields: {
    partner_id: { type: 'many2one', comodel: 'res.partner', string: 'Related Partner', required: true, ondelete: 'restrict', index: true },
    name: { type: 'char', string: 'Name', related: 'partner_id.name' },
    email: { type: 'char', string: 'Email', related: 'partner_id.email' },
    login: { type: 'char', string: 'Login', required: true, help: 'Used to log into the system' },
    password: { type: 'char', string: 'Password', copy: false, help: 'Keep empty if you don\'t want the user to be able to connect on the system.' },
    active: { type: 'boolean', string: 'Active', default: true },
    share: { type: 'boolean', string: 'Share User', help: 'External user with limited access, created only for the purpose of sharing data.' },
    tz: { type: 'char', string: 'Timezone', default: 'UTC' },
    lang: { type: 'char', string: 'Language', default: 'en_US' },
    group_ids: { type: 'many2many', comodel: 'res.groups', relation: 'res_groups_users_rel', column1: 'uid', column2: 'gid', string: 'Groups' },
  },
  methods: {
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
        return this.super(list);
      },
    },
  },
};

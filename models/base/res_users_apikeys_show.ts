// res.users.apikeys.show: the wizard showing a new API key (once).

import type { ModelSpec } from '../orm/model.ts';

/** The form showing a new key once (no table). */
export const ResUsersApikeysShow: ModelSpec = {
  _name: 'res.users.apikeys.show',
  _description: 'Show API Key',
  _abstract: true,
  _log_access: false,
  fields: {
    key: { type: 'char', string: 'Key', readonly: true },
  },
};

// mass_mailing's link.tracker: the mailing a tracker was made for (links shortened in its body).

import type { ModelSpec } from '../orm/model.ts';

export const LinkTrackerMailing: ModelSpec = {
  _name: 'link.tracker',
  _inherit: 'link.tracker',
  fields: {
    mass_mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mass Mailing', index: 'btree_not_null' },
  },
};

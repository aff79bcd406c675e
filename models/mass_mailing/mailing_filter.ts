// mailing.filter: a saved recipients domain ("favorite filter") for one recipients model.
// Odoo also checks that a mailing's filter targets the mailing's model: that comes with issue 13.

import type { ModelSpec } from '../orm/model.ts';

export const MailingFilter: ModelSpec = {
  _name: 'mailing.filter',
  _description: 'Mailing Favorite Filters',
  _order: 'create_date DESC',
  fields: {
    name: { type: 'char', string: 'Filter Name', required: true },
    mailing_domain: { type: 'char', string: 'Filter Domain', required: true },
    mailing_model_id: { type: 'many2one', comodel: 'ir.model', string: 'Recipients Model', required: true, ondelete: 'cascade' },
    mailing_model_name: { type: 'char', string: 'Recipients Model Name', related: 'mailing_model_id.model', readonly: true },
    // Odoo labels the creator of a favorite filter as the one who saved it.
    create_uid: { type: 'many2one', comodel: 'res.users', string: 'Saved by', readonly: true, ondelete: 'set null', automatic: true },
  },
};

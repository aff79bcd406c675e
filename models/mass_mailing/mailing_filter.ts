// mailing.filter: a saved recipients domain ("favorite filter") for one recipients model; a
// mailing using it must target the same model (checked on mailing.mailing).

import type { ModelSpec } from '../orm/model.ts';
import { ValidationError } from '../orm/exceptions.ts';
import { parsePyLiteral } from '../tools/py_literal.ts';

export const MailingFilter: ModelSpec = {
  _name: 'mailing.filter',
  _description: 'Mailing Favorite Filters',
  _order: 'create_date DESC',
  _constraints: [
    {
      // The domain must be a valid search of its model (compiled, not run: a failed statement would abort the transaction).
      fields: ['mailing_domain', 'mailing_model_id'],
      check: async (records) => {
        for (const r of await records.fetch(['mailing_domain', 'mailing_model_name'])) {
          if (r.mailing_domain === '[]') continue;
          try {
            const domain = parsePyLiteral(r.mailing_domain as string);
            records.env.model(r.mailing_model_name as string).searchQuery(domain);
          } catch {
            throw new ValidationError('The filter domain is not valid for this recipients.');
          }
        }
      },
    },
  ],
  fields: {
    name: { type: 'char', string: 'Filter Name', required: true },
    mailing_domain: { type: 'char', string: 'Filter Domain', required: true },
    mailing_model_id: { type: 'many2one', comodel: 'ir.model', string: 'Recipients Model', required: true, ondelete: 'cascade' },
    mailing_model_name: { type: 'char', string: 'Recipients Model Name', related: 'mailing_model_id.model', readonly: true },
    // Odoo labels the creator of a favorite filter as the one who saved it.
    create_uid: { type: 'many2one', comodel: 'res.users', string: 'Saved by', readonly: true, ondelete: 'set null', automatic: true },
  },
};

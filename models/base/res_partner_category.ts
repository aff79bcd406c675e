// res.partner.category: contact tags.

import type { ModelSpec } from '../orm/model.ts';

export const ResPartnerCategory: ModelSpec = {
  _name: 'res.partner.category',
  _description: 'Partner Tags',
  _order: 'name, id',
  fields: {
    name: { type: 'char', string: 'Name', required: true, translate: true },
    color: { type: 'integer', string: 'Color' },
    parent_id: { type: 'many2one', comodel: 'res.partner.category', string: 'Parent Category', index: true, ondelete: 'cascade' },
    child_ids: { type: 'one2many', comodel: 'res.partner.category', inverseName: 'parent_id', string: 'Child Tags' },
    active: { type: 'boolean', string: 'Active', default: true },
    partner_ids: { type: 'many2many', comodel: 'res.partner', relation: 'res_partner_res_partner_category_rel', column1: 'category_id', column2: 'partner_id', string: 'Partners' },
  },
};

// mailing.subscription.optout: reasons a contact gives when leaving a list (shipped: data.ts).

import type { ModelSpec } from '../orm/model.ts';

export const MailingSubscriptionOptout: ModelSpec = {
  _name: 'mailing.subscription.optout',
  _description: 'Mailing Subscription Reason',
  _order: 'sequence ASC, create_date DESC, id DESC',
  fields: {
    name: { type: 'char', string: 'Reason', translate: true },
    sequence: { type: 'integer', string: 'Sequence', default: 10 },
    is_feedback: { type: 'boolean', string: 'Ask For Feedback' },
  },
};

// mail.message.subtype: the kind of a chatter message ("Discussions" = comment, "Note" = internal
// note). Only the two subtypes the product posts with are shipped (see data.ts).

import type { ModelSpec } from '../orm/model.ts';

export const MailMessageSubtype: ModelSpec = {
  _name: 'mail.message.subtype',
  _description: 'Message subtypes',
  _order: 'sequence, id',
  fields: {
    name: { type: 'char', string: 'Message Type', required: true, translate: true, help: 'Message subtype gives a more precise type on the message, especially for system notifications. For example, it can be a notification related to a new record (New), or to a stage change in a process (Stage change). Message subtypes allow to precisely tune the notifications the user want to receive on its wall.' },
    description: { type: 'text', string: 'Description', translate: true, help: 'Description that will be added in the message posted for this subtype. If void, the name will be added instead.' },
    internal: { type: 'boolean', string: 'Internal Only', help: 'Messages with internal subtypes will be visible only by employees, aka members of base_user group' },
    res_model: { type: 'char', string: 'Model', help: 'Model the subtype applies to. If False, this subtype applies to all models.' },
    default: { type: 'boolean', string: 'Default', default: true, help: 'Activated by default when subscribing.' },
    sequence: { type: 'integer', string: 'Sequence', default: 1, help: 'Used to order subtypes.' },
    hidden: { type: 'boolean', string: 'Hidden', help: 'Hide the subtype in the follower options' },
  },
};

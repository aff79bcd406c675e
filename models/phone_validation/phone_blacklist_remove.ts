// phone.blacklist.remove: the "Unblacklist" wizard. `phone` comes from the context
// (default_phone); applying archives the blacklist entry, logging the reason in its chatter.
//
// Deviation: the number is sanitised before use (Odoo passes it as given, which only matches when
// the caller gave the E.164 form).

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { escapeHtml } from '../mail/mail_thread.ts';
import { sanitizeForUser } from './phone_blacklist.ts';

export const PhoneBlacklistRemove: ModelSpec = {
  _name: 'phone.blacklist.remove',
  _description: 'Remove phone from blacklist',
  _transient: true,
  fields: {
    phone: { type: 'char', string: 'Phone Number', readonly: true, required: true },
    reason: { type: 'char', string: 'Reason' },
  },
  methods: {
    action_unblacklist_apply: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const [wizard] = await self.ensureOne().fetch(['phone', 'reason']);
        const reason = wizard.reason as string | null;
        const message = reason ? `<p>Unblock Reason: ${escapeHtml(reason)}</p>` : null;
        const phone = wizard.phone as string;
        const [res] = await sanitizeForUser(self.env, [phone]);
        return self.env.model('phone.blacklist').call('_remove', [res.sanitized || phone], message);
      },
    },
  },
};

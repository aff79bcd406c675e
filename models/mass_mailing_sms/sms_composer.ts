// mass_mailing_sms additions to sms.composer: mass mode on behalf of a mailing, which is the
// mailing's own preparation (prepare.ts) run for the composer's records with the composer's body
// and options, so both paths classify, trace and log identically.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { UserError } from '../orm/exceptions.ts';
import { parsePyLiteral } from '../tools/py_literal.ts';
import { prepareSmsMailing } from './prepare.ts';
import { dispatchAfterCommit } from './dispatch.ts';

export const SmsComposerMailing: ModelSpec = {
  _name: 'sms.composer',
  _inherit: 'sms.composer',
  fields: {
    mass_sms_allow_unsubscribe: { type: 'boolean', string: 'Include opt-out link', default: true },
    mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mailing' },
    utm_campaign_id: { type: 'many2one', comodel: 'utm.campaign', string: 'Campaign', ondelete: 'set null' },
  },
  methods: {
    _action_send_sms_mass: {
      api: 'record',
      private: true,
      async fn(self: RecordSet) {
        const [c] = await self.fetch(['mailing_id', 'res_model', 'res_id', 'res_ids', 'body', 'use_exclusion_list', 'mass_keep_log', 'mass_force_send', 'mass_sms_allow_unsubscribe']);
        if (!c.mailing_id) return this.super();
        const mailing = self.env.model('mailing.mailing').browse([c.mailing_id as number]);
        const [m] = await mailing.sudo().fetch(['mailing_model_real']);
        if (m.mailing_model_real !== c.res_model) throw new UserError(`The mailing targets ${m.mailing_model_real}, not ${c.res_model}.`);
        const resIds = c.res_ids ? (parsePyLiteral(String(c.res_ids)) as unknown[]).map(Number) : c.res_id ? [Number(c.res_id)] : [];
        const res = await prepareSmsMailing(mailing, {
          resIds,
          collectSmsIds: true,
          overrides: { body_plaintext: (c.body as string) || false, use_exclusion_list: !!c.use_exclusion_list, keep_archives: !!c.mass_keep_log, sms_allow_unsubscribe: !!c.mass_sms_allow_unsubscribe },
        });
        if (c.mass_force_send) dispatchAfterCommit(self.env, res.smsIds);
        return self.env.model('sms.sms').browse(res.smsIds);
      },
    },
  },
};

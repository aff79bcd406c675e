// Data shipped by Odoo 19's mass_mailing (data/mailing_subscription_optout.xml,
// data/mailing_list_contact.xml, data/mailing_subscription.xml): the opt-out reasons, and the
// "Newsletter" list with the administrator as its first contact (created once: noupdate).

import type { Env } from '../orm/env.ts';
import { sql } from '../orm/sql.ts';
import { loadDataRecord } from '../mail/data.ts';

const OPTOUT_REASONS: [string, string, number, boolean][] = [
  ['mailing_subscription_optout_data_0', 'I never subscribed to this list', 1, false],
  ['mailing_subscription_optout_data_1', 'I changed my mind', 2, false],
  ['mailing_subscription_optout_data_2', 'I receive too many emails from this list', 3, false],
  ['mailing_subscription_optout_data_3', 'The content of these emails is not relevant to me', 4, false],
  ['mailing_subscription_optout_data_4', 'Other', 99, true],
];

async function findOne(env: Env, model: string, domain: unknown[]): Promise<number | undefined> {
  return (await env.model(model).withContext({ active_test: false }).search(domain, { limit: 1, order: 'id' })).ids[0];
}

export async function loadMassMailingData(env: Env): Promise<void> {
  for (const [name, reason, sequence, isFeedback] of OPTOUT_REASONS) {
    await loadDataRecord(env, {
      xmlid: `mass_mailing.${name}`,
      model: 'mailing.subscription.optout',
      vals: { name: reason, sequence, is_feedback: isFeedback },
      find: (e) => findOne(e, 'mailing.subscription.optout', [['name', '=', reason]]),
    });
  }
  await loadNewsletter(env);
}

async function loadNewsletter(env: Env): Promise<void> {
  const irModelData = env.registry.has('ir.model.data');
  const findList = (e: Env) => findOne(e, 'mailing.list', [['name', '=', 'Newsletter']]);
  // Without external ids, the list's existence tells whether the records were loaded before.
  if (!irModelData && (await findList(env.sudo()))) return;
  const admin = (await env.cr.query<{ name: string | null; email: string | null }>(sql`
    SELECT p.name, p.email FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = 2`))[0];
  const listId = await loadDataRecord(env, { xmlid: 'mass_mailing.mailing_list_data', model: 'mailing.list', vals: { name: 'Newsletter' }, noupdate: true, find: findList });
  const contactVals = { name: admin?.name ?? false, email: admin?.email ?? false };
  const contactId = await loadDataRecord(env, {
    xmlid: 'mass_mailing.mass_mail_contact_0',
    model: 'mailing.contact',
    vals: { ...contactVals, list_ids: [[5, 0, 0]] },
    noupdate: true,
    find: (e) => findOne(e, 'mailing.contact', [['name', '=', contactVals.name], ['email', '=', contactVals.email]]),
  });
  if (!listId || !contactId) return;
  await loadDataRecord(env, {
    xmlid: 'mass_mailing.mailing_list_data_sub_contact_0',
    model: 'mailing.subscription',
    vals: { contact_id: contactId, list_id: listId },
    noupdate: true,
    find: (e) => findOne(e, 'mailing.subscription', [['contact_id', '=', contactId], ['list_id', '=', listId]]),
  });
}

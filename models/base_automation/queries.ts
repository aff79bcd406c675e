// The SQL of automation rules (models/base_automation/base_automation.ts runs them): the rules read
// once per transaction, and the time rules' due records found in one statement per rule.

import { ident, raw, sql, type SQL } from '../orm/sql.ts';

/** Every active rule with its model and watched field names: one read per transaction for every hook. */
export function activeRulesQuery(): SQL {
  return sql`
    SELECT a.id, a.name, m.model, a.trigger, a.filter_pre_domain, a.filter_domain,
           (SELECT array_agg(f.name) FROM base_automation_ir_model_fields_rel r JOIN ir_model_fields f ON f.id = r.ir_model_fields_id WHERE r.base_automation_id = a.id) AS fields
    FROM base_automation a JOIN ir_model m ON m.id = a.model_id
    WHERE a.active ORDER BY a.id`;
}

/** ir.model.fields ids of `names` on `model` (trigger fields set by the trigger). */
export function fieldIdsQuery(model: string, names: string[]): SQL {
  return sql`SELECT id FROM ir_model_fields WHERE model = ${model} AND name = ANY(${names}::varchar[])`;
}

/** A rule's date field. */
export function dateFieldQuery(fieldId: number): SQL {
  return sql`SELECT name, model, ttype FROM ir_model_fields WHERE id = ${fieldId}`;
}

/** Delays of the active time rules, which set the check cron's frequency. */
export function timeRuleDelaysQuery(triggers: string[]): SQL {
  return sql`SELECT trg_date_range, trg_date_range_type FROM base_automation WHERE active AND trigger = ANY(${triggers}::varchar[])`;
}

/** Odoo's `_update_cron`: the check cron on while time rules exist, at the given frequency. */
export function updateCheckCron(cronXmlId: string, active: boolean, minutes: number): SQL {
  return sql`
    UPDATE ir_cron SET active = ${active}, interval_type = 'minutes', interval_number = ${minutes}
    WHERE id = (SELECT res_id FROM ir_model_data WHERE module || '.' || name = ${cronXmlId})`;
}

/** The transaction's "now" (UTC), the end of every time rule's window in this check. */
export function nowUtcQuery(): SQL {
  return sql`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS now`;
}

/**
 * A time rule's row, locked: two schedulers checking at once serialize here, and the second sees
 * the first one's last_run (REPEATABLE READ turns the wait into a retried serialization failure).
 */
export function lockTimeRule(ruleId: number): SQL {
  return sql`SELECT last_run, trg_date_id, trg_date_range, trg_date_range_type, trg_date_range_mode FROM base_automation WHERE id = ${ruleId} AND active FOR UPDATE`;
}

/**
 * Records of `table` whose `column` + the delay falls in [last_run, now) among `candidates` (the
 * rule's domain as a sub-query): the occurrences this check handles, found in one statement.
 * `unit` is one of make_interval's argument names, chosen by our code.
 */
export function dueRecordsQuery(table: string, column: string, unit: 'mins' | 'hours' | 'days' | 'months', amount: number, lastRun: string | null, now: string, candidates: SQL): SQL {
  const at = sql`(t.${ident(column)}::timestamp + make_interval(${raw(unit)} => ${amount}::int))`;
  return sql`
    SELECT t.id FROM ${ident(table)} t
    WHERE t.${ident(column)} IS NOT NULL AND ${at} >= COALESCE(${lastRun}::timestamp, 'epoch'::timestamp) AND ${at} < ${now}::timestamp
      AND t.id IN (${candidates})
    ORDER BY t.id`;
}

/** The window's end becomes the rule's last run, in the transaction that handled the window. */
export function setLastRun(ruleId: number, now: string): SQL {
  return sql`UPDATE base_automation SET last_run = ${now}::timestamp WHERE id = ${ruleId}`;
}

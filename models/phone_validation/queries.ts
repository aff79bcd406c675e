// The set-based statements of the phone blacklist import (models/phone_validation/import_blacklist.ts
// runs them): one batch of numbers is staged by COPY and applied with one statement per rule.

import { sql, type SQL } from '../orm/sql.ts';

export const BLACKLIST_STAGE = 'import_blacklist_stage';

/** Staging table of the batch's transaction: the batch reaches the server in one COPY. */
export function createBlacklistStage(): SQL {
  return sql`CREATE TEMP TABLE import_blacklist_stage (line int4, number varchar, reason text) ON COMMIT DROP`;
}

/** Re-activate archived entries of staged numbers at once (the ORM would read and write each). */
export function reactivateStagedNumbers(uid: number): SQL {
  return sql`
    UPDATE phone_blacklist b SET active = TRUE, write_uid = ${uid}::int4, write_date = now() AT TIME ZONE 'UTC'
      FROM import_blacklist_stage s
     WHERE b.number = s.number AND b.active IS NOT TRUE
    RETURNING b.id, s.reason`;
}

/** Create the missing numbers at once; ON CONFLICT: an entry added meanwhile by someone else wins. */
export function insertStagedNumbers(uid: number): SQL {
  return sql`
    INSERT INTO phone_blacklist (number, active, create_uid, write_uid, create_date, write_date)
    SELECT s.number, TRUE, ${uid}::int4, ${uid}::int4, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
      FROM import_blacklist_stage s
     WHERE NOT EXISTS (SELECT 1 FROM phone_blacklist b WHERE b.number = s.number)
     ORDER BY s.line
    ON CONFLICT (number) DO NOTHING
    RETURNING id, number`;
}

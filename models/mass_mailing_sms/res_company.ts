// res.company (mass_mailing_sms, beyond Odoo): the company's default quiet hours, the window of
// local time (recipient's zone) in which marketing SMS may reach a phone; off by default.

import type { ModelSpec } from '../orm/model.ts';
import { ValidationError } from '../orm/exceptions.ts';

export const ResCompanyMassMailingSms: ModelSpec = {
  _name: 'res.company',
  _inherit: 'res.company',
  fields: {
    sms_quiet_hours_enabled: { type: 'boolean', string: 'SMS Quiet Hours', default: false, help: 'Marketing SMS only reach recipients within the sending window of their own local time (from their number); the others wait for it.' },
    sms_quiet_hours_start: { type: 'float', string: 'SMS Window Start', default: 8, help: 'Local time from which marketing SMS may be received (hours, 8.5 = 08:30).' },
    sms_quiet_hours_end: { type: 'float', string: 'SMS Window End', default: 21, help: 'Local time from which marketing SMS wait for the next day (hours, 21.0 = 21:00).' },
  },
  _constraints: [
    {
      fields: ['sms_quiet_hours_start', 'sms_quiet_hours_end'],
      check: async (records) => checkWindowHours(await records.fetch(['sms_quiet_hours_start', 'sms_quiet_hours_end'])),
    },
  ],
};

/** Window bounds are times of day: 0 ≤ hours < 24. */
export function checkWindowHours(rows: Record<string, unknown>[]): void {
  for (const r of rows) {
    for (const f of ['sms_quiet_hours_start', 'sms_quiet_hours_end']) {
      const v = Number(r[f] ?? 0);
      if (!(v >= 0 && v < 24)) throw new ValidationError('Quiet hours must be times of day, between 00:00 and 23:59.');
    }
  }
}

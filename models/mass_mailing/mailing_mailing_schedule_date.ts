// mailing.mailing.schedule.date: the wizard that schedules a mailing for a date.

import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { ValidationError } from '../orm/exceptions.ts';

/** mailing.mailing.schedule.date: the "send on" dialog of `action_schedule`. */
export const MailingMailingScheduleDate: ModelSpec = {
  _name: 'mailing.mailing.schedule.date',
  _description: 'schedule a mailing',
  _transient: true,
  _constraints: [
    {
      fields: ['schedule_date'],
      check: async (records) => {
        const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
        for (const r of await records.fetch(['schedule_date'])) {
          if (r.schedule_date && String(r.schedule_date) < now) {
            throw new ValidationError('Please select a date equal/or greater than the current date.');
          }
        }
      },
    },
  ],
  fields: {
    schedule_date: { type: 'datetime', string: 'Scheduled for' },
    mass_mailing_id: { type: 'many2one', comodel: 'mailing.mailing', string: 'Mass Mailing', required: true, ondelete: 'cascade' },
  },
  methods: {
    action_schedule_date: {
      api: 'record',
      params: [],
      fn: async (self: RecordSet) => {
        const [w] = await self.ensureOne().fetch(['schedule_date', 'mass_mailing_id']);
        const mailing = self.env.model('mailing.mailing').browse([w.mass_mailing_id as number]);
        await mailing.write({ schedule_type: 'scheduled', schedule_date: w.schedule_date });
        await mailing.call('action_put_in_queue');
        return null;
      },
    },
  },
};

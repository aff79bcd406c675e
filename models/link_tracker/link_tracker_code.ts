// link.tracker.code: the short codes of a tracker (the latest one is its `code`).

import { randomInt } from 'node:crypto';
import type { ModelSpec } from '../orm/model.ts';
import type { RecordSet } from '../orm/records.ts';
import { Q } from './queries.ts';

/** Odoo's LINK_TRACKER_MIN_CODE_LENGTH. */
export const LINK_TRACKER_MIN_CODE_LENGTH = 3;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomCode(size: number): string {
  let s = '';
  for (let i = 0; i < size; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export const LinkTrackerCode: ModelSpec = {
  _name: 'link.tracker.code',
  _description: 'Link Tracker Code',
  _rec_name: 'code',
  _sql_constraints: [['code', 'unique( code )', 'Code must be unique.']],
  fields: {
    code: { type: 'char', string: 'Short URL Code', required: true },
    link_id: { type: 'many2one', comodel: 'link.tracker', string: 'Link', required: true, ondelete: 'cascade', index: true },
  },
  methods: {
    /**
     * `n` fresh codes: drawn at length 3; when two drawn codes are equal or one is taken, the
     * whole draw is redone one character longer.
     */
    _get_random_code_strings: {
      api: 'model',
      private: true,
      fn: async (self: RecordSet, n = 1) => {
        for (let size = LINK_TRACKER_MIN_CODE_LENGTH; ; size++) {
          const codes = Array.from({ length: n }, () => randomCode(size));
          if (new Set(codes).size !== n) continue;
          if ((await self.env.cr.query(Q.takenCodes(codes))).length) continue;
          return codes;
        }
      },
    },
  },
};

// res.config.settings in sms: the provider and sending settings, each bound to its system parameter.

import type { ModelSpec } from '../orm/model.ts';
import { SMS_SETTING_DEFS } from './providers/settings.ts';

const FIELD_TYPE = { integer: 'integer', float: 'float', char: 'char', selection: 'selection', boolean: 'boolean' } as const;

export const SmsConfigSettings: ModelSpec = {
  _name: 'res.config.settings',
  _inherit: 'res.config.settings',
  fields: Object.fromEntries(
    Object.entries(SMS_SETTING_DEFS).map(([name, d]) => [name, { type: FIELD_TYPE[d.type], string: d.string, help: d.help, selection: d.selection, default: d.default }]),
  ),
};

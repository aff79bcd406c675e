// Command-line entry point: `npm run cli -- <command> ...`. Each command lives in server/cli/.

import { Command } from 'commander';
import { registerApikeyCommands } from './cli/apikey.ts';
import { registerImportCommands } from './cli/import.ts';
import { registerMailingCommands } from './cli/mailing.ts';

const program = new Command();
program.name('sms_marketing').description('sms_marketing command-line tools').showHelpAfterError();
registerApikeyCommands(program);
registerImportCommands(program);
registerMailingCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

// `npm run cli -- mailing ...` (commands registered here).

import type { Command } from 'commander';

export function registerMailingCommands(program: Command): void {
  void program;
}

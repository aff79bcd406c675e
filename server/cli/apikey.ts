// `npm run cli -- apikey ...` (commands registered here).

import type { Command } from 'commander';

export function registerApikeyCommands(program: Command): void {
  void program;
}

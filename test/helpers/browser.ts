// Debian's chromium driven by playwright-core, launched the same way by every browser test.
// Missing chromium fails the suite under CI (.ci/run installs it) and skips it, with a message,
// on a developer machine.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Without the background-networking flags chromium keeps trying the closed network.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Skip (developer machine) or fail (CI) the suite when chromium is not installed. */
export function requireChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  console.log(`      (skipped: no chromium at ${CHROMIUM}; apt-get install chromium)`);
  ctx.skip();
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless chromium on a fresh profile (removed by close()). */
export async function launchChromium(label: string, options: Parameters<typeof chromium.launchPersistentContext>[1] = {}): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), `sms-${label}-chromium-`));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, ...options });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// The stop sequence of a server process on SIGINT/SIGTERM (`npm start` alone, or the cluster
// primary): stop once within a deadline, log it, exit with the outcome; a second signal hurries.

import type { Logger } from './log.ts';

export interface GracefulShutdown {
  /** Stop and exit (`code`, or 1 if stopping fails); called again meanwhile: hurry and exit 1. */
  shutdown(reason: string, code?: number): Promise<void>;
  /** The SIGINT/SIGTERM listener installed (for keepOnlySignalHandler). */
  onSignal(signal: NodeJS.Signals): void;
  /** A stop has begun (start-up work still in flight should give up). */
  readonly stopping: boolean;
}

/** A repeat of the first signal within this time is npm's relay of it, not a second Ctrl-C. */
const RELAYED_SIGNAL_MS = 500;

export function gracefulShutdown(log: Logger, opts: {
  timeoutMs: number;
  stop: () => Promise<void>;
  /** Run on a second signal before exiting (none: exit at once). */
  hurry?: () => Promise<void>;
  hurryMessage?: string;
}): GracefulShutdown {
  let stopping = false;
  const shutdown = async (reason: string, code = 0): Promise<void> => {
    if (stopping) {
      log.warn({ signal: reason }, opts.hurryMessage ?? 'second signal: exiting now');
      await opts.hurry?.().catch(() => undefined);
      process.exit(1);
    }
    stopping = true;
    log.info({ signal: reason }, 'shutting down');
    const force = setTimeout(() => {
      log.error(`shutdown took more than ${opts.timeoutMs / 1000} s: exiting`);
      process.exit(1);
    }, opts.timeoutMs);
    force.unref();
    try {
      await opts.stop();
      log.info('stopped');
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      code = code || 1;
    }
    process.exit(code);
  };
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C under `npm start`: the terminal signals us and npm relays the same signal; one request, not two
    if (first && first.signal === signal && performance.now() - first.at < RELAYED_SIGNAL_MS) return;
    first ??= { signal, at: performance.now() };
    void shutdown(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { shutdown, onSignal, get stopping() { return stopping; } };
}

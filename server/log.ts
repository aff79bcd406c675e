// Structured JSON logging (pino) to stdout.
//
//   import { log } from './log.ts';            // default logger, level from LOG_LEVEL (else info)
//   const logger = createLogger(config.logLevel);
//   const pgLog = logger.child({ component: 'postgres' });

import { pino, type Logger as PinoLogger } from 'pino';
import { LOG_LEVELS, type LogLevel } from './config.ts';

export type Logger = PinoLogger;

export function createLogger(level: LogLevel | string = 'info'): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      // "level":"info" instead of "level":30: easier to read and to grep.
      level: (label) => ({ level: label }),
    },
  });
}

function envLevel(): LogLevel {
  const v = process.env.LOG_LEVEL?.trim().toLowerCase();
  return v && (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : 'info';
}

/** Default logger, level taken from LOG_LEVEL when valid (else info). */
export const log: Logger = createLogger(envLevel());

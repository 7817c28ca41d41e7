import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

/** Cloud Logging severities for pino levels. */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/**
 * JSON logs for Cloud Logging: `severity` and `message` at the top level, ids in fields.
 * Header values that could hold credentials are redacted wherever they appear.
 */
export function createLogger(
  opts: { level?: string; destination?: DestinationStream; base?: Record<string, unknown> } = {},
): PinoLogger {
  return pino(
    {
      level: opts.level ?? 'info',
      messageKey: 'message',
      base: opts.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }),
      },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'apiToken',
          '*.apiToken',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    opts.destination,
  );
}

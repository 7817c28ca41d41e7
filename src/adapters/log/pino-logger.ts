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

export interface LoggerOptions {
  readonly level?: string;
  /**
   * `json` (default): one JSON object a line, `severity` and `message` at the top level,
   * for Cloud Logging. `pretty`: readable lines for a person at a terminal (local runs).
   */
  readonly format?: 'json' | 'pretty';
  readonly destination?: DestinationStream;
  readonly base?: Record<string, unknown>;
}

/**
 * The connector's logger: ids in fields, constant messages. Header values that could hold
 * credentials are redacted wherever they appear, in both formats.
 */
export function createLogger(opts: LoggerOptions = {}): PinoLogger {
  const pretty = opts.format === 'pretty';
  return pino(
    {
      level: opts.level ?? 'info',
      messageKey: 'message',
      base: opts.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // pino-pretty reads pino's own level field; Cloud Logging reads `severity`.
      formatters: pretty ? {} : { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }) },
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
    opts.destination ?? (pretty ? prettyStream() : undefined),
  );
}

/**
 * pino-pretty as a synchronous stream in this process (no transport worker thread), loaded
 * only for local runs so that App Engine's start-up never pays for it.
 */
function prettyStream(): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PinoPretty } = require('pino-pretty') as typeof import('pino-pretty');
  return PinoPretty({
    colorize: Boolean(process.stdout.isTTY),
    messageKey: 'message',
    translateTime: 'SYS:HH:MM:ss',
    // Request and task ids help Cloud Logging group lines; at a terminal they are noise.
    ignore: 'pid,hostname,reqId,taskName',
    singleLine: true,
    sync: true,
  });
}

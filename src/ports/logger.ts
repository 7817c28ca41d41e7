/**
 * Structured logger (pino-compatible). Messages are constant; ids go in fields. Never pass
 * secrets, case text, comment bodies or file names.
 */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

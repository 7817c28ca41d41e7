import type { Logger } from '../../src/ports/logger';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  readonly level: LogLevel;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A Logger that keeps every line in memory, for assertions. */
export class TestLogger implements Logger {
  readonly lines: LogLine[] = [];

  debug(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'debug', fields: { ...fields }, message });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', fields: { ...fields }, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', fields: { ...fields }, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'error', fields: { ...fields }, message });
  }

  /** Lines whose message is exactly `message`. */
  find(message: string): LogLine[] {
    return this.lines.filter((l) => l.message === message);
  }

  /** Lines at `level`. */
  at(level: LogLevel): LogLine[] {
    return this.lines.filter((l) => l.level === level);
  }

  /** Every line as one JSON text (to check that a secret or a body never reached the log). */
  text(): string {
    return this.lines
      .map((l) => JSON.stringify({ ...l.fields, level: l.level, message: l.message }))
      .join('\n');
  }

  clear(): void {
    this.lines.length = 0;
  }
}

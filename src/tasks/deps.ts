import type { SyncSettings } from '../domain/settings';
import type { Clock } from '../ports/clock';
import type { Crm } from '../ports/crm';
import type { Logger } from '../ports/logger';
import type { MappingStore } from '../ports/mapping-store';
import type { SupportCases } from '../ports/support-cases';
import type { TaskQueue } from '../ports/task-queue';

/** Everything a use-case may touch: ports only (STYLE.md). */
export interface TaskDeps {
  readonly support: SupportCases;
  readonly crm: Crm;
  readonly store: MappingStore;
  readonly queue: TaskQueue;
  readonly clock: Clock;
  readonly settings: SyncSettings;
  readonly log: Logger;
  /** Unique ids (lease holders). */
  readonly newId: () => string;
}

/** Outcome reported by a task route. */
export type TaskOutcome = {
  readonly outcome: 'done' | 'dropped' | 'skipped';
  readonly [k: string]: unknown;
};

/** How long a sync may hold a case: App Engine's HTTP task deadline is 10 minutes. */
export const LEASE_TTL_MS = 10 * 60 * 1000;

/** An error's class name for logs (never its message, which may quote upstream text). */
export function errorName(e: unknown): string {
  return e instanceof Error ? e.name : 'unknown';
}

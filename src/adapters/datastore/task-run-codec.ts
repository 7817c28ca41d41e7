// The TaskRun kind's encoding (the status page's recent runs), shared by the Datastore and
// the memory store.
import { z } from 'zod';
import type { TaskRun } from '../../domain/mapping';
import {
  codecDate as date,
  codecNullableString as nullableString,
  invalid,
  KIND,
  type Properties,
} from './entity-codec';

/** How many task runs the stores keep (the newest). */
export const TASK_RUNS_KEPT = 200;

/**
 * Key name of a TaskRun: inverted time first, so that key order is newest first (no
 * composite index), then a random suffix so that runs of one millisecond do not collide.
 */
export function taskRunKeyName(run: TaskRun, suffix: string): string {
  return `${String(MAX_TIME_MS - run.at.getTime()).padStart(16, '0')}-${suffix}`;
}

/** Largest time a Date can hold (ms): inverted times stay non-negative. */
const MAX_TIME_MS = 8.64e15;

export function taskRunProperties(run: TaskRun): Properties {
  return {
    task: run.task,
    at: run.at,
    outcome: run.outcome,
    ref: run.ref,
    reason: run.reason,
    counts: JSON.stringify(run.counts),
  };
}

const countsSchema = z.record(z.string(), z.number());
const taskRunSchema = z.object({
  task: z.string(),
  at: date,
  outcome: z.enum(['done', 'dropped', 'skipped', 'failed']),
  ref: nullableString,
  reason: nullableString,
  counts: z.string().transform((v, ctx) => {
    try {
      return countsSchema.parse(JSON.parse(v));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'counts' });
      return z.NEVER;
    }
  }),
});

export function toTaskRun(props: unknown): TaskRun {
  const parsed = taskRunSchema.safeParse(props);
  if (!parsed.success) throw invalid(KIND.taskRun, parsed.error);
  return parsed.data;
}

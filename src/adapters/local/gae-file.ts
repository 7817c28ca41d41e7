// What queue.yaml and cron.yaml parsing share: the error type, reading and checking a
// YAML file, and App Engine's TimeValue durations.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { BackoffSettings } from './gae-retry';

/** A configuration file that does not say what App Engine would accept. */
export class GaeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GaeConfigError';
  }
}

export const nonNegative = z.number().nonnegative();

/** The backoff fields that queue.yaml's and cron.yaml's retry_parameters share. */
export const backoffFields = {
  min_backoff_seconds: nonNegative.optional(),
  max_backoff_seconds: nonNegative.optional(),
  max_doublings: z.number().int().nonnegative().optional(),
};

/** Backoff settings from a retry_parameters block, with App Engine's defaults; min ≤ max. */
export function readBackoff(
  rp: { min_backoff_seconds?: number; max_backoff_seconds?: number; max_doublings?: number },
  defaults: BackoffSettings,
  where: string,
): BackoffSettings {
  const b: BackoffSettings = {
    minBackoffSeconds: rp.min_backoff_seconds ?? defaults.minBackoffSeconds,
    maxBackoffSeconds: rp.max_backoff_seconds ?? defaults.maxBackoffSeconds,
    maxDoublings: rp.max_doublings ?? defaults.maxDoublings,
  };
  if (b.minBackoffSeconds > b.maxBackoffSeconds)
    throw new GaeConfigError(`${where}: min_backoff_seconds exceeds max_backoff_seconds`);
  return b;
}

export const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `"30s"`, `"1.5h"`, `"2d"`, `"45m"` → seconds (App Engine's TimeValue). */
export function parseDurationSeconds(value: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d*)?)([smhd])\s*$/.exec(value);
  if (!m) throw new GaeConfigError(`${what}: "${value}" is not a number followed by s, m, h or d`);
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new GaeConfigError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function parseYamlText(text: string, source: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (e) {
    throw new GaeConfigError(
      `${source}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

export function checkShape<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new GaeConfigError(`${source}: ${problems.join('; ')}`);
}

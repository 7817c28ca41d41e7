// cron.yaml → CronJob (url, schedule, target, retry_parameters), as Cloud Scheduler reads it.
import { z } from 'zod';
import {
  checkShape,
  GaeConfigError,
  backoffFields,
  readBackoff,
  parseDurationSeconds,
  parseYamlText,
  readText,
} from './gae-file';
import { CRON_RETRY_DEFAULTS, type CronRetrySettings } from './gae-retry';
import { parseSchedule, type CronSchedule } from './cron-schedule';

export interface CronJob {
  readonly url: string;
  readonly description: string;
  readonly schedule: CronSchedule;
  readonly target?: string;
  readonly retry: CronRetrySettings;
}

const cronFileSchema = z.object({
  cron: z
    .array(
      z.object({
        url: z.string().regex(/^\/\S*$/, 'cron urls are paths starting with /'),
        schedule: z.string().min(1),
        description: z.string().optional(),
        timezone: z.string().optional(),
        target: z.string().optional(),
        attempt_deadline: z.string().optional(),
        retry_parameters: z
          .object({
            job_retry_limit: z.number().int().min(0).max(5).optional(),
            job_age_limit: z.string().optional(),
            ...backoffFields,
          })
          .optional(),
      }),
    )
    .default([]),
});

export function parseCronYaml(text: string, source = 'cron.yaml'): CronJob[] {
  const file = checkShape(cronFileSchema, parseYamlText(text, source), source);
  return file.cron.map((j) => {
    const rp = j.retry_parameters ?? {};
    const retry: CronRetrySettings = {
      ...readBackoff(rp, CRON_RETRY_DEFAULTS, `${source}: ${j.url}`),
      ...(rp.job_retry_limit === undefined ? {} : { jobRetryLimit: rp.job_retry_limit }),
      ...(rp.job_age_limit === undefined
        ? {}
        : {
            jobAgeLimitSeconds: parseDurationSeconds(
              rp.job_age_limit,
              `${source}: ${j.url} job_age_limit`,
            ),
          }),
    };
    let schedule: CronSchedule;
    try {
      schedule = parseSchedule(j.schedule, j.timezone ?? 'UTC');
    } catch (e) {
      throw new GaeConfigError(
        `${source}: ${j.url}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    return {
      url: j.url,
      description: j.description ?? '',
      schedule,
      ...(j.target === undefined ? {} : { target: j.target }),
      retry,
    };
  });
}

export function loadCronConfig(path: string): CronJob[] {
  return parseCronYaml(readText(path), path);
}

// App Engine cron schedules: the parser of the "every 5 minutes from 10:00 to 14:00" grammar
// and the pure computation of a schedule's next run.
import { DateTime, IANAZone } from 'luxon';
import { GaeConfigError } from './gae-file';

interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/**
 * A parsed App Engine cron schedule. `interval`: every N minutes, counted from the previous
 * run, or aligned on `window.from` and limited to the window (`from … to …`, `synchronized`).
 * `at`: at a time of day on the given ISO weekdays (1 = Monday … 7 = Sunday; all seven for
 * `every day`). Times are in `timezone` (IANA; UTC by default).
 */
export type CronSchedule =
  | {
      readonly kind: 'interval';
      readonly source: string;
      readonly timezone: string;
      readonly everyMinutes: number;
      readonly window?: { readonly from: TimeOfDay; readonly to: TimeOfDay };
    }
  | {
      readonly kind: 'at';
      readonly source: string;
      readonly timezone: string;
      readonly weekdays: readonly number[];
      readonly at: TimeOfDay;
    };

// App Engine's schedule grammar ("every 5 minutes from 10:00 to 14:00", "every monday
// 09:00", "1st,3rd tue of month 12:00"…) is its own English-like language ("groc"), not
// unix cron, and no maintained npm library parses it (cron parsers on npm read the unix
// five-field syntax only), so this is a small hand-written parser for the subset we use:
//   every N (minutes|mins|minute|min|hours|hrs|hour|hr) [from HH:MM to HH:MM | synchronized]
//   every day HH:MM
//   every <weekday>[,<weekday>…] HH:MM        (monday or mon, …)
// Anything else is rejected with a clear error rather than guessed at.

// prettier-ignore
const WEEKDAYS: Readonly<Record<string, number>> = {
  monday: 1, mon: 1, tuesday: 2, tue: 2, wednesday: 3, wed: 3, thursday: 4, thu: 4,
  friday: 5, fri: 5, saturday: 6, sat: 6, sunday: 7, sun: 7,
};
const MINUTE_UNITS = new Set(['minutes', 'minute', 'mins', 'min']);
const HOUR_UNITS = new Set(['hours', 'hour', 'hrs', 'hr']);

export function parseSchedule(text: string, timezone = 'UTC'): CronSchedule {
  if (!IANAZone.isValidZone(timezone)) throw new GaeConfigError(`unknown timezone "${timezone}"`);
  const source = text.trim();
  const words = source
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .split(/\s+/);
  const fail = (why: string): never => {
    throw new GaeConfigError(`unsupported schedule "${source}": ${why}`);
  };
  if (words[0] !== 'every') fail('expected "every …"');
  const second = words[1] ?? '';

  if (/^\d+$/.test(second)) {
    const n = Number(second);
    const unit = words[2] ?? '';
    if (n <= 0) fail('the interval must be positive');
    const everyMinutes = MINUTE_UNITS.has(unit)
      ? n
      : HOUR_UNITS.has(unit)
        ? n * 60
        : fail(`unknown unit "${unit}"`);
    const rest = words.slice(3);
    if (rest.length === 0) return { kind: 'interval', source, timezone, everyMinutes };
    if (rest.length === 1 && rest[0] === 'synchronized') {
      return {
        kind: 'interval',
        source,
        timezone,
        everyMinutes,
        window: { from: { hour: 0, minute: 0 }, to: { hour: 23, minute: 59 } },
      };
    }
    if (rest.length === 4 && rest[0] === 'from' && rest[2] === 'to') {
      const from = parseTimeOfDay(rest[1] ?? '') ?? fail(`bad time "${rest[1] ?? ''}"`);
      const to = parseTimeOfDay(rest[3] ?? '') ?? fail(`bad time "${rest[3] ?? ''}"`);
      return { kind: 'interval', source, timezone, everyMinutes, window: { from, to } };
    }
    return fail('expected "from HH:MM to HH:MM" or "synchronized" after the interval');
  }

  if (words.length !== 3) fail('expected "every day HH:MM" or "every <weekday> HH:MM"');
  const at = parseTimeOfDay(words[2] ?? '') ?? fail(`bad time "${words[2] ?? ''}"`);
  if (second === 'day')
    return { kind: 'at', source, timezone, weekdays: [1, 2, 3, 4, 5, 6, 7], at };
  const weekdays = second.split(',').map((w) => WEEKDAYS[w] ?? fail(`unknown day "${w}"`));
  return {
    kind: 'at',
    source,
    timezone,
    weekdays: [...new Set(weekdays)].sort((a, b) => a - b),
    at,
  };
}

function parseTimeOfDay(s: string): TimeOfDay | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** The first run strictly after `after` (pure). */
export function nextRun(schedule: CronSchedule, after: Date): Date {
  const afterMs = after.getTime();
  const zone = schedule.timezone;
  const local = DateTime.fromMillis(afterMs, { zone }).startOf('day');

  if (schedule.kind === 'interval') {
    const stepMs = schedule.everyMinutes * 60_000;
    const window = schedule.window;
    if (!window) return new Date(afterMs + stepMs);
    let best: number | undefined;
    // A window that wraps midnight starts the day before, so look one day back.
    for (let offset = -1; offset <= 2; offset++) {
      const day = local.plus({ days: offset });
      const start = day.set({ hour: window.from.hour, minute: window.from.minute });
      let end = day.set({ hour: window.to.hour, minute: window.to.minute });
      if (end < start) end = end.plus({ days: 1 });
      const startMs = start.toMillis();
      const k = Math.max(0, Math.floor((afterMs - startMs) / stepMs) + 1);
      const candidate = startMs + k * stepMs;
      if (
        candidate <= end.toMillis() &&
        candidate > afterMs &&
        (best === undefined || candidate < best)
      ) {
        best = candidate;
      }
    }
    if (best === undefined) throw new Error(`no run found for schedule "${schedule.source}"`);
    return new Date(best);
  }

  for (let offset = 0; offset <= 8; offset++) {
    const day = local.plus({ days: offset });
    if (!schedule.weekdays.includes(day.weekday)) continue;
    const candidate = day.set({ hour: schedule.at.hour, minute: schedule.at.minute }).toMillis();
    if (candidate > afterMs) return new Date(candidate);
  }
  throw new Error(`no run found for schedule "${schedule.source}"`);
}

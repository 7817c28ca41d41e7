// ISO-8601 durations from configuration, and durations in words for the outage notice.

import { Duration } from 'luxon';

// Strict grammar accepted: weeks, days, hours, minutes, seconds, each optional, the last
// one given may be fractional (luxon accepts fractions anywhere; we do too). Years and
// months are refused: their length depends on the calendar, and `P5M` (5 months) is
// almost always a typo for `PT5M` (5 minutes).
const NUM = String.raw`\d+(?:[.,]\d+)?`;
const ISO_DURATION = new RegExp(
  `^P(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
);
const HAS_YEARS_OR_MONTHS = /^P(?:[^T]*[YM])/;

/**
 * Milliseconds in an ISO-8601 duration such as `PT30M`, `PT5M`, `P1D`, `PT1H30M`, `P1W`.
 * Surrounding whitespace is ignored and letters may be lower case (`pt30m`).
 *
 * Throws an Error naming the value and the reason when it is not a duration, uses years or
 * months, has an empty time part (`P1DT`, `PT`), is negative, or is zero.
 */
export function parseIsoDurationMs(value: string): number {
  const text = value.trim().toUpperCase();
  if (HAS_YEARS_OR_MONTHS.test(text)) {
    throw new Error(
      `invalid duration "${value}": years and months are not allowed (their length varies); ` +
        `for minutes write the time part, e.g. PT5M`,
    );
  }
  if (!ISO_DURATION.test(text) || text === 'P' || text.endsWith('T')) {
    throw new Error(
      `invalid duration "${value}": expected an ISO-8601 duration such as PT30M, PT1H30M or P1D`,
    );
  }
  // ISO-8601 allows a decimal comma; luxon reads only the point.
  const duration = Duration.fromISO(text.replace(/,/g, '.'));
  if (!duration.isValid) {
    throw new Error(
      `invalid duration "${value}": ${duration.invalidExplanation ?? duration.invalidReason ?? 'not ISO-8601'}`,
    );
  }
  const ms = duration.toMillis();
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new Error(`invalid duration "${value}": must be greater than zero`);
  }
  return Math.round(ms);
}

const UNITS = ['days', 'hours', 'minutes'] as const;
const SINGULAR: Readonly<Record<(typeof UNITS)[number], string>> = {
  days: 'day',
  hours: 'hour',
  minutes: 'minute',
};

/**
 * A duration in words for "This case has not synced properly in {duration}.": whole
 * days, hours and minutes (seconds are dropped, and anything under a minute, including a
 * zero or negative value, reads "1 minute"), the two largest non-zero units, plural-aware.
 *
 * 45 s → "1 minute"; 25 min → "25 minutes"; 61 min → "1 hour 1 minute"; 2 h → "2 hours";
 * 26 h 5 min → "1 day 2 hours"; 3 days → "3 days"; 1 day 5 min → "1 day 5 minutes".
 * Days are 24 hours; there are no weeks or months (10 days → "10 days").
 */
export function describeDuration(ms: number): string {
  if (!Number.isFinite(ms))
    throw new RangeError('duration must be a finite number of milliseconds');
  const minutes = Math.max(1, Math.floor(Duration.fromMillis(ms).as('minutes')));
  const parts = Duration.fromObject({ minutes })
    .shiftTo(...UNITS)
    .toObject();
  return UNITS.map((unit) => [unit, Math.round(parts[unit] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .slice(0, 2)
    .map(([unit, n]) => `${n} ${n === 1 ? SINGULAR[unit] : unit}`)
    .join(' ');
}

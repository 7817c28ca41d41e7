import { describeDuration, parseIsoDurationMs } from '../../src/domain/durations';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseIsoDurationMs', () => {
  it.each<[string, number]>([
    ['PT30M', 30 * MINUTE],
    ['PT5M', 5 * MINUTE],
    ['P1D', DAY],
    ['PT1H30M', 90 * MINUTE],
    ['PT45S', 45 * SECOND],
    ['PT1.5S', 1500],
    ['PT0.5H', 30 * MINUTE],
    ['PT1,5H', 90 * MINUTE],
    ['P1W', 7 * DAY],
    ['P1DT2H', 26 * HOUR],
    ['P2DT3H4M5S', 2 * DAY + 3 * HOUR + 4 * MINUTE + 5 * SECOND],
    ['  PT30M  ', 30 * MINUTE],
    ['pt30m', 30 * MINUTE],
  ])('%p → %p ms', (value, ms) => {
    expect(parseIsoDurationMs(value)).toBe(ms);
  });

  it.each<[string, RegExp]>([
    ['', /invalid duration "": expected an ISO-8601 duration/],
    ['30', /invalid duration "30": expected an ISO-8601 duration/],
    ['30m', /expected an ISO-8601 duration/],
    ['30 minutes', /expected an ISO-8601 duration/],
    ['P', /expected an ISO-8601 duration/],
    ['PT', /expected an ISO-8601 duration/],
    ['P1DT', /expected an ISO-8601 duration/],
    ['PT5', /expected an ISO-8601 duration/],
    ['PT5M30H', /expected an ISO-8601 duration/],
    ['PT-5M', /expected an ISO-8601 duration/],
    ['-PT5M', /expected an ISO-8601 duration/],
    ['P5M', /invalid duration "P5M": years and months are not allowed.*PT5M/],
    ['P1Y', /years and months are not allowed/],
    ['P1Y2M3DT4H', /years and months are not allowed/],
    ['PT0S', /invalid duration "PT0S": must be greater than zero/],
    ['PT0M', /must be greater than zero/],
    ['P0D', /must be greater than zero/],
  ])('rejects %p', (value, message) => {
    expect(() => parseIsoDurationMs(value)).toThrow(message);
  });
});

describe('describeDuration', () => {
  it.each<[string, number, string]>([
    ['zero', 0, '1 minute'],
    ['negative (clamped)', -5 * MINUTE, '1 minute'],
    ['1 ms', 1, '1 minute'],
    ['45 s', 45 * SECOND, '1 minute'],
    ['1 min', MINUTE, '1 minute'],
    ['1 min 59 s', 2 * MINUTE - 1, '1 minute'],
    ['2 min', 2 * MINUTE, '2 minutes'],
    ['25 min', 25 * MINUTE, '25 minutes'],
    ['59 min 59 s', HOUR - 1, '59 minutes'],
    ['1 h', HOUR, '1 hour'],
    ['61 min', 61 * MINUTE, '1 hour 1 minute'],
    ['62 min', 62 * MINUTE, '1 hour 2 minutes'],
    ['2 h', 2 * HOUR, '2 hours'],
    ['2 h 30 min 30 s', 2 * HOUR + 30 * MINUTE + 30 * SECOND, '2 hours 30 minutes'],
    ['23 h 59 min', DAY - MINUTE, '23 hours 59 minutes'],
    ['1 day', DAY, '1 day'],
    ['1 day 5 min', DAY + 5 * MINUTE, '1 day 5 minutes'],
    ['26 h 5 min', 26 * HOUR + 5 * MINUTE, '1 day 2 hours'],
    ['3 days', 3 * DAY, '3 days'],
    ['2 days 1 h 1 min', 2 * DAY + HOUR + MINUTE, '2 days 1 hour'],
    ['10 days', 10 * DAY, '10 days'],
    ['400 days', 400 * DAY, '400 days'],
  ])('%s → %p', (_label, ms, expected) => {
    expect(describeDuration(ms)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('rejects %p', (ms) => {
    expect(() => describeDuration(ms)).toThrow(RangeError);
  });
});

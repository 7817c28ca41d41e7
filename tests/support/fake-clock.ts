import type { Clock } from '../../src/ports/clock';

/** The default start of every FakeClock: a fixed instant, so tests are reproducible. */
export const T0 = new Date('2026-03-02T10:00:00.000Z');

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * A clock that moves only when told to. `now` is bound, so it can be handed on as a bare
 * function (`{ now: clock.now }`, as the simulators take it).
 */
export class FakeClock implements Clock {
  #ms: number;

  constructor(start: Date | number = T0) {
    this.#ms = typeof start === 'number' ? start : start.getTime();
  }

  /** Epoch milliseconds of now. */
  get ms(): number {
    return this.#ms;
  }

  readonly now = (): Date => new Date(this.#ms);

  /** Moves forward by `ms` (never backwards). */
  advance(ms: number): Date {
    if (!(ms >= 0)) throw new RangeError('a FakeClock only moves forward');
    this.#ms += ms;
    return this.now();
  }

  set(date: Date): Date {
    this.#ms = date.getTime();
    return this.now();
  }

  /** now + ms, without moving. */
  in(ms: number): Date {
    return new Date(this.#ms + ms);
  }

  /** now − ms, without moving. */
  ago(ms: number): Date {
    return new Date(this.#ms - ms);
  }
}

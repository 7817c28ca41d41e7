import type { Clock } from '../ports/clock';

/** The real time: what every adapter uses when no clock is injected. */
export const systemClock: Clock = { now: () => new Date() };

import type { Clock } from '../../src/ports/clock';
import type { SetTimer } from '../../src/adapters/local/local-task-queue';

/**
 * A deterministic time source for tests: a Clock plus a SetTimer whose
 * timers fire only when time is advanced, in due order, each at its own time.
 */
export class ManualTimers implements Clock {
  private nowMs: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start: Date | number = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    this.nowMs = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  readonly setTimer: SetTimer = (fn, ms) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.nowMs + Math.max(0, ms), fn });
    return () => {
      this.timers.delete(id);
    };
  };

  /** Timers not yet fired. */
  pending(): number {
    return this.timers.size;
  }

  /** When the earliest timer is due. */
  nextAt(): Date | undefined {
    const next = this.earliest();
    return next ? new Date(next[1].at) : undefined;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way; returns how many fired. */
  advance(ms: number): number {
    return this.advanceTo(this.nowMs + ms);
  }

  advanceTo(time: Date | number): number {
    const target = typeof time === 'number' ? time : time.getTime();
    let fired = 0;
    for (let next = this.earliest(); next && next[1].at <= target; next = this.earliest()) {
      this.fire(next);
      fired += 1;
    }
    this.nowMs = Math.max(this.nowMs, target);
    return fired;
  }

  /** Jumps to the earliest timer and fires it; false when none is set. */
  runNext(): boolean {
    const next = this.earliest();
    if (!next) return false;
    this.fire(next);
    return true;
  }

  private fire([id, t]: [number, { at: number; fn: () => void }]): void {
    this.timers.delete(id);
    this.nowMs = Math.max(this.nowMs, t.at);
    t.fn();
  }

  private earliest(): [number, { at: number; fn: () => void }] | undefined {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of this.timers) {
      if (!best || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[0] < best[0]))
        best = entry;
    }
    return best;
  }
}

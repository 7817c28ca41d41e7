// One clock for the connector and both simulators in the chaos suite. It starts at real
// time and real speed; the test can move it forward (the next cron minute) and make it run
// faster once the faults stop, so that waits measured on it (the 60-second grace for Jira
// search to show a freshly created ticket, polling windows, leases) pass as they would
// between production poll rounds, without the test waiting them out. Every reader sees one
// monotonic time. (The local queue keeps its own 100× clock for queue.yaml's backoff.)
import type { Clock } from '../../src/ports/clock';

export class WorldClock implements Clock {
  private anchorReal = Date.now();
  private anchorWorld = this.anchorReal;
  private speed = 1;

  now(): Date {
    return new Date(this.anchorWorld + (Date.now() - this.anchorReal) * this.speed);
  }

  /** Moves every reader of this clock `ms` forward at once. */
  advance(ms: number): void {
    this.anchorWorld += ms;
  }

  /** From now on, world time passes `speed` times faster than real time. */
  setSpeed(speed: number): void {
    const world = this.now().getTime();
    this.anchorReal = Date.now();
    this.anchorWorld = world;
    this.speed = speed;
  }

  /** World milliseconds since `from`. */
  since(from: Date): number {
    return this.now().getTime() - from.getTime();
  }
}

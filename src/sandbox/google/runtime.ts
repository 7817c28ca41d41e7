// What every part of the simulator app shares: the state, the faults, the switches and
// counters of the running server, and its pending latency timers.
import type { Exchange } from '../exchange';
import type { FaultRegistry } from '../faults';
import { GOOGLE_DEFAULT_PROJECT_QUOTA, ProjectQuota, type SimProjectQuota } from './project-quota';
import type { GoogleSimState } from './state';
import type { ParentAccess, SimStats } from './types';

export interface SimRuntimeOptions {
  readonly state: GoogleSimState;
  readonly faults: FaultRegistry;
  readonly token: string;
  readonly maxUploadBytes?: number;
  readonly onExchange?: (ex: Exchange) => void;
  readonly classifications: readonly { id: string; displayName: string }[];
  readonly parentAccess?: Readonly<Record<string, ParentAccess>>;
  readonly projectQuota?: SimProjectQuota | false;
}

export class SimRuntime {
  readonly state: GoogleSimState;
  readonly faults: FaultRegistry;
  readonly token: string;
  readonly maxUploadBytes?: number;
  readonly onExchange?: (ex: Exchange) => void;
  readonly classifications: readonly { id: string; displayName: string }[];
  /** The project's requests per minute (project-quota.ts). */
  readonly quota: ProjectQuota;
  private readonly parentAccess: Readonly<Record<string, ParentAccess>>;
  down = false;
  private counts: SimStats = { total: 0, byRoute: {} };
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: SimRuntimeOptions) {
    this.state = opts.state;
    this.faults = opts.faults;
    this.token = opts.token;
    this.maxUploadBytes = opts.maxUploadBytes;
    this.onExchange = opts.onExchange;
    this.classifications = opts.classifications;
    this.parentAccess = opts.parentAccess ?? {};
    this.quota = new ProjectQuota(opts.projectQuota ?? GOOGLE_DEFAULT_PROJECT_QUOTA);
  }

  /** What the caller may do under `parent` (its IAM roles there). */
  access(parent: string): ParentAccess {
    return this.parentAccess[parent] ?? 'edit';
  }

  count(routeKey: string): void {
    this.counts.total += 1;
    this.counts.byRoute[routeKey] = (this.counts.byRoute[routeKey] ?? 0) + 1;
  }

  stats(): SimStats {
    return { total: this.counts.total, byRoute: { ...this.counts.byRoute } };
  }

  resetStats(): void {
    this.counts = { total: 0, byRoute: {} };
  }

  /** Latency injection; pending delays never end once the server closes (see cancelDelays). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  /** On close: the delayed requests are dropped with their connections. */
  cancelDelays(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

// Jira Cloud's per-issue write limit, as the simulator enforces it on API writes.

export interface SimWriteWindow {
  /** Writes accepted within any `windowMs` on one issue. */
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Jira Cloud's documented per-issue write limits (developer.atlassian.com/cloud/jira/platform/
 * rate-limiting, "Per-issue write limits"): 20 writes per 2 s and 100 per 30 s on one issue.
 */
export const JIRA_PER_ISSUE_WRITE_LIMITS: readonly SimWriteWindow[] = [
  { limit: 20, windowMs: 2_000 },
  { limit: 100, windowMs: 30_000 },
];

/** The `RateLimit-Reason` Jira sends when a per-issue write limit refused a request. */
export const PER_ISSUE_WRITE_REASON = 'jira-per-issue-on-write';

/**
 * Sliding-window counts of accepted writes per issue. A write at `now` is refused when some
 * window already holds `limit` writes in (now − windowMs, now]; refused writes do not count.
 */
export class PerIssueWriteLimit {
  private windows: readonly SimWriteWindow[];
  private readonly accepted = new Map<string, number[]>();
  private rejectedCount = 0;

  constructor(windows: readonly SimWriteWindow[]) {
    this.windows = PerIssueWriteLimit.checked(windows);
  }

  private static checked(windows: readonly SimWriteWindow[]): readonly SimWriteWindow[] {
    for (const w of windows) {
      if (!(
        Number.isInteger(w.limit) &&
        w.limit >= 1 &&
        Number.isFinite(w.windowMs) &&
        w.windowMs > 0
      ))
        throw new Error('a write window needs a positive integer limit and a positive windowMs');
    }
    return windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs }));
  }

  /** Replaces the windows (an empty list turns the limit off). Counts are kept. */
  setWindows(windows: readonly SimWriteWindow[]): void {
    this.windows = PerIssueWriteLimit.checked(windows);
  }

  limits(): SimWriteWindow[] {
    return this.windows.map((w) => ({ ...w }));
  }

  /** Writes refused so far. */
  rejected(): number {
    return this.rejectedCount;
  }

  /** Admits (and counts) one write to `issueId` at `now`, or returns the seconds to wait. */
  admit(issueId: string, now: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.windows.length === 0) return { ok: true };
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    const list = (this.accepted.get(issueId) ?? []).filter((t) => t > now - longest);
    let freeAt = now;
    for (const w of this.windows) {
      const inWindow = list.filter((t) => t > now - w.windowMs);
      if (inWindow.length >= w.limit) {
        // The window has room once its (count − limit + 1)-th oldest write has left it.
        const leaving = inWindow[inWindow.length - w.limit] as number;
        freeAt = Math.max(freeAt, leaving + w.windowMs);
      }
    }
    if (freeAt > now) {
      this.accepted.set(issueId, list);
      this.rejectedCount += 1;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
    }
    list.push(now);
    if (list.length > 1 && (list[list.length - 2] as number) > now) list.sort((a, b) => a - b);
    this.accepted.set(issueId, list);
    return { ok: true };
  }
}

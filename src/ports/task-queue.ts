/**
 * The queued tasks: the two syncs of SPEC §3.1, and the outage notices of one pair that
 * detect-outages found busy (retried by the queue until the pair's lease is free).
 */
export type SyncTask =
  | { readonly kind: 'sync-google-case'; readonly caseName: string }
  | { readonly kind: 'sync-company-case'; readonly caseId: string }
  | { readonly kind: 'post-outage-notices'; readonly mappingId: string };

export interface TaskQueue {
  /**
   * Enqueues a task. `dedupKey` collapses repeated enqueues of one task within a poll
   * (Cloud Tasks task names); enqueueing a duplicate is a success, not an error.
   */
  enqueue(task: SyncTask, opts?: { dedupKey?: string }): Promise<void>;
}

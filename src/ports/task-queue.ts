/** The two queued tasks of SPEC §3.1. */
export type SyncTask =
  | { readonly kind: 'sync-google-case'; readonly caseName: string }
  | { readonly kind: 'sync-company-case'; readonly caseId: string };

export interface TaskQueue {
  /**
   * Enqueues a task. `dedupKey` collapses repeated enqueues of one task within a poll
   * (Cloud Tasks task names); enqueueing a duplicate is a success, not an error.
   */
  enqueue(task: SyncTask, opts?: { dedupKey?: string }): Promise<void>;
}

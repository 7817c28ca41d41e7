/**
 * The queued tasks: the two syncs of SPEC §3.1, and the outage notices of one pair that
 * detect-outages found busy (retried by the queue until the pair's lease is free).
 */
export type SyncTask =
  | { readonly kind: 'sync-google-case'; readonly caseName: string }
  | { readonly kind: 'sync-company-case'; readonly caseId: string }
  | { readonly kind: 'post-outage-notices'; readonly mappingId: string };

export interface EnqueueOptions {
  /**
   * Collapses repeated enqueues of one task (Cloud Tasks task names: a name is refused while
   * its task is queued and for a while after it ran); enqueueing a duplicate is a success.
   */
  readonly dedupKey?: string;
  /** Not delivered before this time (Cloud Tasks `scheduleTime`); now when absent or past. */
  readonly notBefore?: Date;
}

/**
 * What an enqueue did: `created`, or `duplicate` when its dedupKey was taken (nothing new
 * was queued). A queue that cannot tell resolves to nothing.
 */
export type EnqueueResult = 'created' | 'duplicate';

export interface TaskQueue {
  enqueue(task: SyncTask, opts?: EnqueueOptions): Promise<EnqueueResult | void>;
}

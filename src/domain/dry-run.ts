import type { MirroredItem } from './mapping';
import type { FieldAction } from './plan-fields';
import { other, type AttachmentAction, type CommentAction } from './plan-items';
import type { OutageAction } from './plan-outages';
import type { Side } from './types';

// DRY_RUN=true: the tasks plan as usual, but each upstream write becomes a `WouldWrite`,
// said once in the log (`would …`) and recorded in the store as a MirroredItem of kind
// `dry-run`, keyed by the action, so that the next minute's sync does not say it again.
// Those records are never read as mirrored items (plan-items, plan-link and plan-outages
// look at `comment`, `attachment` and `notice` only): once DRY_RUN is off, every action a
// dry run said is planned again and written for real, exactly once.

/** One upstream write that a dry run says instead of making. */
export interface WouldWrite {
  readonly action: WouldAction;
  /** The side that would be written. */
  readonly on: Side;
  /**
   * What the write is about, as ids only (never texts or file names): the source comment
   * or attachment id, the priority, the outage's start; a fixed word when there is one per pair.
   */
  readonly itemId: string;
}

/** The log message of each action (constant; ids go in the line's fields). */
export const WOULD_MESSAGES = {
  'create-ticket': 'would create ticket',
  'create-case': 'would create Google case',
  'link-ticket': 'would link ticket to Google case',
  'link-notice': 'would post link notice',
  'mirror-comment': 'would mirror comment',
  'mirror-attachment': 'would mirror attachment',
  'attachment-too-large': 'would post attachment-too-large notice',
  'set-priority': 'would set priority',
  close: 'would close',
  'outage-notice': 'would post outage notice',
  'resumed-notice': 'would post resumed notice',
} as const;

export type WouldAction = keyof typeof WOULD_MESSAGES;

/** The write a comment action makes; null when it only records a copy that exists (no write). */
export function commentWouldWrite(a: CommentAction): WouldWrite | null {
  if (a.kind === 'record-comment') return null;
  return { action: 'mirror-comment', on: other(a.from), itemId: a.comment.id };
}

/** The write an attachment action makes; null when it only records a copy that exists. */
export function attachmentWouldWrite(a: AttachmentAction): WouldWrite | null {
  if (a.kind === 'record-attachment') return null;
  return { action: a.kind, on: other(a.from), itemId: a.attachment.id };
}

export function fieldWouldWrite(a: FieldAction): WouldWrite {
  return a.kind === 'set-priority'
    ? { action: 'set-priority', on: a.on, itemId: `P${a.priority}` }
    : { action: 'close', on: a.on, itemId: 'closed' };
}

/**
 * The write an outage action makes, keyed by the outage it belongs to (`outageKey`: when
 * it started), so that each outage is said once; null for the store-only actions.
 */
export function outageWouldWrite(a: OutageAction, outageKey: Date): WouldWrite | null {
  if (a.kind !== 'notify') return null;
  return {
    action: a.notice === 'outage' ? 'outage-notice' : 'resumed-notice',
    on: a.on,
    itemId: String(outageKey.getTime()),
  };
}

/** The store record of a said action (idempotent per mapping, side and action). */
export function dryRunRecord(mappingId: string, w: WouldWrite, now: Date): MirroredItem {
  return {
    mappingId,
    kind: 'dry-run',
    sourceSide: w.on,
    sourceId: `${w.action}:${w.itemId}`,
    targetIds: [],
    createdAt: now,
  };
}

/** Identity of a dry-run record among a pair's records. */
export function dryRunKey(r: Pick<MirroredItem, 'sourceSide' | 'sourceId'>): string {
  return `${r.sourceSide}|${r.sourceId}`;
}

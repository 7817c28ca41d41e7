import type { Priority } from './types';

export interface SideState {
  readonly priority: Priority | null;
  readonly closed: boolean;
  readonly updateTime: Date;
}

export type FieldAction =
  | {
      readonly kind: 'set-priority';
      readonly on: 'google' | 'company';
      readonly priority: Priority;
    }
  | { readonly kind: 'close'; readonly on: 'google' | 'company' };

/**
 * Priority: `agreed` is the last priority both sides had. A side that differs from it
 * changed; when both changed, the side updated last wins (newest change wins). A side
 * with an unknown priority (null) is never the source of a change and is not overwritten
 * unless the other side changed.
 */
export function planPriority(
  agreed: Priority,
  google: SideState,
  company: SideState,
): { actions: FieldAction[]; agreed: Priority } {
  const gChanged = google.priority !== null && google.priority !== agreed;
  const cChanged = company.priority !== null && company.priority !== agreed;
  let winner: 'google' | 'company' | null = null;
  if (gChanged && cChanged)
    winner = google.updateTime.getTime() >= company.updateTime.getTime() ? 'google' : 'company';
  else if (gChanged) winner = 'google';
  else if (cChanged) winner = 'company';
  if (!winner) return { actions: [], agreed };
  const p = (winner === 'google' ? google.priority : company.priority) as Priority;
  const loser = winner === 'google' ? company : google;
  const actions: FieldAction[] =
    loser.priority === p || loser.closed
      ? []
      : [{ kind: 'set-priority', on: winner === 'google' ? 'company' : 'google', priority: p }];
  return { actions, agreed: p };
}

/** Closure: a side closed while the other is open closes the other. Returns when it resolved. */
export function planClosure(
  google: SideState,
  company: SideState,
  now: Date,
): { actions: FieldAction[]; resolvedAt: Date | null } {
  if (google.closed && company.closed)
    return { actions: [], resolvedAt: laterOf(google.updateTime, company.updateTime, now) };
  if (google.closed)
    return { actions: [{ kind: 'close', on: 'company' }], resolvedAt: google.updateTime };
  if (company.closed)
    return { actions: [{ kind: 'close', on: 'google' }], resolvedAt: company.updateTime };
  return { actions: [], resolvedAt: null };
}

function laterOf(a: Date, b: Date, cap: Date): Date {
  const t = Math.min(Math.max(a.getTime(), b.getTime()), cap.getTime());
  return new Date(t);
}

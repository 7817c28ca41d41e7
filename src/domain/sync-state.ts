import type { CaseMapping, Global } from './mapping';
import type { Side } from './types';

/**
 * The time up to which one side's updates are known to be synced (SPEC §4).
 *
 * The reference writes `…UpdatesSyncedAt = now` on every open mapping at every poll. We
 * compute the same value instead: a poll that did not mark the mapping pending proved that
 * nothing on that side changed since, so the side is synced up to that poll. While a change
 * is pending, the side is synced only up to the last successful sync of the mapping.
 */
export function effectiveSyncedAt(mapping: CaseMapping, side: Side, global: Global): Date | null {
  const synced = side === 'google' ? mapping.googleUpdatesSyncedAt : mapping.companyUpdatesSyncedAt;
  const pending = side === 'google' ? mapping.googlePendingSince : mapping.companyPendingSince;
  if (pending) return synced;
  const polled = side === 'google' ? global.google_last_polled_at : global.company_last_polled_at;
  return latest(synced, polled);
}

export function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

export function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

/** A case name is under a parent (`organizations/1` or `projects/p`) when it starts with `parent/cases/`. */
export function isUnderParent(caseName: string, parent: string): boolean {
  return caseName.startsWith(`${parent}/cases/`) && /^[^/]+\/[^/]+\/cases\/[^/]+$/.test(caseName);
}

export const ADOPTION_LIMIT_MS = 30 * 24 * 60 * 60 * 1000;
export const CLEAN_UP_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

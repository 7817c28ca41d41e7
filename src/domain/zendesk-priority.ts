// Zendesk's four priorities ⇄ the five Google levels (ZENDESK_PRIORITY_MAP). Several levels
// may share a Zendesk value (P3=low,P4=low); Zendesk → Google takes the first level listed
// for that value. Pure: no IO, no clock.
import { priorityFromGoogle } from './priority';
import { PRIORITIES, type Priority } from './types';

export const ZENDESK_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type ZendeskPriorityValue = (typeof ZENDESK_PRIORITIES)[number];

export const DEFAULT_ZENDESK_PRIORITY_MAP = 'P0=urgent,P1=high,P2=normal,P3=low,P4=low';

export interface ZendeskPriorityMap {
  /** Zendesk value for each level 0–4. */
  readonly toZendesk: Readonly<Record<Priority, ZendeskPriorityValue>>;
  /** Level for each Zendesk value: the first one listed in the map (absent: not mapped). */
  readonly fromZendesk: Readonly<Partial<Record<ZendeskPriorityValue, Priority>>>;
}

/**
 * Parses `P0=urgent,P1=high,P2=normal,P3=low,P4=low` (levels and values case-insensitive,
 * whitespace ignored). Every level must appear once; values must be Zendesk priorities.
 * Throws one Error listing every problem.
 */
export function parseZendeskPriorityMap(spec: string): ZendeskPriorityMap {
  const problems: string[] = [];
  const to = new Map<Priority, ZendeskPriorityValue>();
  const from: Partial<Record<ZendeskPriorityValue, Priority>> = {};
  if (spec.trim() === '') {
    throw new Error(`priority map is empty: expected e.g. "${DEFAULT_ZENDESK_PRIORITY_MAP}"`);
  }
  spec.split(',').forEach((raw, i) => {
    const entry = raw.trim();
    const where = `entry ${i + 1} ("${entry}")`;
    const eq = entry.indexOf('=');
    if (entry === '' || eq < 0) {
      problems.push(`${where} is not LEVEL=VALUE such as P1=high`);
      return;
    }
    const levelText = entry.slice(0, eq).trim();
    const value = entry
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    const level = priorityFromGoogle(levelText.toUpperCase());
    if (level === null) {
      problems.push(`${where} has an unknown level "${levelText}": expected P0, P1, P2, P3 or P4`);
      return;
    }
    if (!(ZENDESK_PRIORITIES as readonly string[]).includes(value)) {
      problems.push(
        `${where} has an unknown Zendesk priority: expected ${ZENDESK_PRIORITIES.join(', ')}`,
      );
      return;
    }
    if (to.has(level)) {
      problems.push(`${where} sets P${level} again`);
      return;
    }
    const v = value as ZendeskPriorityValue;
    to.set(level, v);
    if (from[v] === undefined) from[v] = level;
  });
  const missing = PRIORITIES.filter((p) => !to.has(p));
  if (missing.length > 0) problems.push(`missing ${missing.map((p) => `P${p}`).join(', ')}`);
  if (problems.length > 0) throw new Error(`invalid priority map: ${problems.join('; ')}`);
  const at = (p: Priority): ZendeskPriorityValue => to.get(p) as ZendeskPriorityValue;
  return Object.freeze({
    toZendesk: Object.freeze({ 0: at(0), 1: at(1), 2: at(2), 3: at(3), 4: at(4) }),
    fromZendesk: Object.freeze(from),
  });
}

/** Level of a Zendesk priority value; null, unknown or unmapped → null. */
export function priorityFromZendesk(
  map: ZendeskPriorityMap,
  value: string | null | undefined,
): Priority | null {
  if (value === null || value === undefined) return null;
  return map.fromZendesk[value.trim().toLowerCase() as ZendeskPriorityValue] ?? null;
}

export const DEFAULT_ZENDESK_PRIORITIES: ZendeskPriorityMap = parseZendeskPriorityMap(
  DEFAULT_ZENDESK_PRIORITY_MAP,
);

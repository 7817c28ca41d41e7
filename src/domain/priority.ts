// Priorities on both sides. The domain keeps a number 0–4 (CaseMapping.priority); Google
// speaks 'P0'…'P4' (CSAPI `Case.priority`); Jira speaks priority names that each site
// chooses, so the map Jira name ⇄ level comes from configuration (JIRA_PRIORITY_MAP).

import { PRIORITIES, type Priority } from './types';

export type GooglePriority = 'P0' | 'P1' | 'P2' | 'P3' | 'P4';

const GOOGLE_PRIORITIES: readonly GooglePriority[] = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;

/** The priority a ticket or case gets when neither side says (P2, Google's own default). */
export const DEFAULT_PRIORITY: Priority = 2;

/**
 * 'P0'…'P4' → 0…4. 'PRIORITY_UNSPECIFIED', anything unknown, null and undefined → null
 * (the caller decides what to do: usually keep the mapping's last agreed priority).
 */
export function priorityFromGoogle(value: string | null | undefined): Priority | null {
  if (value === null || value === undefined) return null;
  const index = (GOOGLE_PRIORITIES as readonly string[]).indexOf(value);
  return index < 0 ? null : (index as Priority);
}

export function priorityToGoogle(p: Priority): GooglePriority {
  const value = GOOGLE_PRIORITIES[p];
  if (value === undefined) throw new RangeError(`not a priority level: ${String(p)}`);
  return value;
}

/** Jira priority name for each level 0–4. */
export type JiraPriorityNames = Readonly<Record<Priority, string>>;

export const DEFAULT_JIRA_PRIORITY_MAP = 'P0=Highest,P1=High,P2=Medium,P3=Low,P4=Lowest';

/**
 * Parses `P0=Highest,P1=High,P2=Medium,P3=Low,P4=Lowest`.
 *
 * - Entries are separated by commas; whitespace around entries, levels and names is ignored.
 * - A level is `P0`…`P4` (case-insensitive). A name is everything after the first `=`,
 *   trimmed; it may contain spaces (`P1=High - Urgent`), but not commas.
 * - Every level must appear exactly once, and no two levels may share a name (compared
 *   case-insensitively, as priorityFromJiraName matches), so the inverse map is unambiguous.
 *
 * Throws one Error listing every problem found (which entry, and why).
 */
export function parseJiraPriorityMap(spec: string): JiraPriorityNames {
  const problems: string[] = [];
  const names = new Map<Priority, string>();
  const levelByName = new Map<string, Priority>();

  if (spec.trim() === '') {
    throw new Error('priority map is empty: expected e.g. "' + DEFAULT_JIRA_PRIORITY_MAP + '"');
  }

  spec.split(',').forEach((raw, i) => {
    const entry = raw.trim();
    const where = `entry ${i + 1} ("${entry}")`;
    if (entry === '') {
      problems.push(`entry ${i + 1} is empty`);
      return;
    }
    const eq = entry.indexOf('=');
    if (eq < 0) {
      problems.push(`${where} has no "=": expected LEVEL=NAME such as P1=High`);
      return;
    }
    const levelText = entry.slice(0, eq).trim();
    const name = entry.slice(eq + 1).trim();
    const level = priorityFromGoogle(levelText.toUpperCase());
    if (level === null) {
      problems.push(`${where} has an unknown level "${levelText}": expected P0, P1, P2, P3 or P4`);
      return;
    }
    if (name === '') {
      problems.push(`${where} has an empty name for P${level}`);
      return;
    }
    if (names.has(level)) {
      problems.push(`${where} sets P${level} again (already "${names.get(level) ?? ''}")`);
      return;
    }
    const key = name.toLowerCase();
    const other = levelByName.get(key);
    if (other !== undefined) {
      problems.push(
        `${where} gives P${level} the name "${name}", already used by P${other}: the names must be distinct`,
      );
      return;
    }
    names.set(level, name);
    levelByName.set(key, level);
  });

  const missing = PRIORITIES.filter((p) => !names.has(p));
  if (missing.length > 0) {
    problems.push(
      `missing level${missing.length > 1 ? 's' : ''} ${missing.map((p) => `P${p}`).join(', ')}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(`invalid priority map: ${problems.join('; ')}`);
  }

  const at = (p: Priority): string => names.get(p) as string;
  return Object.freeze({ 0: at(0), 1: at(1), 2: at(2), 3: at(3), 4: at(4) });
}

/** Level of a Jira priority name (case-insensitive, surrounding whitespace ignored); unknown → null. */
export function priorityFromJiraName(
  names: JiraPriorityNames,
  name: string | null | undefined,
): Priority | null {
  if (name === null || name === undefined) return null;
  const key = name.trim().toLowerCase();
  if (key === '') return null;
  for (const p of PRIORITIES) {
    if (names[p].trim().toLowerCase() === key) return p;
  }
  return null;
}

/** Jira's stock priority scheme (DEFAULT_JIRA_PRIORITY_MAP): Highest, High, Medium, Low, Lowest. */
export const DEFAULT_JIRA_PRIORITY_NAMES: JiraPriorityNames =
  parseJiraPriorityMap(DEFAULT_JIRA_PRIORITY_MAP);

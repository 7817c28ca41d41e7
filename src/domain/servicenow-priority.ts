// ServiceNow priorities ⇄ the five Google levels (SERVICENOW_PRIORITY_MAP, SPEC §6.2). An
// incident's priority is derived by the instance from impact × urgency, so the incident map
// names an `impact/urgency` pair per level (`P0=1/1,P1=1/2,P2=2/2,P3=2/3,P4=3/3`); a case
// has its own `priority` 1–4 (`P0=1,P1=2,P2=3,P3=4,P4=4`). Several levels may share a
// value: ServiceNow → Google takes the first level listed. Pure: no IO, no clock.
import { priorityFromGoogle } from './priority';
import { PRIORITIES, type Priority } from './types';

export const SERVICENOW_TABLES = ['incident', 'sn_customerservice_case'] as const;
export type ServiceNowTable = (typeof SERVICENOW_TABLES)[number];

export const DEFAULT_SERVICENOW_PRIORITY_MAPS: Readonly<Record<ServiceNowTable, string>> = {
  incident: 'P0=1/1,P1=1/2,P2=2/2,P3=2/3,P4=3/3',
  sn_customerservice_case: 'P0=1,P1=2,P2=3,P3=4,P4=4',
};

/**
 * The instance's stock Priority Lookup Rules (impact × urgency → priority 1–5), used to
 * read an incident whose pair is not in the map by the priority the instance derived.
 */
const DERIVED: Readonly<Record<string, string>> = {
  '1/1': '1',
  '1/2': '2',
  '1/3': '3',
  '2/1': '2',
  '2/2': '3',
  '2/3': '4',
  '3/1': '3',
  '3/2': '4',
  '3/3': '5',
};

export interface ServiceNowPriorityMap {
  readonly table: ServiceNowTable;
  /** Per level: `impact/urgency` (incident) or the priority value (case). */
  readonly values: Readonly<Record<Priority, string>>;
}

/**
 * Parses the map for a table (levels case-insensitive, whitespace ignored). Every level once;
 * incident values are `IMPACT/URGENCY` with each 1–3, case values 1–4. Throws one Error
 * listing every problem.
 */
export function parseServiceNowPriorityMap(
  table: ServiceNowTable,
  spec: string,
): ServiceNowPriorityMap {
  const example = DEFAULT_SERVICENOW_PRIORITY_MAPS[table];
  if (spec.trim() === '') throw new Error(`priority map is empty: expected e.g. "${example}"`);
  const valid = table === 'incident' ? /^[1-3]\/[1-3]$/ : /^[1-4]$/;
  const what = table === 'incident' ? 'IMPACT/URGENCY, each 1–3' : 'a case priority 1–4';
  const problems: string[] = [];
  const to = new Map<Priority, string>();
  spec.split(',').forEach((raw, i) => {
    const entry = raw.trim();
    const where = `entry ${i + 1} ("${entry}")`;
    const eq = entry.indexOf('=');
    if (eq < 0) {
      problems.push(`${where} is not LEVEL=VALUE such as ${example.split(',')[1]}`);
      return;
    }
    const levelText = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).replace(/\s+/g, '');
    const level = priorityFromGoogle(levelText.toUpperCase());
    if (level === null) {
      problems.push(`${where} has an unknown level "${levelText}": expected P0, P1, P2, P3 or P4`);
      return;
    }
    if (!valid.test(value)) {
      problems.push(`${where} is not ${what} (table ${table})`);
      return;
    }
    if (to.has(level)) {
      problems.push(`${where} sets P${level} again`);
      return;
    }
    to.set(level, value);
  });
  const missing = PRIORITIES.filter((p) => !to.has(p));
  if (missing.length > 0 && problems.length === 0)
    problems.push(`missing ${missing.map((p) => `P${p}`).join(', ')}`);
  if (problems.length > 0) throw new Error(`invalid priority map: ${problems.join('; ')}`);
  const at = (p: Priority): string => to.get(p) as string;
  return Object.freeze({
    table,
    values: Object.freeze({ 0: at(0), 1: at(1), 2: at(2), 3: at(3), 4: at(4) }),
  });
}

/** The fields to write for a level: impact and urgency (incident) or priority (case). */
export function serviceNowPriorityFields(
  map: ServiceNowPriorityMap,
  p: Priority,
): Record<string, string> {
  const v = map.values[p];
  if (map.table !== 'incident') return { priority: v };
  const [impact = '3', urgency = '3'] = v.split('/');
  return { impact, urgency };
}

/**
 * The level of a record: incident by its exact impact/urgency pair, else by the priority
 * the instance derived (compared with what each listed pair derives); case by its priority.
 * The first level listed wins; unknown → null.
 */
export function priorityFromServiceNow(
  map: ServiceNowPriorityMap,
  r: { impact?: string; urgency?: string; priority?: string },
): Priority | null {
  if (map.table === 'incident') {
    const pair = `${r.impact ?? ''}/${r.urgency ?? ''}`;
    const exact = PRIORITIES.find((p) => map.values[p] === pair);
    if (exact !== undefined) return exact;
    const byDerived = PRIORITIES.find((p) => DERIVED[map.values[p]] === (r.priority ?? ''));
    return byDerived ?? null;
  }
  return PRIORITIES.find((p) => map.values[p] === (r.priority ?? '')) ?? null;
}

export const defaultServiceNowPriorityMap = (table: ServiceNowTable): ServiceNowPriorityMap =>
  parseServiceNowPriorityMap(table, DEFAULT_SERVICENOW_PRIORITY_MAPS[table]);

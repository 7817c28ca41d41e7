// Inserting and updating task records (incident, sn_customerservice_case) as the instance
// does, for the Table API and the person API alike: unknown fields ignored, sys_ fields not
// writable, journal fields turned into sys_journal_field entries, the incident's derived
// priority, the state rules, business rules and data policies.
import type { Row } from './query';
import type { ServiceNowState, UserRef } from './state';
import type { TaskTable } from './schema';
import { glideDate, operationFailed } from './wire';

/**
 * Incident priority is derived from impact × urgency (Priority Lookup Rules). The Table
 * API page's own samples show it: impact 1 + urgency 3 → priority 3, and a PATCH setting
 * urgency 1 on impact 1 → priority 1 (c_TableAPI.md, GET …/{sys_id} and PATCH examples).
 */
const PRIORITY_MATRIX: Record<string, Record<string, string>> = {
  '1': { '1': '1', '2': '2', '3': '3' },
  '2': { '1': '2', '2': '3', '3': '4' },
  '3': { '1': '3', '2': '4', '3': '5' },
};

/** c_IncidentManagementStateModel.md: New 1, In Progress 2, On Hold 3, Resolved 6, Closed 7, Canceled 8. */
const INCIDENT_INACTIVE = new Set(['7', '8']);
/** case-api.md, state: 1 New, 3 Closed, 6 Resolved, 10 Open, 18 Awaiting Info. */
const CASE_INACTIVE = new Set(['3']);

/** Fields whose value the instance writes itself. */
const SYSTEM = /^sys_/;

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return '';
  return undefined;
}

export interface WriteInput {
  readonly values: Record<string, unknown>;
  readonly by: UserRef;
}

/** The record is closed and read-only for the integration user (write ACL). */
export function isReadOnly(table: TaskTable, row: Row): boolean {
  return table === 'incident' ? row['state'] === '7' : row['state'] === '3';
}

function applyRules(
  state: ServiceNowState,
  table: TaskTable,
  on: 'insert' | 'update',
  fields: readonly string[],
): void {
  for (const r of state.rules) {
    if (r.table !== null && r.table !== table) continue;
    if (r.on !== 'both' && r.on !== on) continue;
    if (r.field !== undefined && !fields.includes(r.field)) continue;
    throw operationFailed(r.message);
  }
}

/** Data policy of the stock instances: resolving needs a close (resolution) code and notes. */
function checkResolution(table: TaskTable, row: Row): void {
  const closing = table === 'incident' ? ['6', '7'] : ['6', '3'];
  if (!closing.includes(row['state'] ?? '')) return;
  const code = table === 'incident' ? 'close_code' : 'resolution_code';
  const missing = [
    (row[code] ?? '') === '' ? 'Resolution code' : null,
    (row['close_notes'] ?? '') === '' ? 'Resolution notes' : null,
  ].filter((x): x is string => x !== null);
  if (missing.length > 0)
    throw operationFailed(
      `Data Policy Exception: \n\tThe following fields are mandatory: ${missing.join(', ')}\n`,
    );
}

function derive(state: ServiceNowState, table: TaskTable, row: Row, before: Row | null): void {
  if (table === 'incident') {
    row['priority'] = PRIORITY_MATRIX[row['impact'] ?? '3']?.[row['urgency'] ?? '3'] ?? '5';
    row['incident_state'] = row['state'] ?? '1';
  }
  const inactive = table === 'incident' ? INCIDENT_INACTIVE : CASE_INACTIVE;
  row['active'] = inactive.has(row['state'] ?? '') ? 'false' : 'true';
  const resolvedNow = row['state'] === '6' && before?.['state'] !== '6';
  if (resolvedNow) row['resolved_at'] = glideDate(state.now());
}

/** Sets the writable fields the table knows; journal fields become journal entries. */
function assign(
  state: ServiceNowState,
  table: TaskTable,
  row: Row,
  values: Record<string, unknown>,
): { journal: { element: string; value: string }[]; fields: string[] } {
  const journal: { element: string; value: string }[] = [];
  const fields: string[] = [];
  for (const [k, raw] of Object.entries(values)) {
    const f = state.schema.field(table, k);
    const v = asText(raw);
    // c_TableAPI.md, PATCH/POST body: 'fields that have a prefix of "sys_" are typically
    // system parameters that are automatically generated and cannot be updated'; unknown
    // fields are ignored like unknown query terms.
    if (f === undefined || v === undefined || SYSTEM.test(k) || k === 'number') continue;
    if (f.type === 'journal_input') {
      if (v.trim() !== '') journal.push({ element: k, value: v });
      fields.push(k);
      continue;
    }
    if (k === 'priority' && table === 'incident') continue; // derived, see PRIORITY_MATRIX
    row[k] = f.maxLength !== undefined && v.length > f.maxLength ? v.slice(0, f.maxLength) : v;
    fields.push(k);
  }
  return { journal, fields };
}

function writeJournal(
  state: ServiceNowState,
  table: TaskTable,
  row: Row,
  entries: { element: string; value: string }[],
  by: UserRef,
): void {
  for (const e of entries)
    state.insert(
      'sys_journal_field',
      { element: e.element, element_id: row['sys_id'] as string, name: table, value: e.value },
      by.userName,
    );
}

export function insertTask(state: ServiceNowState, table: TaskTable, input: WriteInput): Row {
  const at = glideDate(state.now());
  const row: Row = {
    sys_id: state.newSysId(),
    sys_class_name: table,
    number: state.nextNumber(table),
    short_description: '',
    description: '',
    state: '1',
    impact: '3',
    urgency: '3',
    // case-api.md, priority: "Default: 4".
    priority: table === 'incident' ? '5' : '4',
    correlation_id: '',
    correlation_display: '',
    close_notes: '',
    assignment_group: '',
    opened_at: at,
    sys_created_on: at,
    sys_created_by: input.by.userName,
    sys_updated_on: at,
    sys_updated_by: input.by.userName,
    sys_mod_count: '0',
    comments: '',
    work_notes: '',
    ...(table === 'incident'
      ? { close_code: '', caller_id: '', resolved_at: '' }
      : { resolution_code: '', account: '', contact: '', resolved_at: '' }),
  };
  const syncField = state.schema
    .fieldNames(table)
    .find((f) => f.startsWith('u_') && state.schema.field(table, f)?.type === 'boolean');
  if (syncField) row[syncField] = 'false';
  const { journal, fields } = assign(state, table, row, input.values);
  applyRules(state, table, 'insert', fields);
  derive(state, table, row, null);
  checkResolution(table, row);
  state.table(table).push(row);
  writeJournal(state, table, row, journal, input.by);
  return row;
}

export function updateTask(
  state: ServiceNowState,
  table: TaskTable,
  row: Row,
  input: WriteInput,
  opts: { enforceAcl: boolean },
): Row {
  if (opts.enforceAcl && isReadOnly(table, row))
    throw operationFailed('ACL Exception Update Failed due to security constraints');
  const next: Row = { ...row };
  const { journal, fields } = assign(state, table, next, input.values);
  applyRules(state, table, 'update', fields);
  derive(state, table, next, row);
  checkResolution(table, next);
  next['sys_updated_on'] = glideDate(state.now());
  next['sys_updated_by'] = input.by.userName;
  next['sys_mod_count'] = String(Number(row['sys_mod_count'] ?? '0') + 1);
  Object.assign(row, next);
  writeJournal(state, table, row, journal, input.by);
  return row;
}

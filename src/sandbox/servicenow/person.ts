// The programmatic "person" API: what agents and callers do on the instance (the form,
// the activity stream), bypassing the REST API, its auth, ACLs and limits. Used by tests,
// the sandbox and /_control. Snapshots are plain copies.
import { insertTask, updateTask } from './records';
import type { Row } from './query';
import type { TaskTable } from './schema';
import type { ServiceNowState } from './state';
import type {
  SnAttachmentSnapshot,
  SnJournalSnapshot,
  SnRecordDetail,
  SnRecordInput,
  SnRecordSnapshot,
} from './types';
import { parseGlideDate } from './wire';

const DEFAULT_PERSON = 'Alice Agent';

export interface PersonApi {
  create(table: TaskTable, input: SnRecordInput): SnRecordSnapshot;
  journal(
    sysId: string,
    input: { body: string; element?: 'comments' | 'work_notes'; authorName?: string },
  ): SnJournalSnapshot;
  attachment(
    sysId: string,
    input: { filename: string; content: Buffer; contentType?: string; authorName?: string },
  ): SnAttachmentSnapshot;
  update(sysId: string, values: Record<string, string>, authorName?: string): SnRecordSnapshot;
  resolve(sysId: string, o?: { closed?: boolean; authorName?: string }): void;
  snapshot(sysId: string): SnRecordDetail | null;
  list(table?: TaskTable): SnRecordSnapshot[];
}

const userNameOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '') || 'user';

export function personApi(state: ServiceNowState): PersonApi {
  const who = (name: string | undefined) => {
    const n = name ?? DEFAULT_PERSON;
    return state.user(userNameOf(n), n);
  };
  const task = (sysId: string): { table: TaskTable; row: Row } => {
    const t = state.findTask(sysId);
    if (!t) throw new Error(`no record ${sysId}`);
    return t;
  };
  const date = (s: string | undefined): Date => new Date(parseGlideDate(s ?? ''));
  const snap = (table: TaskTable, r: Row): SnRecordSnapshot => ({
    table,
    sys_id: r['sys_id'] ?? '',
    number: r['number'] ?? '',
    short_description: r['short_description'] ?? '',
    description: r['description'] ?? '',
    state: r['state'] ?? '',
    active: r['active'] === 'true',
    impact: r['impact'] ?? '',
    urgency: r['urgency'] ?? '',
    priority: r['priority'] ?? '',
    correlation_id: r['correlation_id'] ?? '',
    correlation_display: r['correlation_display'] ?? '',
    close_code: (table === 'incident' ? r['close_code'] : r['resolution_code']) ?? '',
    close_notes: r['close_notes'] ?? '',
    assignment_group: r['assignment_group'] ?? '',
    fields: { ...r },
    sys_created_on: date(r['sys_created_on']),
    sys_updated_on: date(r['sys_updated_on']),
  });
  const journalSnap = (j: Row): SnJournalSnapshot => ({
    sys_id: j['sys_id'] ?? '',
    element: j['element'] === 'comments' ? 'comments' : 'work_notes',
    value: j['value'] ?? '',
    sys_created_by: j['sys_created_by'] ?? '',
    authorName: state.userByName(j['sys_created_by'] ?? '')?.['name'] ?? j['sys_created_by'] ?? '',
    sys_created_on: date(j['sys_created_on']),
  });
  const fileSnap = (a: Row): SnAttachmentSnapshot => ({
    sys_id: a['sys_id'] ?? '',
    file_name: a['file_name'] ?? '',
    content_type: a['content_type'] ?? '',
    size_bytes: Number(a['size_bytes'] ?? '0'),
    sys_created_by: a['sys_created_by'] ?? '',
    sys_created_on: date(a['sys_created_on']),
    content: Buffer.concat(state.files.get(a['sys_id'] ?? '') ?? []),
  });
  return {
    create: (table, input) => {
      const by = who(input.authorName);
      const values: Record<string, string> = {
        short_description: input.short_description,
        description: input.description ?? '',
        ...(input.impact !== undefined ? { impact: input.impact } : {}),
        ...(input.urgency !== undefined ? { urgency: input.urgency } : {}),
        ...(input.priority !== undefined ? { priority: input.priority } : {}),
        ...(input.state !== undefined ? { state: input.state } : {}),
        ...(input.correlation_id !== undefined ? { correlation_id: input.correlation_id } : {}),
        ...(input.fields ?? {}),
      };
      const syncField = state.schema
        .fieldNames(table)
        .find((f) => f.startsWith('u_sync') && state.schema.field(table, f)?.type === 'boolean');
      if (syncField !== undefined) values[syncField] = input.selected === false ? 'false' : 'true';
      if (table === 'incident') values['caller_id'] = by.sysId;
      return snap(table, insertTask(state, table, { values, by }));
    },
    journal: (sysIdOrNumber, input) => {
      const { table, row } = task(sysIdOrNumber);
      const sysId = row['sys_id'] ?? '';
      updateTask(
        state,
        table,
        row,
        { values: { [input.element ?? 'comments']: input.body }, by: who(input.authorName) },
        { enforceAcl: false },
      );
      const entries = state.journal(sysId);
      return journalSnap(entries[entries.length - 1] as Row);
    },
    attachment: (sysIdOrNumber, input) => {
      const { table, row: record } = task(sysIdOrNumber);
      const sysId = record['sys_id'] ?? '';
      const by = who(input.authorName);
      const row = state.insert(
        'sys_attachment',
        {
          table_name: table,
          table_sys_id: sysId,
          file_name: input.filename,
          content_type: input.contentType ?? 'application/octet-stream',
          size_bytes: String(input.content.length),
        },
        by.userName,
      );
      state.files.set(row['sys_id'] as string, [Buffer.from(input.content)]);
      return fileSnap(row);
    },
    update: (sysId, values, authorName) => {
      const { table, row } = task(sysId);
      return snap(
        table,
        updateTask(state, table, row, { values, by: who(authorName) }, { enforceAcl: false }),
      );
    },
    resolve: (sysId, o = {}) => {
      const { table, row } = task(sysId);
      const closedState = table === 'incident' ? '7' : '3';
      const code = table === 'incident' ? 'close_code' : 'resolution_code';
      const choices = state
        .table('sys_choice')
        .filter((c) => c['name'] === table && c['element'] === code);
      const firstCode = (choices.find((c) => /^Sol/.test(c['label'] ?? '')) ?? choices[0])?.[
        'value'
      ];
      updateTask(
        state,
        table,
        row,
        {
          values: {
            state: o.closed === true ? closedState : '6',
            [code]: row[code] || firstCode || 'Solution provided',
            close_notes: row['close_notes'] || 'Resolved by the agent.',
          },
          by: who(o.authorName),
        },
        { enforceAcl: false },
      );
    },
    snapshot: (sysIdOrNumber) => {
      const t = state.findTask(sysIdOrNumber);
      if (!t) return null;
      const sysId = t.row['sys_id'] ?? '';
      return {
        ...snap(t.table, t.row),
        journal: state.journal(sysId).map(journalSnap),
        attachments: state.attachmentsOf(sysId).map(fileSnap),
      };
    },
    list: (table) =>
      (table ? [table] : (['incident', 'sn_customerservice_case'] as TaskTable[])).flatMap((t) =>
        state.table(t).map((r) => snap(t, r)),
      ),
  };
}

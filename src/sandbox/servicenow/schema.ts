// The tables the simulator holds and their dictionary: each field belongs to one table, and
// a table extends its parent (incident and sn_customerservice_case extend task, so
// `correlation_id`, `comments`, `work_notes`… are defined on task). sys_dictionary and
// sys_db_object are generated from this, so a field removed here is unknown everywhere.

export type FieldType =
  | 'GUID'
  | 'string'
  | 'integer'
  | 'boolean'
  | 'glide_date_time'
  | 'reference'
  | 'journal_input'
  | 'choice';

export interface FieldDef {
  readonly type: FieldType;
  /** Reference fields: the table referenced. */
  readonly ref?: string;
  readonly maxLength?: number;
}

export interface TableDef {
  readonly name: string;
  readonly label: string;
  readonly parent: string | null;
  /** The fields this table defines itself (not inherited). */
  readonly fields: Record<string, FieldDef>;
  /** Field shown as a reference's display value. */
  readonly display?: string;
}

const SYS_FIELDS: Record<string, FieldDef> = {
  sys_id: { type: 'GUID', maxLength: 32 },
  sys_created_on: { type: 'glide_date_time' },
  sys_created_by: { type: 'string', maxLength: 40 },
  sys_updated_on: { type: 'glide_date_time' },
  sys_updated_by: { type: 'string', maxLength: 40 },
  sys_mod_count: { type: 'integer' },
};

const str = (maxLength: number): FieldDef => ({ type: 'string', maxLength });
const ref = (table: string): FieldDef => ({ type: 'reference', ref: table, maxLength: 32 });
const int: FieldDef = { type: 'integer' };
const choice: FieldDef = { type: 'choice', maxLength: 40 };

/** The custom checkbox SERVICENOW_SYNC_QUERY's default names (SPEC §6.2). */
export const DEFAULT_SYNC_FIELD = 'u_sync_google_cloud_support';

export const TASK_TABLES = ['incident', 'sn_customerservice_case'] as const;
export type TaskTable = (typeof TASK_TABLES)[number];

export function tableDefs(syncField: string | null): TableDef[] {
  const custom: Record<string, FieldDef> =
    syncField === null ? {} : { [syncField]: { type: 'boolean' } };
  return [
    {
      name: 'task',
      label: 'Task',
      parent: null,
      display: 'number',
      fields: {
        ...SYS_FIELDS,
        sys_class_name: str(80),
        number: str(40),
        short_description: str(160),
        description: str(4000),
        state: { type: 'integer' },
        active: { type: 'boolean' },
        impact: int,
        urgency: int,
        priority: int,
        // case-api.md, correlation_id: "Correlation identifier … Maximum length: 100".
        correlation_id: str(100),
        correlation_display: str(100),
        // case-api.md, comments / work_notes: journal fields, "Maximum length: 4,000".
        comments: { type: 'journal_input', maxLength: 4000 },
        work_notes: { type: 'journal_input', maxLength: 4000 },
        close_notes: str(4000),
        assignment_group: ref('sys_user_group'),
        opened_at: { type: 'glide_date_time' },
      },
    },
    {
      name: 'incident',
      label: 'Incident',
      parent: 'task',
      fields: {
        close_code: choice,
        caller_id: ref('sys_user'),
        incident_state: int,
        resolved_at: { type: 'glide_date_time' },
        ...custom,
      },
    },
    {
      name: 'sn_customerservice_case',
      label: 'Case',
      parent: 'task',
      fields: {
        // case-api.md, resolution_code: "Resolution state for the case … Maximum length: 40".
        resolution_code: choice,
        account: str(32),
        contact: str(32),
        resolved_at: { type: 'glide_date_time' },
        ...custom,
      },
    },
    {
      name: 'sys_journal_field',
      label: 'Journal Entry',
      parent: null,
      fields: {
        ...SYS_FIELDS,
        element: str(80),
        element_id: str(32),
        name: str(80),
        value: str(4000),
      },
    },
    {
      name: 'sys_attachment',
      label: 'Attachment',
      parent: null,
      fields: {
        ...SYS_FIELDS,
        table_name: str(80),
        table_sys_id: str(32),
        file_name: str(100),
        content_type: str(100),
        size_bytes: str(40),
      },
    },
    {
      name: 'sys_dictionary',
      label: 'Dictionary Entry',
      parent: null,
      fields: { ...SYS_FIELDS, name: str(80), element: str(80), internal_type: str(40) },
    },
    {
      name: 'sys_db_object',
      label: 'Table',
      parent: null,
      display: 'name',
      fields: { ...SYS_FIELDS, name: str(80), label: str(80), super_class: ref('sys_db_object') },
    },
    {
      name: 'sys_choice',
      label: 'Choice',
      parent: null,
      fields: {
        ...SYS_FIELDS,
        name: str(80),
        element: str(80),
        value: str(40),
        label: str(100),
        sequence: int,
        inactive: { type: 'boolean' },
        language: str(10),
      },
    },
    {
      name: 'sys_properties',
      label: 'System Property',
      parent: null,
      display: 'name',
      fields: { ...SYS_FIELDS, name: str(100), value: str(4000) },
    },
    {
      name: 'sys_user',
      label: 'User',
      parent: null,
      display: 'name',
      fields: { ...SYS_FIELDS, user_name: str(40), name: str(80), active: { type: 'boolean' } },
    },
    {
      name: 'sys_user_role',
      label: 'Role',
      parent: null,
      display: 'name',
      fields: { ...SYS_FIELDS, name: str(100) },
    },
    {
      name: 'sys_user_has_role',
      label: 'User Role',
      parent: null,
      fields: { ...SYS_FIELDS, user: ref('sys_user'), role: ref('sys_user_role') },
    },
    {
      name: 'sys_user_group',
      label: 'Group',
      parent: null,
      display: 'name',
      fields: { ...SYS_FIELDS, name: str(80) },
    },
  ];
}

/** The tables by name, with each table's full field list (its own and its parents'). */
export class Schema {
  private readonly byName = new Map<string, TableDef>();

  constructor(defs: readonly TableDef[]) {
    for (const d of defs) this.byName.set(d.name, d);
  }

  has(table: string): boolean {
    return this.byName.has(table);
  }

  def(table: string): TableDef | undefined {
    return this.byName.get(table);
  }

  all(): TableDef[] {
    return [...this.byName.values()];
  }

  /** The field on the table or one of its parents. */
  field(table: string, name: string): FieldDef | undefined {
    for (let t = this.byName.get(table); t; t = t.parent ? this.byName.get(t.parent) : undefined) {
      const f = t.fields[name];
      if (f) return f;
    }
    return undefined;
  }

  fieldNames(table: string): string[] {
    const out: string[] = [];
    for (let t = this.byName.get(table); t; t = t.parent ? this.byName.get(t.parent) : undefined)
      out.push(...Object.keys(t.fields));
    return out;
  }

  /** Removes a field from whichever table defines it (a custom field never created). */
  dropField(table: string, name: string): void {
    for (let t = this.byName.get(table); t; t = t.parent ? this.byName.get(t.parent) : undefined) {
      if (t.fields[name]) {
        const { [name]: _gone, ...rest } = t.fields;
        this.byName.set(t.name, { ...t, fields: rest });
        return;
      }
    }
  }

  displayField(table: string): string {
    return this.byName.get(table)?.display ?? 'sys_id';
  }
}

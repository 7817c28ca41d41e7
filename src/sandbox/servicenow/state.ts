// The instance's database: rows of string values per table (what the Table API reads and
// writes), file bytes beside sys_attachment rows, and what the integration user may see
// (ACLs). Every table the adapter reads goes through the same generic query path, so an
// unknown field in any query is ignored the same way (query.ts).
import { randomBytes } from 'node:crypto';
import {
  parseQuery,
  matches,
  sortRows,
  type ParsedQuery,
  type QueryContext,
  type Row,
} from './query';
import { Schema, tableDefs, TASK_TABLES, type TaskTable } from './schema';
import { glideDate } from './wire';

export interface UserRef {
  readonly sysId: string;
  readonly userName: string;
  readonly name: string;
}

/** A business rule that aborts matching writes (403, its message). */
export interface BusinessRule {
  readonly id: string;
  readonly table: string | null;
  readonly on: 'insert' | 'update' | 'both';
  /** Only writes that set this field. */
  readonly field?: string;
  readonly message: string;
}

/** The stock incident close codes (sys_choice incident.close_code, as on a recent release). */
const INCIDENT_CLOSE_CODES = [
  'Duplicate',
  'Known error',
  'No resolution provided',
  'Resolved by caller',
  'Resolved by change',
  'Resolved by problem',
  'Resolved by request',
  'Solution provided',
  'Workaround provided',
  'User error',
];
/** case-api.md, resolution_code: e.g. "Solved - Fixed by Support/Guidance provided". */
const CASE_RESOLUTION_CODES = [
  'Solved - Fixed by Support/Guidance provided',
  'Solved - Workaround provided',
  'Solved - Fixed by Customer',
  'Not Solved - Not Reproducible',
  'Not Solved - Product Limitation',
];

export class ServiceNowState {
  readonly schema: Schema;
  private readonly rows = new Map<string, Row[]>();
  readonly files = new Map<string, Buffer[]>();
  /** Records the integration user may not read (row ACLs). */
  readonly hidden = new Set<string>();
  journalReadable = true;
  propertiesReadable = true;
  dictionaryReadable = true;
  readonly rules: BusinessRule[] = [];
  private seq: Record<TaskTable, number> = { incident: 10000, sn_customerservice_case: 1000 };
  private ruleSeq = 0;
  readonly integrationUser: UserRef;

  constructor(
    readonly now: () => Date,
    syncField: string | null,
    integration: { userName: string; name: string },
    opts: { maxAttachmentMb: number; roles: readonly string[] },
  ) {
    this.schema = new Schema(tableDefs(syncField));
    for (const t of this.schema.all()) this.rows.set(t.name, []);
    this.refreshCatalog();
    this.integrationUser = this.user(integration.userName, integration.name);
    for (const r of opts.roles) this.grantRole(r);
    this.insert('sys_properties', {
      name: 'com.glide.attachment.max_size',
      value: String(opts.maxAttachmentMb),
    });
    INCIDENT_CLOSE_CODES.forEach((v, i) => this.choice('incident', 'close_code', v, i));
    // resolution_code holds 40 characters (case-api.md): the values are short, the labels not.
    CASE_RESOLUTION_CODES.forEach((label, i) =>
      this.choice('sn_customerservice_case', 'resolution_code', String(i + 1), i, label),
    );
  }

  newSysId(): string {
    return randomBytes(16).toString('hex');
  }

  /** sys_db_object and sys_dictionary, generated from the schema. */
  refreshCatalog(): void {
    const ids = new Map<string, string>();
    const objects: Row[] = [];
    for (const t of this.schema.all()) {
      const existing = this.rows.get('sys_db_object')?.find((r) => r['name'] === t.name);
      const id = existing?.['sys_id'] ?? this.newSysId();
      ids.set(t.name, id);
    }
    for (const t of this.schema.all()) {
      objects.push(
        this.stamp({
          sys_id: ids.get(t.name) as string,
          name: t.name,
          label: t.label,
          super_class: t.parent ? (ids.get(t.parent) ?? '') : '',
        }),
      );
    }
    this.rows.set('sys_db_object', objects);
    this.rows.set(
      'sys_dictionary',
      this.schema
        .all()
        .flatMap((t) =>
          Object.entries(t.fields).map(([element, f]) =>
            this.stamp({ sys_id: this.newSysId(), name: t.name, element, internal_type: f.type }),
          ),
        ),
    );
  }

  private stamp(r: Row): Row {
    const at = glideDate(this.now());
    return {
      sys_created_on: at,
      sys_created_by: 'system',
      sys_updated_on: at,
      sys_updated_by: 'system',
      sys_mod_count: '0',
      ...r,
    };
  }

  table(name: string): Row[] {
    return this.rows.get(name) ?? [];
  }

  insert(table: string, values: Row, by = 'system'): Row {
    const row = this.stamp({ sys_id: this.newSysId(), ...values });
    row['sys_created_by'] = by;
    row['sys_updated_by'] = by;
    this.table(table).push(row);
    return row;
  }

  find(table: string, sysId: string): Row | undefined {
    return this.table(table).find((r) => r['sys_id'] === sysId);
  }

  /** A task record by sys_id, or by number (INC0010001) for people and /_control. */
  findTask(sysIdOrNumber: string): { table: TaskTable; row: Row } | undefined {
    for (const table of TASK_TABLES) {
      const row =
        this.find(table, sysIdOrNumber) ??
        this.table(table).find((r) => r['number'] === sysIdOrNumber);
      if (row) return { table, row };
    }
    return undefined;
  }

  delete(table: string, sysId: string): boolean {
    const rows = this.table(table);
    const i = rows.findIndex((r) => r['sys_id'] === sysId);
    if (i < 0) return false;
    rows.splice(i, 1);
    return true;
  }

  nextNumber(table: TaskTable): string {
    this.seq[table] += 1;
    const prefix = table === 'incident' ? 'INC' : 'CS';
    return `${prefix}${String(this.seq[table]).padStart(7, '0')}`;
  }

  user(userName: string, name: string): UserRef {
    const found = this.table('sys_user').find((u) => u['user_name'] === userName);
    const row = found ?? this.insert('sys_user', { user_name: userName, name, active: 'true' });
    return { sysId: row['sys_id'] as string, userName, name: row['name'] ?? name };
  }

  userByName(userName: string): Row | undefined {
    return this.table('sys_user').find((u) => u['user_name'] === userName);
  }

  grantRole(role: string): void {
    const r =
      this.table('sys_user_role').find((x) => x['name'] === role) ??
      this.insert('sys_user_role', { name: role });
    const has = this.table('sys_user_has_role').some(
      (x) => x['user'] === this.integrationUser.sysId && x['role'] === r['sys_id'],
    );
    if (!has)
      this.insert('sys_user_has_role', {
        user: this.integrationUser.sysId,
        role: r['sys_id'] as string,
      });
  }

  revokeRole(role: string): void {
    const r = this.table('sys_user_role').find((x) => x['name'] === role);
    if (!r) return;
    const rows = this.table('sys_user_has_role');
    this.rows.set(
      'sys_user_has_role',
      rows.filter((x) => !(x['user'] === this.integrationUser.sysId && x['role'] === r['sys_id'])),
    );
  }

  choice(table: string, element: string, value: string, sequence: number, label = value): void {
    this.insert('sys_choice', {
      name: table,
      element,
      value,
      label,
      sequence: String(sequence),
      inactive: 'false',
      language: 'en',
    });
  }

  addRule(rule: Omit<BusinessRule, 'id'>): string {
    const id = `rule-${++this.ruleSeq}`;
    this.rules.push({ ...rule, id });
    return id;
  }

  /** The reference's display value (its table's display field), or '' when unknown. */
  display(table: string, field: string, value: string): string {
    const f = this.schema.field(table, field);
    if (f?.type !== 'reference' || f.ref === undefined || value === '') return value;
    const target = this.find(f.ref, value);
    return target?.[this.schema.displayField(f.ref)] ?? '';
  }

  queryContext(table: string): QueryContext {
    const knows = (field: string): boolean => {
      const [head, ...rest] = field.split('.');
      const f = this.schema.field(table, head ?? '');
      if (f === undefined) return false;
      if (rest.length === 0) return true;
      return (
        f.type === 'reference' &&
        f.ref !== undefined &&
        this.schema.field(f.ref, rest.join('.')) !== undefined
      );
    };
    const value = (row: Row, field: string): string => {
      const [head = '', ...rest] = field.split('.');
      const v = row[head] ?? '';
      if (rest.length === 0) return v;
      const f = this.schema.field(table, head);
      const target = f?.ref !== undefined ? this.find(f.ref, v) : undefined;
      return target?.[rest.join('.')] ?? '';
    };
    return { knows, value, userId: this.integrationUser.sysId };
  }

  parse(table: string, query: string): ParsedQuery {
    return parseQuery(query, this.queryContext(table));
  }

  /** Rows matching the query, ordered; before any ACL. */
  select(table: string, q: ParsedQuery): Row[] {
    const ctx = this.queryContext(table);
    return sortRows(
      this.table(table).filter((r) => matches(r, q, ctx)),
      q,
      ctx,
    );
  }

  /** Whether the integration user may read this row (row ACLs; c_TableAPI.md sysparm_limit). */
  readable(table: string, row: Row): boolean {
    const id = row['sys_id'] ?? '';
    if (this.hidden.has(id)) return false;
    switch (table) {
      case 'sys_journal_field':
        return this.journalReadable && !this.hidden.has(row['element_id'] ?? '');
      case 'sys_attachment':
        return !this.hidden.has(row['table_sys_id'] ?? '');
      case 'sys_properties':
        return this.propertiesReadable;
      case 'sys_dictionary':
      case 'sys_db_object':
        return this.dictionaryReadable;
      default:
        return true;
    }
  }

  /** The journal of a record, oldest first. */
  journal(sysId: string): Row[] {
    return this.table('sys_journal_field')
      .filter((j) => j['element_id'] === sysId)
      .sort((a, b) => (a['sys_created_on'] ?? '').localeCompare(b['sys_created_on'] ?? ''));
  }

  attachmentsOf(sysId: string): Row[] {
    return this.table('sys_attachment')
      .filter((a) => a['table_sys_id'] === sysId)
      .sort((a, b) => (a['sys_created_on'] ?? '').localeCompare(b['sys_created_on'] ?? ''));
  }
}

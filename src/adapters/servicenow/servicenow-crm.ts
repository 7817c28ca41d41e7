// The Crm port on ServiceNow (Table API and Attachment API, reference/servicenow/) over
// Node's fetch, for SERVICENOW_TABLE=incident or sn_customerservice_case (SPEC §6.2).
// Upstream JSON is checked by servicenow-schemas.ts and mapped by servicenow-mapping.ts;
// failures are classified by servicenow-errors.ts; servicenow-client.ts sends,
// authenticates and repeats; servicenow-paging.ts pages; attachment bytes stream through
// servicenow-attachments.ts; the boot guard is servicenow-fields.ts.
//
// - Poll: the sync query plus `sys_updated_on>=` (UTC, whole seconds) in keyset pages, then
//   sys_attachment rows created since then (adding a file does not touch the record's
//   sys_updated_on), whose records are reported too. The fields check runs before the first
//   poll: an unknown field in the query would be ignored by the instance and sync every record.
// - Link: correlation_id = the case name, correlation_display = "Google Cloud Support".
// - Comments: sys_journal_field entries (`comments` public, `work_notes` internal) in creation
//   order, written by PATCHing the field. The §3.4 header on an entry of the integration user
//   is the only mark of a mirror; the store's records are the authority.
// - Retries: 429 (and 503 with Retry-After) for every request; other transient failures only
//   for reads and PATCHes that set a value; never for what creates (record, journal entry,
//   file). A 403 (ACL, data policy, business rule) is logged with ServiceNow's message and
//   raised as permanent: dropped, not retried.
import type { Readable } from 'node:stream';
import { SyncError, TooLargeError } from '../../domain/errors';
import type { Check } from '../../domain/checks';
import {
  defaultServiceNowPriorityMap,
  serviceNowPriorityFields,
  type ServiceNowPriorityMap,
  type ServiceNowTable,
} from '../../domain/servicenow-priority';
import {
  DEFAULT_SERVICENOW_SYNC_QUERY,
  queryFields,
  requiredEqualities,
} from '../../domain/servicenow-query';
import type { SyncSettings } from '../../domain/settings';
import type {
  Attachment,
  Comment,
  CommentVisibility,
  CrmTicket,
  NewCrmTicket,
  Priority,
} from '../../domain/types';
import type { Crm } from '../../ports/crm';
import type { Page } from '../../ports/support-cases';
import { downloadFile, SERVICENOW_DEFAULT_MAX_BYTES, uploadFile } from './servicenow-attachments';
import { ServiceNowClient, type Me } from './servicenow-client';
import { diagnoseServiceNow } from './servicenow-diagnose';
import { permanent } from './servicenow-errors';
import { checkFields, type FieldCheck } from './servicenow-fields';
import {
  checkCaseName,
  checkSysId,
  closeCodeField,
  CORRELATION_DISPLAY,
  correlationDisplay,
  glideOf,
  isClosedState,
  parseGlide,
  summaryOf,
  toAttachment,
  toComment,
  toTicket,
} from './servicenow-mapping';
import type { ServiceNowCrmOptions } from './servicenow-options';
import { allRows, decodeToken, encodeToken, keysetPage, type PollToken } from './servicenow-paging';
import {
  attachmentRefSchema,
  attachmentSchema,
  choiceSchema,
  idSchema,
  journalSchema,
  listOf,
  oneOf,
  propertySchema,
  recordSchema,
  userSchema,
  type SnRecord,
} from './servicenow-schemas';

export type { ServiceNowCrmOptions } from './servicenow-options';

/** The close notes the connector writes when the Google case was closed. */
export const CLOSE_NOTES = 'Resolved because the linked Google Cloud Support case was closed.';
/** Close codes preferred when the instance offers them (stock incident and case choices). */
const PREFERRED_CODES = [
  'Solution provided',
  'Solved (Permanently)',
  'Solved Remotely (Permanently)',
  'Solved - Fixed by Support/Guidance provided',
];
const LIMIT_TTL_MS = 60 * 60_000;

export class ServiceNowCrm implements Crm {
  readonly sn: ServiceNowClient;
  private readonly table: ServiceNowTable;
  private readonly syncQuery: string;
  private readonly map: ServiceNowPriorityMap;
  private readonly pageSize: number;
  private readonly fields: string[];
  private readonly names = new Map<string, string>();
  private verified: Promise<void> | undefined;
  private closeCode: Promise<string> | undefined;
  private limit: { bytes: number; readable: boolean; at: number } | undefined;

  constructor(private readonly opts: ServiceNowCrmOptions) {
    this.sn = new ServiceNowClient({
      ...opts,
      onRefusal: (op, env) =>
        opts.log?.warn(
          { op, table: opts.table, snMessage: env?.message, snDetail: env?.detail },
          'servicenow refused the request (ACL, data policy or business rule): dropped',
        ),
    });
    this.table = opts.table;
    this.syncQuery = opts.syncQuery ?? DEFAULT_SERVICENOW_SYNC_QUERY;
    this.map = opts.priorities ?? defaultServiceNowPriorityMap(opts.table);
    this.pageSize = Math.max(1, Math.min(1000, opts.pageSize ?? 100));
    this.fields = [
      'sys_id',
      'number',
      'short_description',
      'description',
      'state',
      'impact',
      'urgency',
      'priority',
      'correlation_id',
      'correlation_display',
      'sys_created_on',
      'sys_updated_on',
    ];
  }

  private get path(): string {
    return `/api/now/table/${this.table}`;
  }

  /** Every field the sync query and the adapter name (what the boot guard checks). */
  namedFields(): string[] {
    return [
      ...new Set([
        ...this.fields,
        'active',
        'correlation_display',
        'comments',
        'work_notes',
        'close_notes',
        closeCodeField(this.table),
        ...(this.opts.assignmentGroup !== undefined ? ['assignment_group'] : []),
        ...queryFields(this.syncQuery),
      ]),
    ];
  }

  /** The boot guard (SPEC §6.2): which named fields the table lacks, from the dictionary. */
  checkFields(): Promise<FieldCheck> {
    return checkFields(this.sn, this.table, this.namedFields());
  }

  /** Runs the fields check once (until it passes); missing fields are a permanent error. */
  private ensureFields(): Promise<void> {
    this.verified ??= this.checkFields().then((c) => {
      if (c.missing.length > 0)
        throw permanent(
          `ServiceNow ${this.table} has no field ${c.missing.join(', ')}: SERVICENOW_SYNC_QUERY would be ignored in part and widen the sync`,
        );
    });
    this.verified.catch(() => {
      this.verified = undefined;
    });
    return this.verified;
  }

  // --- reads -----------------------------------------------------------------------------

  async searchUpdated(updatedAfter: Date, pageToken?: string): Promise<Page<CrmTicket>> {
    await this.ensureFields();
    const token: PollToken = pageToken === undefined ? { p: 'r', o: 0 } : decodeToken(pageToken);
    const since = glideOf(updatedAfter);
    if (token.p === 'r') {
      const page = await keysetPage(this.sn, {
        op: `GET ${this.table} (poll)`,
        table: this.table,
        query: `${this.syncQuery}^sys_updated_on>=${since}`,
        timeField: 'sys_updated_on',
        fields: this.fields,
        limit: this.pageSize,
        cursor: token,
        row: recordSchema,
        time: (r) => r.sys_updated_on,
      });
      const items = page.rows
        .map((r) => toTicket(r, this.table, this.map))
        .filter((t) => t.updateTime.getTime() >= updatedAfter.getTime());
      const next: PollToken = page.next !== null ? { p: 'r', ...page.next } : { p: 'a', o: 0 };
      return { items, nextPageToken: encodeToken(next) };
    }
    // Files added since then: their records, unless the record itself changed (reported above).
    const page = await keysetPage(this.sn, {
      op: 'GET sys_attachment (poll)',
      table: 'sys_attachment',
      query: `table_name=${this.table}^sys_created_on>=${since}`,
      timeField: 'sys_created_on',
      fields: ['sys_id', 'table_sys_id', 'sys_created_on'],
      limit: this.pageSize,
      cursor: token,
      row: attachmentRefSchema,
      time: (a) => a.sys_created_on,
    });
    const newest = new Map<string, Date>();
    for (const a of page.rows) {
      const at = parseGlide(a.sys_created_on);
      if (at.getTime() < updatedAfter.getTime() || !/^[0-9a-f]{32}$/.test(a.table_sys_id)) continue;
      const prev = newest.get(a.table_sys_id);
      if (prev === undefined || prev < at) newest.set(a.table_sys_id, at);
    }
    const items: CrmTicket[] = [];
    if (newest.size > 0) {
      const { result } = await this.sn.call(
        `GET ${this.table} (attached)`,
        'GET',
        this.path,
        listOf(recordSchema),
        {
          query: {
            sysparm_query: `sys_idIN${[...newest.keys()].join(',')}^${this.syncQuery}`,
            sysparm_fields: this.fields.join(','),
            sysparm_limit: newest.size,
            sysparm_exclude_reference_link: 'true',
          },
        },
      );
      for (const r of result) {
        const updated = parseGlide(r.sys_updated_on);
        if (updated.getTime() >= updatedAfter.getTime()) continue;
        items.push(toTicket(r, this.table, this.map, newest.get(r.sys_id)));
      }
    }
    return {
      items,
      ...(page.next !== null ? { nextPageToken: encodeToken({ p: 'a', ...page.next }) } : {}),
    };
  }

  private async fetchRecord(ticketId: string, op = `GET ${this.table}`): Promise<SnRecord> {
    checkSysId(ticketId);
    const { result } = await this.sn.call(
      op,
      'GET',
      `${this.path}/${ticketId}`,
      oneOf(recordSchema),
      {
        query: { sysparm_fields: this.fields.join(','), sysparm_exclude_reference_link: 'true' },
      },
    );
    return result;
  }

  async get(ticketId: string): Promise<CrmTicket | null> {
    try {
      return toTicket(await this.fetchRecord(ticketId), this.table, this.map);
    } catch (e) {
      if (e instanceof SyncError && e.status === 404) return null;
      throw e;
    }
  }

  async findByGoogleCase(caseName: string): Promise<CrmTicket | null> {
    const name = checkCaseName(caseName);
    const { result } = await this.sn.call(
      `GET ${this.table} (by case)`,
      'GET',
      this.path,
      listOf(recordSchema),
      {
        query: {
          sysparm_query: `correlation_id=${name}^ORDERBYsys_created_on^ORDERBYsys_id`,
          sysparm_fields: this.fields.join(','),
          sysparm_limit: 10,
          sysparm_exclude_reference_link: 'true',
        },
      },
    );
    const match = result.find((r) => r.correlation_id.trim() === name);
    return match === undefined ? null : toTicket(match, this.table, this.map);
  }

  // --- writes ----------------------------------------------------------------------------

  async create(input: NewCrmTicket): Promise<CrmTicket> {
    const caseName = checkCaseName(input.googleCaseName);
    const { result } = await this.sn.call(
      `POST ${this.table}`,
      'POST',
      this.path,
      oneOf(recordSchema),
      {
        repeat: 'refusals',
        query: { sysparm_fields: this.fields.join(','), sysparm_exclude_reference_link: 'true' },
        body: {
          // What the sync query requires (e.g. u_sync_google_cloud_support=true), so it is selected.
          ...requiredEqualities(this.syncQuery),
          short_description: summaryOf(input.summary),
          description: input.description,
          correlation_id: caseName,
          correlation_display: CORRELATION_DISPLAY,
          ...serviceNowPriorityFields(this.map, input.priority),
          ...(this.opts.assignmentGroup !== undefined
            ? { assignment_group: this.opts.assignmentGroup }
            : {}),
        },
      },
    );
    return toTicket(result, this.table, this.map);
  }

  private async patch(
    what: string,
    ticketId: string,
    body: Record<string, string>,
  ): Promise<SnRecord> {
    checkSysId(ticketId);
    const { result } = await this.sn.call(
      `PATCH ${this.table} (${what})`,
      'PATCH',
      `${this.path}/${ticketId}`,
      oneOf(recordSchema),
      {
        repeat: what === 'comment' ? 'refusals' : 'idempotent',
        query: { sysparm_fields: this.fields.join(','), sysparm_exclude_reference_link: 'true' },
        body,
      },
    );
    return result;
  }

  async linkGoogleCase(ticketId: string, caseName: string): Promise<void> {
    const r = await this.fetchRecord(ticketId);
    const level = toTicket(r, this.table, this.map).priority;
    await this.patch('link', ticketId, {
      correlation_id: checkCaseName(caseName),
      correlation_display:
        level === null ? CORRELATION_DISPLAY : correlationDisplay(this.map, level),
    });
  }

  async setPriority(ticketId: string, priority: Priority): Promise<void> {
    // correlation_display carries the exact level when the map shares its value (see mapping).
    await this.patch('priority', ticketId, {
      ...serviceNowPriorityFields(this.map, priority),
      correlation_display: correlationDisplay(this.map, priority),
    });
  }

  async close(ticketId: string): Promise<void> {
    const r = await this.fetchRecord(ticketId);
    if (isClosedState(this.table, r.state)) return;
    await this.patch('close', ticketId, {
      state: '6',
      [closeCodeField(this.table)]: await this.resolveCode(),
      close_notes: CLOSE_NOTES,
    });
  }

  /** The close (resolution) code: read once from the instance's sys_choice rows. */
  resolveCode(): Promise<string> {
    this.closeCode ??= this.sn
      .call('GET sys_choice', 'GET', '/api/now/table/sys_choice', listOf(choiceSchema), {
        query: {
          sysparm_query: `name=${this.table}^element=${closeCodeField(this.table)}^inactive=false^ORDERBYsequence`,
          sysparm_fields: 'value,label,language',
          sysparm_limit: 200,
        },
      })
      .then(({ result }) => {
        const usable = result.filter((c) => c.language === '' || c.language === 'en');
        const code =
          PREFERRED_CODES.map((p) => usable.find((c) => c.label === p || c.value === p)).find(
            (c) => c !== undefined,
          )?.value ?? usable[0]?.value;
        if (code === undefined)
          throw permanent(
            `ServiceNow offers no ${closeCodeField(this.table)} choice for ${this.table} (sys_choice)`,
          );
        return code;
      });
    this.closeCode.catch(() => {
      this.closeCode = undefined;
    });
    return this.closeCode;
  }

  // --- comments --------------------------------------------------------------------------

  private journalUnreadable(ticketId: string): never {
    this.opts.log?.error(
      { table: this.table, ticketId },
      'servicenow journal not readable: grant read on sys_journal_field',
    );
    throw permanent(
      'ServiceNow sys_journal_field entries are hidden from the integration user: grant it read access (an ACL on sys_journal_field)',
    );
  }

  async listComments(ticketId: string, since?: Date): Promise<Comment[]> {
    await this.fetchRecord(ticketId);
    const me = await this.sn.connector();
    const rows = await allRows(this.sn, {
      op: 'GET sys_journal_field',
      table: 'sys_journal_field',
      query: `element_id=${ticketId}^elementINcomments,work_notes${since !== undefined ? `^sys_created_on>=${glideOf(since)}` : ''}`,
      timeField: 'sys_created_on',
      fields: ['sys_id', 'element', 'value', 'sys_created_on', 'sys_created_by'],
      limit: this.pageSize,
      row: journalSchema,
      time: (j) => j.sys_created_on,
      onHidden: () => this.journalUnreadable(ticketId),
    });
    await this.learnNames(
      rows.map((j) => j.sys_created_by),
      me,
    );
    return rows
      .map((j) => toComment(j, me, this.names))
      .filter((c) => since === undefined || c.createTime.getTime() > since.getTime());
  }

  /** Display names of the people who wrote (one sys_user read for the names not known yet). */
  private async learnNames(userNames: readonly string[], me: Me): Promise<void> {
    const unknown = [...new Set(userNames)].filter(
      (u) => u !== '' && u !== me.userName && !this.names.has(u) && !u.includes(','),
    );
    if (unknown.length === 0) return;
    const { result } = await this.sn.call(
      'GET sys_user',
      'GET',
      '/api/now/table/sys_user',
      listOf(userSchema),
      {
        query: {
          sysparm_query: `user_nameIN${unknown.join(',')}`,
          sysparm_fields: 'sys_id,user_name,name',
          sysparm_limit: unknown.length,
        },
      },
    );
    if (this.names.size > 5000) this.names.clear();
    for (const u of result) if (u.name !== '') this.names.set(u.user_name, u.name);
  }

  async addComment(
    ticketId: string,
    body: string,
    opts: { visibility: CommentVisibility; mirrorOf?: string },
  ): Promise<Comment> {
    const element = opts.visibility === 'public' ? 'comments' : 'work_notes';
    const me = await this.sn.connector();
    const r = await this.patch('comment', ticketId, { [element]: body });
    // The entry the PATCH wrote: same element, author and text, created in that second or just before.
    const after = glideOf(new Date(parseGlide(r.sys_updated_on).getTime() - 2000));
    const page = await keysetPage(this.sn, {
      op: 'GET sys_journal_field (written)',
      table: 'sys_journal_field',
      query: `element_id=${ticketId}^element=${element}^sys_created_by=${me.userName}^sys_created_on>=${after}`,
      timeField: 'sys_created_on',
      fields: ['sys_id', 'element', 'value', 'sys_created_on', 'sys_created_by'],
      limit: 50,
      cursor: { o: 0 },
      row: journalSchema,
      time: (j) => j.sys_created_on,
    });
    const found = [...page.rows].reverse().find((j) => j.value.trim() === body.trim());
    if (found === undefined) {
      if (page.hidden) this.journalUnreadable(ticketId);
      // Written, but not found: never written again (it would be a duplicate).
      throw permanent('ServiceNow journal entry not found right after it was written');
    }
    return toComment(found, me, this.names);
  }

  // --- attachments -----------------------------------------------------------------------

  async listAttachments(ticketId: string): Promise<Attachment[]> {
    await this.fetchRecord(ticketId);
    const me = await this.sn.connector();
    const out: Attachment[] = [];
    for (let offset = 0; ; offset += this.pageSize) {
      const { result } = await this.sn.call(
        'GET attachment',
        'GET',
        '/api/now/attachment',
        listOf(attachmentSchema),
        {
          query: {
            sysparm_query: `table_name=${this.table}^table_sys_id=${ticketId}^ORDERBYsys_created_on^ORDERBYsys_id`,
            sysparm_limit: this.pageSize,
            sysparm_offset: offset > 0 ? offset : undefined,
          },
        },
      );
      await this.learnNames(
        result.map((a) => a.sys_created_by),
        me,
      );
      out.push(...result.map((a) => toAttachment(a, me, this.names)));
      // The Attachment API sends no paging headers: only an empty page ends the list.
      if (result.length === 0) break;
    }
    return out;
  }

  download(_ticketId: string, attachmentId: string): Promise<Readable> {
    return downloadFile(this.sn, attachmentId);
  }

  async upload(
    ticketId: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    const ignoreUntilPiped = (): void => undefined;
    file.content.on('error', ignoreUntilPiped);
    try {
      checkSysId(ticketId);
      const limit = await this.uploadLimitBytes();
      if (file.sizeBytes > limit)
        throw new TooLargeError('Attachment exceeds the ServiceNow attachment limit', {
          limitBytes: limit,
          source: 'servicenow',
        });
      const me = await this.sn.connector();
      const a = await uploadFile(
        this.sn,
        { table: this.table, sysId: ticketId },
        file,
        limit,
        this.opts.transactionQuotaMs ?? 60_000,
      );
      return toAttachment(a, me, this.names);
    } catch (e) {
      file.content.destroy();
      throw e;
    } finally {
      file.content.off('error', ignoreUntilPiped);
    }
  }

  /**
   * The per-file limit: com.glide.attachment.max_size (MB) where sys_properties is readable,
   * else 1024 MB (c_AttachmentAPI.md), never more than the transaction quota lets through at
   * the assumed rate. Read at most once an hour.
   */
  async uploadLimitBytes(): Promise<number> {
    if (this.opts.uploadLimitBytes !== undefined) return this.opts.uploadLimitBytes;
    return (await this.attachmentLimit()).bytes;
  }

  async attachmentLimit(): Promise<{ bytes: number; readable: boolean }> {
    const now = this.sn.now();
    if (this.limit !== undefined && now - this.limit.at < LIMIT_TTL_MS)
      return { bytes: this.limit.bytes, readable: this.limit.readable };
    const { result } = await this.sn.call(
      'GET sys_properties',
      'GET',
      '/api/now/table/sys_properties',
      listOf(propertySchema),
      {
        query: {
          sysparm_query: 'name=com.glide.attachment.max_size',
          sysparm_fields: 'value',
          sysparm_limit: 1,
        },
      },
    );
    const mb = Number(result[0]?.value ?? 'NaN');
    const readable = Number.isFinite(mb) && mb > 0;
    const max = readable ? Math.floor(mb * 1024 * 1024) : SERVICENOW_DEFAULT_MAX_BYTES;
    const quota =
      ((this.opts.transactionQuotaMs ?? 60_000) / 1000) *
      (this.opts.uploadBytesPerSecond ?? 8 * 1024 * 1024);
    this.limit = { bytes: Math.floor(Math.min(max, quota)), readable, at: now };
    return { bytes: this.limit.bytes, readable };
  }

  diagnose(settings: SyncSettings): Promise<Check[]> {
    return diagnoseServiceNow(
      this,
      {
        table: this.table,
        syncQuery: this.syncQuery,
        map: this.map,
        fields: this.namedFields(),
      },
      settings,
    );
  }

  /** For the doctor: a record selected now (the newest), if any. */
  async sampleRecordId(): Promise<{ id: string | null; total: number | undefined }> {
    const { data, headers } = await this.sn.answer(
      `GET ${this.table} (sample)`,
      'GET',
      this.path,
      listOf(idSchema),
      {
        query: {
          sysparm_query: `${this.syncQuery}^ORDERBYDESCsys_updated_on`,
          sysparm_fields: 'sys_id',
          sysparm_limit: 1,
        },
      },
    );
    const v = Number(headers.get('x-total-count') ?? 'NaN');
    return { id: data.result[0]?.sys_id ?? null, total: Number.isFinite(v) ? v : undefined };
  }
}

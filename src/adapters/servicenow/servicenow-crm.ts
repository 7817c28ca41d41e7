// The Crm port on ServiceNow (Table API and Attachment API, reference/servicenow/) over
// Node's fetch, for SERVICENOW_TABLE=incident or sn_customerservice_case (SPEC §6.2).
// Upstream JSON is checked by servicenow-schemas.ts and mapped by servicenow-mapping.ts;
// failures are classified by servicenow-errors.ts; servicenow-client.ts sends,
// authenticates and repeats; servicenow-paging.ts pages, servicenow-poll.ts polls,
// servicenow-journal.ts reads and finds journal entries, servicenow-instance.ts reads the
// close code and the attachment limit; attachment bytes stream through
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
//   raised as permanent: dropped, not retried; on a comment or file, as ReadOnlyTargetError
//   (that item dropped for good, the rest of the pair syncs: servicenow-errors.ts).
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
import { downloadFile, uploadFile } from './servicenow-attachments';
import { ServiceNowClient } from './servicenow-client';
import { diagnoseServiceNow } from './servicenow-diagnose';
import { InstanceSettings } from './servicenow-instance';
import { ServiceNowJournal } from './servicenow-journal';
import { pollPage } from './servicenow-poll';
import { permanent, refusedItem } from './servicenow-errors';
import { checkFields, type FieldCheck } from './servicenow-fields';
import {
  checkCaseName,
  checkSysId,
  closeCodeField,
  CORRELATION_DISPLAY,
  correlationDisplay,
  isClosedState,
  summaryOf,
  toAttachment,
  toTicket,
} from './servicenow-mapping';
import type { ServiceNowCrmOptions } from './servicenow-options';
import {
  attachmentSchema,
  idSchema,
  listOf,
  oneOf,
  recordSchema,
  type SnRecord,
} from './servicenow-schemas';

export type { ServiceNowCrmOptions } from './servicenow-options';

/** The close notes the connector writes when the Google case was closed. */
export const CLOSE_NOTES = 'Resolved because the linked Google Cloud Support case was closed.';

export class ServiceNowCrm implements Crm {
  readonly sn: ServiceNowClient;
  readonly table: ServiceNowTable;
  readonly syncQuery: string;
  readonly map: ServiceNowPriorityMap;
  readonly pageSize: number;
  readonly fields: string[];
  private readonly journal: ServiceNowJournal;
  private verified: Promise<void> | undefined;
  private readonly instance: InstanceSettings;

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
    this.journal = new ServiceNowJournal(this.sn, this.table, this.pageSize, opts.log);
    this.instance = new InstanceSettings(this.sn, this.table, opts);
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
    return pollPage(this, updatedAfter, pageToken);
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
        // PATCH documents no sysparm_exclude_reference_link; these fields hold no reference.
        query: { sysparm_fields: this.fields.join(',') },
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

  /** The close (resolution) code, from the instance's sys_choice rows (read once). */
  resolveCode(): Promise<string> {
    return this.instance.closeCode();
  }

  // --- comments --------------------------------------------------------------------------

  async listComments(ticketId: string, since?: Date): Promise<Comment[]> {
    await this.fetchRecord(ticketId);
    return this.journal.list(ticketId, await this.sn.connector(), since);
  }

  async addComment(
    ticketId: string,
    body: string,
    opts: { visibility: CommentVisibility; mirrorOf?: string },
  ): Promise<Comment> {
    const element = opts.visibility === 'public' ? 'comments' : 'work_notes';
    const me = await this.sn.connector();
    const r = await this.patch('comment', ticketId, { [element]: body }).catch((e: unknown) => {
      throw refusedItem(e);
    });
    return this.journal.written(ticketId, element, body, r.sys_updated_on, me);
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
      await this.journal.learnNames(
        result.map((a) => a.sys_created_by),
        me,
      );
      out.push(...result.map((a) => toAttachment(a, me, this.journal.names)));
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
      return toAttachment(a, me, this.journal.names);
    } catch (e) {
      file.content.destroy();
      throw refusedItem(e);
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

  attachmentLimit(): Promise<{ bytes: number; readable: boolean }> {
    return this.instance.attachmentLimit();
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

// Comments and work notes: journal entries in sys_journal_field (`element` comments or
// work_notes, `element_id` the record), read in creation order in keyset pages; an entry
// hidden by ACLs (the integration user lacks read access to sys_journal_field) is an error,
// never a silent gap. A journal entry has no metadata: the §3.4 header on an entry of the
// integration user is the only mark of a mirror (SPEC §6.2).
import type { ServiceNowTable } from '../../domain/servicenow-priority';
import type { Comment } from '../../domain/types';
import type { Logger } from '../../ports/logger';
import type { Me, ServiceNowClient } from './servicenow-client';
import { permanent } from './servicenow-errors';
import { glideOf, parseGlide, toComment } from './servicenow-mapping';
import { allRows, keysetPage } from './servicenow-paging';
import { journalSchema, listOf, userSchema } from './servicenow-schemas';

export class ServiceNowJournal {
  /** Display names by user_name (sys_user.name), learnt as the adapter reads. */
  readonly names = new Map<string, string>();

  constructor(
    private readonly sn: ServiceNowClient,
    private readonly table: ServiceNowTable,
    private readonly pageSize: number,
    private readonly log?: Pick<Logger, 'warn' | 'error'>,
  ) {}

  unreadable(ticketId: string): never {
    this.log?.error(
      { table: this.table, ticketId },
      'servicenow journal not readable: grant read on sys_journal_field',
    );
    throw permanent(
      'ServiceNow sys_journal_field entries are hidden from the integration user: grant it read access (an ACL on sys_journal_field)',
    );
  }

  /** The record's comments and work notes, oldest first (created after `since` when given). */
  async list(ticketId: string, me: Me, since?: Date): Promise<Comment[]> {
    const rows = await allRows(this.sn, {
      op: 'GET sys_journal_field',
      table: 'sys_journal_field',
      query: `element_id=${ticketId}^elementINcomments,work_notes${since !== undefined ? `^sys_created_on>=${glideOf(since)}` : ''}`,
      timeField: 'sys_created_on',
      fields: ['sys_id', 'element', 'value', 'sys_created_on', 'sys_created_by'],
      limit: this.pageSize,
      row: journalSchema,
      time: (j) => j.sys_created_on,
      onHidden: () => this.unreadable(ticketId),
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
  async learnNames(userNames: readonly string[], me: Me): Promise<void> {
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

  /**
   * The entry a PATCH of `element` just wrote (`updatedOn`: the record's sys_updated_on it
   * answered): same element, author and text, created in that second or just before.
   */
  async written(
    ticketId: string,
    element: 'comments' | 'work_notes',
    body: string,
    updatedOn: string,
    me: Me,
  ): Promise<Comment> {
    const after = glideOf(new Date(parseGlide(updatedOn).getTime() - 2000));
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
    const newestFirst = [...page.rows].reverse();
    const wanted = body.trim();
    // The same text; else an entry the instance shortened (journal fields are given 4,000
    // characters in case-api.md): written all the same, so it is not written again.
    const found =
      newestFirst.find((j) => j.value.trim() === wanted) ??
      newestFirst.find((j) => j.value.trim().length > 0 && wanted.startsWith(j.value.trim()));
    if (found !== undefined && found.value.trim() !== wanted)
      this.log?.warn(
        { table: this.table, ticketId, written: wanted.length, stored: found.value.trim().length },
        'servicenow shortened a journal entry',
      );
    if (found === undefined) {
      if (page.hidden) this.unreadable(ticketId);
      // Written, but not found: never written again (it would be a duplicate).
      throw permanent('ServiceNow journal entry not found right after it was written');
    }
    return toComment(found, me, this.names);
  }
}

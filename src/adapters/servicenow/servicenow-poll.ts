// The poll of SPEC §6.2 (Crm.searchUpdated): the sync query plus `sys_updated_on>=` (UTC,
// whole seconds) in keyset pages (servicenow-paging.ts), then sys_attachment rows created
// since then, whose records are reported too: adding a file does not change a record's
// sys_updated_on on a stock instance. A page token carries the phase and its cursor.
import type { ServiceNowPriorityMap, ServiceNowTable } from '../../domain/servicenow-priority';
import type { CrmTicket } from '../../domain/types';
import type { Page } from '../../ports/support-cases';
import type { ServiceNowClient } from './servicenow-client';
import { glideOf, parseGlide, toTicket } from './servicenow-mapping';
import { decodeToken, encodeToken, keysetPage, type PollToken } from './servicenow-paging';
import { attachmentRefSchema, listOf, recordSchema } from './servicenow-schemas';

export interface PollContext {
  readonly sn: ServiceNowClient;
  readonly table: ServiceNowTable;
  readonly syncQuery: string;
  readonly map: ServiceNowPriorityMap;
  readonly fields: readonly string[];
  readonly pageSize: number;
}

export async function pollPage(
  o: PollContext,
  updatedAfter: Date,
  pageToken?: string,
): Promise<Page<CrmTicket>> {
  const token: PollToken = pageToken === undefined ? { p: 'r', o: 0 } : decodeToken(pageToken);
  const since = glideOf(updatedAfter);
  if (token.p === 'r') {
    const page = await keysetPage(o.sn, {
      op: `GET ${o.table} (poll)`,
      table: o.table,
      query: `${o.syncQuery}^sys_updated_on>=${since}`,
      timeField: 'sys_updated_on',
      fields: o.fields,
      limit: o.pageSize,
      cursor: token,
      row: recordSchema,
      time: (r) => r.sys_updated_on,
    });
    const items = page.rows
      .map((r) => toTicket(r, o.table, o.map))
      .filter((t) => t.updateTime.getTime() >= updatedAfter.getTime());
    const next: PollToken = page.next !== null ? { p: 'r', ...page.next } : { p: 'a', o: 0 };
    return { items, nextPageToken: encodeToken(next) };
  }
  // Files added since then: their records, unless the record itself changed (reported above).
  const page = await keysetPage(o.sn, {
    op: 'GET sys_attachment (poll)',
    table: 'sys_attachment',
    query: `table_name=${o.table}^sys_created_on>=${since}`,
    timeField: 'sys_created_on',
    fields: ['sys_id', 'table_sys_id', 'sys_created_on'],
    limit: o.pageSize,
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
    const { result } = await o.sn.call(
      `GET ${o.table} (attached)`,
      'GET',
      `/api/now/table/${o.table}`,
      listOf(recordSchema),
      {
        query: {
          sysparm_query: `sys_idIN${[...newest.keys()].join(',')}^${o.syncQuery}`,
          sysparm_fields: o.fields.join(','),
          sysparm_limit: newest.size,
          sysparm_exclude_reference_link: 'true',
        },
      },
    );
    for (const r of result) {
      const updated = parseGlide(r.sys_updated_on);
      if (updated.getTime() >= updatedAfter.getTime()) continue;
      items.push(toTicket(r, o.table, o.map, newest.get(r.sys_id)));
    }
  }
  return {
    items,
    ...(page.next !== null ? { nextPageToken: encodeToken({ p: 'a', ...page.next }) } : {}),
  };
}

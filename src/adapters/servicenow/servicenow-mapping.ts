// ServiceNow rows (checked by servicenow-schemas.ts) ↔ domain types, and the values the
// adapter writes: raw ServiceNow shapes stop here.
import { SyncError } from '../../domain/errors';
import {
  priorityFromServiceNow,
  serviceNowPriorityFields,
  type ServiceNowPriorityMap,
  type ServiceNowTable,
} from '../../domain/servicenow-priority';
import { mirrorMark } from '../../domain/plan-items';
import { parseMirrorHeader } from '../../domain/texts';
import {
  PRIORITIES,
  type Attachment,
  type Comment,
  type CrmTicket,
  type Priority,
} from '../../domain/types';
import { SERVICENOW_SOURCE } from './servicenow-errors';
import type { SnAttachment, SnJournal, SnRecord } from './servicenow-schemas';
import type { Me } from './servicenow-client';

/** What correlation_display says on every record the connector links (SPEC §6.2). */
export const CORRELATION_DISPLAY = 'Google Cloud Support';
const LEVEL_MARK = / \(P([0-4])\)$/;

/**
 * correlation_display for a level: `Google Cloud Support`, plus ` (P4)` when the map gives
 * that level's value to several levels (the default case map's P3=4,P4=4), so that the exact
 * level the connector set reads back (and is not taken for a change to P3).
 */
export function correlationDisplay(map: ServiceNowPriorityMap, p: Priority): string {
  const shared = PRIORITIES.filter((q) => map.values[q] === map.values[p]).length > 1;
  return shared ? `${CORRELATION_DISPLAY} (P${p})` : CORRELATION_DISPLAY;
}

/** The level of a record: the mark of correlation_display while it agrees with the value. */
export function levelOf(map: ServiceNowPriorityMap, r: SnRecord): Priority | null {
  const byValue = priorityFromServiceNow(map, r);
  const m = LEVEL_MARK.exec(
    typeof r['correlation_display'] === 'string' ? r['correlation_display'] : '',
  );
  if (byValue === null || m === null) return byValue;
  const marked = Number(m[1]) as Priority;
  const fields = serviceNowPriorityFields(map, marked);
  const agrees = Object.entries(fields).every(([k, v]) => r[k] === v);
  return agrees ? marked : byValue;
}
const CASE_NAME = /^(organizations|projects)\/[^/\s^]+\/cases\/[^/\s^]+$/;
/** case-api.md, correlation_id: "Maximum length: 100". */
const CORRELATION_MAX = 100;
/** short_description is 160 characters on task; the full text stays in the description. */
const SUMMARY_MAX = 160;
const SYS_ID = /^[0-9a-f]{32}$/;

/** The field holding the close (resolution) code: incident close_code, case resolution_code. */
export const closeCodeField = (table: ServiceNowTable): string =>
  table === 'incident' ? 'close_code' : 'resolution_code';

/** c_IncidentManagementStateModel.md (6 Resolved, 7 Closed, 8 Canceled); case-api.md (3 Closed, 6 Resolved). */
export function isClosedState(table: ServiceNowTable, state: string): boolean {
  return table === 'incident' ? ['6', '7', '8'].includes(state) : ['3', '6'].includes(state);
}

/** Table API date-times are UTC `YYYY-MM-DD HH:MM:SS` (c_TableAPI.md, sysparm_display_value). */
export function parseGlide(s: string): Date {
  const d = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s)
    ? new Date(`${s.replace(' ', 'T')}Z`)
    : new Date(Number.NaN);
  if (Number.isNaN(d.getTime()))
    throw new SyncError('permanent', 'ServiceNow answered a date that is not a glide date-time', {
      source: SERVICENOW_SOURCE,
    });
  return d;
}

/** A Date as an encoded-query value: UTC, whole seconds (rounded down). */
export function glideOf(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export function checkSysId(id: string, what = 'record'): void {
  if (!SYS_ID.test(id))
    throw new SyncError('permanent', `Invalid ServiceNow ${what} sys_id`, {
      source: SERVICENOW_SOURCE,
    });
}

/** A case name usable as correlation_id and as an encoded-query value. */
export function checkCaseName(caseName: string): string {
  const v = caseName.trim();
  if (!CASE_NAME.test(v) || v.length > CORRELATION_MAX)
    throw new SyncError(
      'permanent',
      'Google case name does not fit ServiceNow correlation_id (at most 100 characters)',
      { source: SERVICENOW_SOURCE },
    );
  return v;
}

export function summaryOf(text: string): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ').trim();
  return Array.from(oneLine === '' ? '(no summary)' : oneLine)
    .slice(0, SUMMARY_MAX)
    .join('');
}

export function toTicket(
  r: SnRecord,
  table: ServiceNowTable,
  map: ServiceNowPriorityMap,
  updateTime?: Date,
): CrmTicket {
  const link = r.correlation_id.trim();
  return {
    id: r.sys_id,
    key: r.number,
    summary: r.short_description,
    description: r.description,
    priority: levelOf(map, r),
    closed: isClosedState(table, r.state),
    createTime: parseGlide(r.sys_created_on),
    updateTime: updateTime ?? parseGlide(r.sys_updated_on),
    googleCaseName: CASE_NAME.test(link) ? link : null,
    projectKey: table,
  };
}

/** Display names by user_name (sys_user.name), learnt as the adapter reads. */
export type Names = ReadonlyMap<string, string>;

function authorOf(userName: string, me: Me, names: Names) {
  const isConnector = userName !== '' && userName === me.userName;
  return {
    displayName: isConnector ? me.name : (names.get(userName) ?? (userName || 'Unknown user')),
    isConnector,
  };
}

/**
 * A journal entry as a comment. A journal entry has no metadata: the §3.4 header on an entry
 * the integration user wrote is the only mark of what it mirrors (SPEC §6.2).
 */
export function toComment(j: SnJournal, me: Me, names: Names): Comment {
  const author = authorOf(j.sys_created_by, me, names);
  const h = author.isConnector ? parseMirrorHeader(j.value) : null;
  return {
    id: j.sys_id,
    author,
    body: j.value,
    createTime: parseGlide(j.sys_created_on),
    isPublic: j.element === 'comments',
    ...(h?.side === 'google' ? { mirrorOf: mirrorMark('google', h.commentId) } : {}),
  };
}

export function toAttachment(a: SnAttachment, me: Me, names: Names): Attachment {
  const author = authorOf(a.sys_created_by, me, names);
  return {
    id: a.sys_id,
    filename: a.file_name,
    mimeType: a.content_type || 'application/octet-stream',
    sizeBytes: a.size_bytes,
    createTime: parseGlide(a.sys_created_on),
    author:
      author.isConnector || a.created_by_name === undefined || a.created_by_name === ''
        ? author
        : { ...author, displayName: a.created_by_name },
  };
}

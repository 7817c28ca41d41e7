// Small builders of domain values for the planners' tables (pure data, no fakes).
import type { CaseMapping, Global, MirroredItem } from '../../../src/domain/mapping';
import type {
  Attachment,
  Comment,
  CrmTicket,
  Priority,
  SupportCase,
} from '../../../src/domain/types';

export const T0 = new Date('2026-11-02T10:00:00.000Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** T0 plus `ms`. */
export const at = (ms: number): Date => new Date(T0.getTime() + ms);

export function mapping(patch: Partial<CaseMapping> = {}): CaseMapping {
  return {
    id: 'm1',
    googleCaseName: 'organizations/1/cases/7',
    companyCaseID: '10001',
    companyCaseKey: 'SUP-1',
    newContentAt: T0,
    resolvedAt: null,
    companyUpdatesSyncedAt: T0,
    googleUpdatesSyncedAt: T0,
    outageCommentSentToGoogle: false,
    outageCommentSentToCompany: false,
    priority: 2,
    origin: 'google',
    googlePendingSince: null,
    companyPendingSince: null,
    counterpartCreationStartedAt: null,
    outageDetectedAt: null,
    version: 1,
    ...patch,
  };
}

export function global(polledAt: Date | null = T0): Global {
  return { google_last_polled_at: polledAt, company_last_polled_at: polledAt, version: 1 };
}

export function comment(id: string, patch: Partial<Comment> = {}): Comment {
  return {
    id,
    author: { displayName: 'Sam', isConnector: false, isGoogleSupport: false },
    body: `comment ${id}`,
    createTime: T0,
    isPublic: true,
    ...patch,
  };
}

export function attachment(id: string, patch: Partial<Attachment> = {}): Attachment {
  return {
    id,
    filename: `file-${id}.txt`,
    mimeType: 'text/plain',
    sizeBytes: 100,
    createTime: T0,
    author: { displayName: 'Sam', isConnector: false },
    ...patch,
  };
}

export function record(
  patch: Partial<MirroredItem> & Pick<MirroredItem, 'sourceId'>,
): MirroredItem {
  return {
    mappingId: 'm1',
    kind: 'comment',
    sourceSide: 'google',
    targetIds: [`copy-of-${patch.sourceId}`],
    createdAt: T0,
    ...patch,
  };
}

export function supportCase(patch: Partial<SupportCase> = {}): SupportCase {
  return {
    name: 'organizations/1/cases/7',
    displayName: 'VM down',
    description: 'd',
    priority: 2 as Priority,
    closed: false,
    createTime: T0,
    updateTime: T0,
    ...patch,
  };
}

export function ticket(patch: Partial<CrmTicket> = {}): CrmTicket {
  return {
    id: '10001',
    key: 'SUP-1',
    summary: 'VM down',
    description: 'd',
    priority: 2 as Priority,
    closed: false,
    createTime: T0,
    updateTime: T0,
    googleCaseName: null,
    projectKey: 'SUP',
    ...patch,
  };
}

// Datastore entity shapes of SPEC §3.3 and their mapping to domain types. Pure: no SDK
// import, so the in-memory store applies the very same limits and the same encoding rules.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SyncError } from '../../domain/errors';
import type { CaseMapping, Global, MirroredItem } from '../../domain/mapping';
import type { Side } from '../../domain/types';

export const KIND = {
  caseMapping: 'CaseMapping',
  caseMappingIndex: 'CaseMappingIndex',
  global: 'Global',
  mirroredItem: 'MirroredItem',
  lease: 'Lease',
  taskRun: 'TaskRun',
} as const;

/** Key name of the single `Global` entity. */
export const GLOBAL_KEY_NAME = 'global';

/** Production limit is 1,048,572 bytes; the emulator does not enforce it, so we do. */
const MAX_ENTITY_BYTES = 900 * 1024;
/** Indexed string values may not exceed 1,500 bytes in production. */
const MAX_INDEXED_STRING_BYTES = 1500;
/** Key names longer than this are replaced by a hash (the hard limit is 1,500 bytes). */
const MAX_KEY_NAME_BYTES = 400;
/** At most 500 mutations per commit. */
export const MAX_BATCH = 500;

type PropertyValue = string | number | boolean | Date | null | readonly PropertyValue[];
export type Properties = Record<string, PropertyValue>;

/** Properties never queried: written with excludeFromIndexes (cheaper writes, no size cap). */
export const UNINDEXED: Readonly<Record<(typeof KIND)[keyof typeof KIND], readonly string[]>> = {
  // Indexed: googleCaseName, companyCaseID (operators look pairs up in the console),
  // resolvedAt (listOpen: `resolvedAt = null`; clean-up: `resolvedAt < before`), and for
  // the status page's filters lastErrorAt (failing) and outageDetectedAt (in outage).
  CaseMapping: [
    'companyCaseKey',
    'newContentAt',
    'companyUpdatesSyncedAt',
    'googleUpdatesSyncedAt',
    'outageCommentSentToGoogle',
    'outageCommentSentToCompany',
    'priority',
    'origin',
    'googlePendingSince',
    'companyPendingSince',
    'counterpartCreationStartedAt',
    'pausedAt',
    'lastError',
    'version',
  ],
  CaseMappingIndex: ['mappingId'],
  Global: ['google_last_polled_at', 'company_last_polled_at', 'version'],
  // Read by ancestor query only (the built-in key index serves it).
  MirroredItem: ['mappingId', 'kind', 'sourceSide', 'sourceId', 'targetIds', 'createdAt'],
  Lease: ['key', 'holder', 'expiresAt'],
  // Read newest first by key order (key names sort by inverted time).
  TaskRun: ['task', 'at', 'outcome', 'ref', 'reason', 'counts'],
};

/** For the SDK: array properties are excluded per value with the `name[]` syntax. */
export function excludeFromIndexes(kind: keyof typeof UNINDEXED, props: Properties): string[] {
  return UNINDEXED[kind].map((name) => (Array.isArray(props[name]) ? `${name}[]` : name));
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A key name that is always valid: short names kept readable, long ones hashed. */
function safeKeyName(prefix: string, value: string): string {
  const plain = `${prefix}:${value}`;
  if (byteLength(plain) <= MAX_KEY_NAME_BYTES) return plain;
  return `${prefix}#sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

/**
 * Whether `id` can be a mapping id (a valid Datastore key name). Ids the store hands out
 * always are; anything else names no mapping.
 */
export function isValidMappingId(id: string): boolean {
  return id.length > 0 && byteLength(id) <= MAX_KEY_NAME_BYTES && !/^__.*__$/.test(id);
}

/** Key name of a `CaseMappingIndex` entity (uniqueness of a case across mappings). */
export function indexKeyName(side: Side, value: string): string {
  return safeKeyName(side, value);
}

/** Key name of a `MirroredItem` under its CaseMapping (mappingId is the ancestor). */
export function mirroredItemKeyName(
  item: Pick<MirroredItem, 'kind' | 'sourceSide' | 'sourceId'>,
): string {
  return safeKeyName(`${item.kind}:${item.sourceSide}`, item.sourceId);
}

export function leaseKeyName(key: string): string {
  return safeKeyName('lease', key);
}

function valueSize(v: PropertyValue): number {
  if (v === null) return 1;
  if (typeof v === 'string') return byteLength(v) + 1;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 8;
  if (v instanceof Date) return 8;
  let total = 0;
  for (const x of v) total += valueSize(x);
  return total;
}

/**
 * Estimate of the stored size (Datastore's storage-size rules: key path, property names + 1,
 * string bytes + 1, 8 bytes per number/timestamp, + 32 per entity), rounded up generously.
 */
function estimateEntityBytes(keyPath: readonly string[], props: Properties): number {
  let total = 32 + 16;
  for (const part of keyPath) total += byteLength(part) + 1;
  for (const [name, value] of Object.entries(props))
    total += byteLength(name) + 1 + valueSize(value);
  return total;
}

/**
 * Throws SyncError('permanent') when an entity would exceed the safe size bound, or when an
 * indexed string exceeds the indexed-value limit (production rejects both; the emulator
 * does not). The message names the kind only, never the content.
 */
export function assertEntityFits(
  kind: keyof typeof UNINDEXED,
  keyPath: readonly string[],
  props: Properties,
): void {
  const bytes = estimateEntityBytes(keyPath, props);
  if (bytes > MAX_ENTITY_BYTES) {
    throw new SyncError('permanent', `${kind} entity too large (${bytes} bytes estimated)`, {
      source: 'store',
    });
  }
  const unindexed = UNINDEXED[kind];
  for (const [name, value] of Object.entries(props)) {
    if (unindexed.includes(name)) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v === 'string' && byteLength(v) > MAX_INDEXED_STRING_BYTES) {
        throw new SyncError('permanent', `${kind}.${name} too long to index`, { source: 'store' });
      }
    }
  }
}

/**
 * Leases removed together with a mapping: those keyed by its id or by either case identity
 * (leases are otherwise deleted on release and expire on their own).
 */
export function leaseKeysOf(
  m: Pick<CaseMapping, 'id' | 'googleCaseName' | 'companyCaseID'>,
): string[] {
  return [m.id, m.googleCaseName, m.companyCaseID].filter((k): k is string => k !== null);
}

// --- domain → properties ------------------------------------------------------------------

export function caseMappingProperties(m: Omit<CaseMapping, 'id'>): Properties {
  return {
    googleCaseName: m.googleCaseName,
    companyCaseID: m.companyCaseID,
    companyCaseKey: m.companyCaseKey,
    newContentAt: m.newContentAt,
    resolvedAt: m.resolvedAt,
    companyUpdatesSyncedAt: m.companyUpdatesSyncedAt,
    googleUpdatesSyncedAt: m.googleUpdatesSyncedAt,
    outageCommentSentToGoogle: m.outageCommentSentToGoogle,
    outageCommentSentToCompany: m.outageCommentSentToCompany,
    priority: m.priority,
    origin: m.origin,
    googlePendingSince: m.googlePendingSince,
    companyPendingSince: m.companyPendingSince,
    counterpartCreationStartedAt: m.counterpartCreationStartedAt,
    outageDetectedAt: m.outageDetectedAt ?? null,
    pausedAt: m.pausedAt ?? null,
    lastError: m.lastError ?? null,
    lastErrorAt: m.lastErrorAt ?? null,
    version: m.version,
  };
}

export function globalProperties(g: Global): Properties {
  return {
    google_last_polled_at: g.google_last_polled_at,
    company_last_polled_at: g.company_last_polled_at,
    version: g.version,
  };
}

export function mirroredItemProperties(item: MirroredItem): Properties {
  const { targetIds, ...rest } = copyMirroredItem(item);
  return { ...rest, targetIds: [...targetIds] };
}

/** Key path of an entity as used by the size estimate (kind, name pairs). */
export function caseMappingKeyPath(id: string): string[] {
  return [KIND.caseMapping, id];
}

export function mirroredItemKeyPath(item: MirroredItem): string[] {
  return [KIND.caseMapping, item.mappingId, KIND.mirroredItem, mirroredItemKeyName(item)];
}

// --- properties → domain (checked at the boundary) -----------------------------------------

export const codecDate = z.date();
const date = codecDate;
const nullableDate = z
  .date()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
export const codecNullableString = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const nullableString = codecNullableString;
const side = z.enum(['google', 'company']);
const priority = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
const version = z.number().int().nonnegative();

const caseMappingSchema = z.object({
  googleCaseName: nullableString,
  companyCaseID: nullableString,
  companyCaseKey: nullableString,
  newContentAt: date,
  resolvedAt: nullableDate,
  companyUpdatesSyncedAt: nullableDate,
  googleUpdatesSyncedAt: nullableDate,
  outageCommentSentToGoogle: z
    .boolean()
    .optional()
    .transform((v) => v ?? false),
  outageCommentSentToCompany: z
    .boolean()
    .optional()
    .transform((v) => v ?? false),
  priority,
  origin: side,
  googlePendingSince: nullableDate,
  companyPendingSince: nullableDate,
  counterpartCreationStartedAt: nullableDate,
  outageDetectedAt: nullableDate,
  pausedAt: nullableDate,
  lastError: nullableString,
  lastErrorAt: nullableDate,
  version,
});

const globalSchema = z.object({
  google_last_polled_at: nullableDate,
  company_last_polled_at: nullableDate,
  version,
});

const mirroredItemSchema = z.object({
  mappingId: z.string(),
  kind: z.enum(['comment', 'attachment', 'notice', 'dry-run']),
  sourceSide: side,
  sourceId: z.string(),
  targetIds: z
    .array(z.string())
    .nullable()
    .optional()
    .transform((v) => v ?? []),
  createdAt: date,
});

export function invalid(kind: string, error: z.ZodError): SyncError {
  const fields = error.issues.map((i) => i.path.join('.')).join(', ');
  return new SyncError('permanent', `stored ${kind} entity is malformed (${fields})`, {
    source: 'store',
  });
}

const leaseSchema = z.object({ holder: z.string(), expiresAt: date });

export function toLease(props: unknown): { holder: string; expiresAt: Date } {
  const parsed = leaseSchema.safeParse(props);
  if (!parsed.success) throw invalid(KIND.lease, parsed.error);
  return parsed.data;
}

const indexSchema = z.object({ mappingId: z.string() });

/** The mapping id a `CaseMappingIndex` entity points to. */
export function toIndexTarget(props: unknown): string {
  const parsed = indexSchema.safeParse(props);
  if (!parsed.success) throw invalid(KIND.caseMappingIndex, parsed.error);
  return parsed.data.mappingId;
}

export function toCaseMapping(id: string, props: unknown): CaseMapping {
  const parsed = caseMappingSchema.safeParse(props);
  if (!parsed.success) throw invalid(KIND.caseMapping, parsed.error);
  return { id, ...parsed.data };
}

export function toGlobal(props: unknown): Global {
  const parsed = globalSchema.safeParse(props);
  if (!parsed.success) throw invalid(KIND.global, parsed.error);
  return parsed.data;
}

export function toMirroredItem(props: unknown): MirroredItem {
  const parsed = mirroredItemSchema.safeParse(props);
  if (!parsed.success) throw invalid(KIND.mirroredItem, parsed.error);
  return parsed.data;
}

/** Order of listMirroredItems: oldest first, then by source id (stable across stores). */
export function compareMirroredItems(a: MirroredItem, b: MirroredItem): number {
  const t = a.createdAt.getTime() - b.createdAt.getTime();
  if (t !== 0) return t;
  const k = mirroredItemKeyName(a);
  const l = mirroredItemKeyName(b);
  return k < l ? -1 : k > l ? 1 : 0;
}

// --- copies (callers never share state with a store) --------------------------------------

function copyDate(d: Date): Date;
function copyDate(d: Date | null): Date | null;
function copyDate(d: Date | null): Date | null {
  return d === null ? null : new Date(d.getTime());
}

export function copyCaseMapping(m: CaseMapping): CaseMapping {
  return {
    id: m.id,
    googleCaseName: m.googleCaseName,
    companyCaseID: m.companyCaseID,
    companyCaseKey: m.companyCaseKey,
    newContentAt: copyDate(m.newContentAt),
    resolvedAt: copyDate(m.resolvedAt),
    companyUpdatesSyncedAt: copyDate(m.companyUpdatesSyncedAt),
    googleUpdatesSyncedAt: copyDate(m.googleUpdatesSyncedAt),
    outageCommentSentToGoogle: m.outageCommentSentToGoogle,
    outageCommentSentToCompany: m.outageCommentSentToCompany,
    priority: m.priority,
    origin: m.origin,
    googlePendingSince: copyDate(m.googlePendingSince),
    companyPendingSince: copyDate(m.companyPendingSince),
    counterpartCreationStartedAt: copyDate(m.counterpartCreationStartedAt),
    outageDetectedAt: copyDate(m.outageDetectedAt ?? null),
    pausedAt: copyDate(m.pausedAt ?? null),
    lastError: m.lastError ?? null,
    lastErrorAt: copyDate(m.lastErrorAt ?? null),
    version: m.version,
  };
}

export function copyGlobal(g: Global): Global {
  return {
    google_last_polled_at: copyDate(g.google_last_polled_at),
    company_last_polled_at: copyDate(g.company_last_polled_at),
    version: g.version,
  };
}

export function copyMirroredItem(item: MirroredItem): MirroredItem {
  return {
    mappingId: item.mappingId,
    kind: item.kind,
    sourceSide: item.sourceSide,
    sourceId: item.sourceId,
    targetIds: [...item.targetIds],
    createdAt: copyDate(item.createdAt),
  };
}

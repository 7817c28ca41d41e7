// The CaseMapping queries of DatastoreMappingStore (open, resolved, the status page's
// filters), in cursor pages. One property per query, so no composite index is needed.
import { Datastore, PropertyFilter, type Key, type Query } from '@google-cloud/datastore';
import { SyncError } from '../../domain/errors';
import type { CaseMapping, PairFilter } from '../../domain/mapping';
import { MAX_PAIRS_PAGE } from '../../ports/mapping-store';
import { classified } from './datastore-transaction';
import { KIND, toCaseMapping } from './entity-codec';

export type Page = { items: CaseMapping[]; nextPageToken?: string };

/** Smallest Datastore timestamp (0001-01-01T00:00:00Z). */
const MIN_TIMESTAMP = new Date('0001-01-01T00:00:00.000Z');
const OPEN_TOKEN = 'open1:';
const RESOLVED_TOKEN = 'resolved1:';

export class MappingQueries {
  constructor(
    private readonly ds: Datastore,
    private readonly namespace: string | undefined,
    private readonly pageSize: number,
  ) {}

  async listOpen(pageToken?: string): Promise<Page> {
    const query = this.ds
      .createQuery(this.namespace ?? '', KIND.caseMapping)
      .filter(new PropertyFilter('resolvedAt', '=', null));
    return this.page(query, OPEN_TOKEN, pageToken, (m) => m.resolvedAt === null);
  }

  async listResolvedBefore(before: Date, pageToken?: string): Promise<Page> {
    // Nulls sort before every timestamp, so `< before` alone would page through every open
    // mapping too: bound the range from below as well (one property: no composite index).
    const query = this.ds
      .createQuery(this.namespace ?? '', KIND.caseMapping)
      .filter(new PropertyFilter('resolvedAt', '>=', MIN_TIMESTAMP))
      .filter(new PropertyFilter('resolvedAt', '<', before));
    const limit = before.getTime();
    return this.page(
      query,
      RESOLVED_TOKEN,
      pageToken,
      (m) => m.resolvedAt !== null && m.resolvedAt.getTime() < limit,
    );
  }

  async listPairs(
    filter: PairFilter,
    page: { readonly pageSize: number; readonly pageToken?: string },
  ): Promise<Page> {
    const size = Math.max(1, Math.min(page.pageSize, MAX_PAIRS_PAGE));
    const query = this.ds.createQuery(this.namespace ?? '', KIND.caseMapping);
    // One property per query (no composite index); `>= MIN_TIMESTAMP` leaves out nulls.
    switch (filter.kind) {
      case 'open':
        query.filter(new PropertyFilter('resolvedAt', '=', null));
        return this.page(query, 'pairs-open1:', page.pageToken, (m) => m.resolvedAt === null, size);
      case 'failing':
        query.filter(new PropertyFilter('lastErrorAt', '>=', MIN_TIMESTAMP));
        return this.page(
          query,
          'pairs-failing1:',
          page.pageToken,
          (m) => m.resolvedAt === null,
          size,
        );
      case 'outage':
        query.filter(new PropertyFilter('outageDetectedAt', '>=', MIN_TIMESTAMP));
        return this.page(
          query,
          'pairs-outage1:',
          page.pageToken,
          (m) => m.resolvedAt === null,
          size,
        );
      case 'closed': {
        query.filter(new PropertyFilter('resolvedAt', '>=', filter.since));
        const since = filter.since.getTime();
        return this.page(
          query,
          `pairs-closed1-${since}:`,
          page.pageToken,
          (m) => m.resolvedAt !== null && m.resolvedAt.getTime() >= since,
          size,
        );
      }
    }
  }

  private async page(
    query: Query,
    prefix: string,
    pageToken: string | undefined,
    keep: (m: CaseMapping) => boolean,
    pageSize = this.pageSize,
  ): Promise<Page> {
    let q = query.limit(pageSize);
    if (pageToken !== undefined) {
      if (!pageToken.startsWith(prefix) || pageToken.length === prefix.length) {
        throw new SyncError('permanent', 'invalid page token', { source: 'store' });
      }
      q = q.start(pageToken.slice(prefix.length));
    }
    const [entities, info] = await classified('query', () => this.ds.runQuery(q));
    const items = (entities as Record<string | symbol, unknown>[])
      .map((e) => toCaseMapping(keyName(e[Datastore.KEY]), e))
      .filter(keep);
    const page: Page = { items };
    // The SDK keeps fetching NOT_FINISHED batches up to the limit, so a short page is the
    // last one (Datastore, and the emulator, may still say MORE_RESULTS_AFTER_LIMIT).
    if (
      entities.length >= pageSize &&
      info.moreResults !== 'NO_MORE_RESULTS' &&
      info.endCursor !== undefined
    ) {
      page.nextPageToken = prefix + info.endCursor;
    }
    return page;
  }
}

function keyName(key: unknown): string {
  const name = (key as Partial<Key> | undefined)?.name;
  if (typeof name !== 'string')
    throw new SyncError('permanent', 'stored CaseMapping has no key name', { source: 'store' });
  return name;
}

// What the Crm and SupportCases contracts share: paging to the end, catching a SyncError,
// deterministic file contents and upload sources.
import type { Readable } from 'node:stream';
import { SyncError } from '../../src/domain/errors';
import type { Page } from '../../src/ports/support-cases';
import { readableOf } from '../support/streams';

/** Reads every page; `pages` counts the calls made. */
export async function allPages<T>(
  search: (pageToken?: string) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await search(token);
    pages += 1;
    items.push(...page.items);
    token = page.nextPageToken;
    if (pages > 1000) throw new Error('paging does not terminate');
  } while (token !== undefined);
  return { items, pages };
}

/** The SyncError `p` rejects with (fails the test if it resolves or throws anything else). */
export async function syncErrorOf(p: Promise<unknown>): Promise<SyncError> {
  const outcome = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(SyncError);
  return outcome as SyncError;
}

/** Deterministic pseudo-random bytes. */
export function patternBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

export interface UploadFile {
  readonly filename: string;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly content: Readable;
}

/** An upload of `bytes` (streamed in chunks), announcing `sizeBytes` (default: the truth). */
export function uploadOf(
  filename: string,
  bytes: Buffer,
  opts: { mimeType?: string; sizeBytes?: number } = {},
): UploadFile {
  return {
    filename,
    mimeType: opts.mimeType ?? 'application/octet-stream',
    sizeBytes: opts.sizeBytes ?? bytes.length,
    content: readableOf(bytes),
  };
}

/** A file name that is not ASCII (accents, CJK, a space). */
export const NON_ASCII_NAME = 'résumé 日本.txt';

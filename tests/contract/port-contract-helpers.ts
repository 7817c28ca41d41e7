// What the Crm and SupportCases contracts (and the adapters' own tests) share: a fresh
// implementation per test, paging to the end, catching a SyncError, deterministic file
// contents and upload sources.
import type { Readable } from 'node:stream';
import { NotFoundError, SyncError } from '../../src/domain/errors';
import type { Page } from '../../src/ports/support-cases';
import { readableOf } from '../support/streams';

/** Makes a fresh implementation before each test (handed to `use`) and closes it after. */
export function freshForEachTest<T extends { close(): Promise<void> }>(
  make: () => Promise<T>,
  use: (made: T) => void,
): void {
  let made: T | undefined;
  beforeEach(async () => {
    made = await make();
    use(made);
  });
  afterEach(async () => {
    await made?.close();
    made = undefined;
  });
}

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

/** Each call rejects with NotFoundError, a permanent SyncError. */
export async function expectNotFound(
  calls: Readonly<Record<string, () => Promise<unknown>>>,
): Promise<void> {
  for (const [method, call] of Object.entries(calls)) {
    const e = await syncErrorOf(call());
    expect([method, e instanceof NotFoundError, e.kind]).toEqual([method, true, 'permanent']);
  }
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

/** The files a fake (FakeCrm, FakeSupportCases) holds for an item, oldest first. */
export function filesIn(
  fake: {
    attachments(item: string): readonly { id: string; filename: string }[];
    bytes(item: string, attachmentId: string): Buffer;
  },
  item: string,
): { filename: string; bytes: Buffer }[] {
  return fake
    .attachments(item)
    .map((a) => ({ filename: a.filename, bytes: fake.bytes(item, a.id) }));
}

/** A file name that is not ASCII (accents, CJK, a space). */
export const NON_ASCII_NAME = 'résumé 日本.txt';

import { Readable } from 'node:stream';

/** Chunk size the fakes stream stored bytes in (like an HTTP body arriving in pieces). */
export const CHUNK_BYTES = 64 * 1024;

/** A Readable over stored bytes, in chunks (never one big push). */
export function readableOf(bytes: Buffer): Readable {
  return Readable.from(
    (function* chunks() {
      for (let at = 0; at < bytes.length; at += CHUNK_BYTES)
        yield bytes.subarray(at, at + CHUNK_BYTES);
    })(),
  );
}

/**
 * Consumes an upload stream chunk by chunk. Stops and destroys the stream as soon as it
 * passes `limitBytes` (returns null then), like a server answering 413 mid-body.
 */
export async function consume(content: Readable, limitBytes = Infinity): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of content) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buf.length;
    if (total > limitBytes) {
      content.destroy();
      return null;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/** Reads a Readable fully (tests only: to compare bytes). */
export async function readAll(content: Readable): Promise<Buffer> {
  return (await consume(content)) as Buffer;
}

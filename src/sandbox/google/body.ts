// Request bodies, read by the handlers themselves (the app's content-type parser never
// touches them): whole for small JSON messages, chunk by chunk for media.
import type { IncomingMessage } from 'node:http';
import { invalid, SimHttpError } from './errors';

export const MAX_JSON_BYTES = 1024 * 1024;

/** Reads and discards what is left of a request body (so the answer is not cut short). */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}

/**
 * Feeds every chunk of the body to `take`. When `take` throws, the rest of the body is
 * read and discarded and the error is thrown at the end (leaving a for-await early would
 * destroy the request, and the client would get no answer).
 */
export async function consume(req: IncomingMessage, take: (chunk: Buffer) => void): Promise<void> {
  let failure: unknown;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (failure !== undefined) continue;
    try {
      take(chunk);
    } catch (e) {
      failure = e;
    }
  }
  if (failure !== undefined) throw failure;
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await consume(req, (chunk) => {
    size += chunk.length;
    if (size > limit) throw new SimHttpError(413, 'INVALID_ARGUMENT', 'Request payload too large.');
    chunks.push(chunk);
  });
  return Buffer.concat(chunks, size);
}

/**
 * The JSON message of an API request (undefined when the body is empty, whatever its
 * declared type), kept on `target.requestJson` for the exchange hook.
 */
export async function readJson(
  req: IncomingMessage,
  headers: Readonly<Record<string, string>>,
  target: { requestJson?: unknown },
): Promise<unknown> {
  const buf = await readBody(req, MAX_JSON_BYTES);
  if (buf.length === 0) return undefined;
  const type = headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw invalid('Request body must be application/json.');
  try {
    target.requestJson = JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    throw invalid('Invalid JSON payload received.');
  }
  return target.requestJson;
}

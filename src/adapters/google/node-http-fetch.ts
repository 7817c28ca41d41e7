// A small `fetch` on node:http/https, given to gaxios (googleapis' HTTP layer) instead of
// the platform fetch, because:
// - the platform fetch (undici) keeps every chunk of a streamed request body in memory
//   until the request ends (nodejs/undici#4058): a 200 MB upload would cost 200 MB;
// - gaxios' default, node-fetch 3, is an ES module loaded by dynamic import, which fails
//   under jest's CommonJS runtime.
// Request bodies are piped with Node backpressure; response bodies are pulled on demand.
import http from 'node:http';
import https from 'node:https';
import { pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';

const MAX_REDIRECTS = 5;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** A pull-based web stream over a Node stream (one chunk buffered at most). */
function toWebStream(stream: Readable): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.pause();
      stream.on('data', (chunk: Buffer) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) stream.pause();
      });
      stream.once('end', () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      stream.once('error', (e) => {
        if (finished) return;
        finished = true;
        controller.error(e);
      });
      stream.once('close', () => {
        if (finished) return;
        finished = true;
        controller.error(new Error('response body ended prematurely'));
      });
    },
    pull() {
      stream.resume();
    },
    cancel(reason) {
      finished = true;
      stream.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function bodyOf(body: unknown): Buffer | Readable | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as never);
  if (isAsyncIterable(body)) return Readable.from(body);
  throw new TypeError('unsupported request body');
}

function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : null;
  if (!decoder) return res;
  return pipeline(res, decoder, () => undefined);
}

function send(url: URL, init: RequestInit, redirects: number): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    let payload: Buffer | Readable | undefined;
    try {
      payload = bodyOf(init.body);
    } catch (e) {
      reject(e);
      return;
    }
    if (Buffer.isBuffer(payload)) headers['content-length'] = String(payload.length);

    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method, headers });
    let response: http.IncomingMessage | undefined;
    const onAbort = (): void => {
      const reason = signal ? abortReason(signal) : undefined;
      const err = reason instanceof Error ? reason : new Error('aborted');
      req.destroy(err);
      response?.destroy(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);

    req.once('error', (e) => {
      done();
      reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: e }));
    });
    req.once('response', (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (
        [301, 302, 303, 307, 308].includes(status) &&
        location &&
        (method === 'GET' || method === 'HEAD') &&
        redirects < MAX_REDIRECTS
      ) {
        res.resume();
        done();
        const next = new URL(location, url);
        const nextHeaders = new Headers(init.headers);
        if (next.origin !== url.origin) nextHeaders.delete('authorization');
        send(next, { ...init, headers: nextHeaders }, redirects + 1).then(resolve, reject);
        return;
      }
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
        else if (value !== undefined) responseHeaders.set(key, value);
      }
      const nullBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
      const stream = decoded(res);
      stream.once('close', done);
      if (nullBody) res.resume();
      resolve(
        new Response(nullBody ? null : toWebStream(stream), {
          status,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders,
        }),
      );
    });

    if (payload instanceof Readable) {
      payload.once('error', (e) => req.destroy(e));
      payload.pipe(req);
    } else {
      req.end(payload);
    }
  });
}

/** `fetch` over node:http/https (see the file comment). */
export const nodeHttpFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  return send(url, init ?? {}, 0);
};

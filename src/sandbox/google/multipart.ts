// Streaming parser for the `multipart/related` bodies of Google media uploads
// (uploadType=multipart): a JSON metadata part, then the media part. The media part is
// handed over chunk by chunk; only a delimiter-sized tail is ever held back.

export interface RelatedPart {
  readonly headers: Readonly<Record<string, string>>;
}

export interface RelatedHandlers {
  /** Called when a part starts (index 0 = metadata, 1 = media). */
  onPartStart(index: number, part: RelatedPart): void;
  onPartData(index: number, chunk: Buffer): void;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PREAMBLE_BYTES = 16 * 1024;

/** The boundary parameter of a multipart Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new MultipartError('malformed part header');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

/** Reads the whole body; resolves with the number of parts seen. */
export async function parseMultipartRelated(
  body: AsyncIterable<Buffer | string>,
  boundary: string,
  handlers: RelatedHandlers,
): Promise<number> {
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  type Phase = 'preamble' | 'after-boundary' | 'headers' | 'body' | 'epilogue';
  let phase = 'preamble' as Phase;
  let buf: Buffer = Buffer.alloc(0);
  let part = -1;
  let preambleSeen = 0;

  const step = (): boolean => {
    switch (phase) {
      case 'preamble': {
        const i = buf.indexOf(dashBoundary);
        if (i < 0) {
          const keep = Math.min(buf.length, dashBoundary.length - 1);
          preambleSeen += buf.length - keep;
          if (preambleSeen > MAX_PREAMBLE_BYTES) throw new MultipartError('no opening boundary');
          buf = buf.subarray(buf.length - keep);
          return false;
        }
        buf = buf.subarray(i + dashBoundary.length);
        phase = 'after-boundary';
        return true;
      }
      case 'after-boundary': {
        if (buf.length < 2) return false;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          phase = 'epilogue';
          buf = Buffer.alloc(0);
          return false;
        }
        // Transport padding (spaces/tabs) before CRLF is allowed by RFC 2046.
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 256) throw new MultipartError('malformed boundary line');
          return false;
        }
        if (buf.subarray(0, eol).toString('latin1').trim() !== '') {
          throw new MultipartError('malformed boundary line');
        }
        buf = buf.subarray(eol + 2);
        phase = 'headers';
        return true;
      }
      case 'headers': {
        let headerText: string;
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
          headerText = '';
          buf = buf.subarray(2);
        } else {
          const end = buf.indexOf(HEADER_END);
          if (end < 0) {
            if (buf.length > MAX_HEADER_BYTES) throw new MultipartError('part headers too large');
            return false;
          }
          headerText = buf.subarray(0, end).toString('utf8');
          buf = buf.subarray(end + HEADER_END.length);
        }
        part += 1;
        handlers.onPartStart(part, { headers: parseHeaders(headerText) });
        phase = 'body';
        return true;
      }
      case 'body': {
        const i = buf.indexOf(delimiter);
        if (i >= 0) {
          if (i > 0) handlers.onPartData(part, buf.subarray(0, i));
          buf = buf.subarray(i + delimiter.length);
          phase = 'after-boundary';
          return true;
        }
        const keep = Math.min(buf.length, delimiter.length - 1);
        if (buf.length > keep) handlers.onPartData(part, buf.subarray(0, buf.length - keep));
        buf = buf.subarray(buf.length - keep);
        return false;
      }
      case 'epilogue':
        buf = Buffer.alloc(0);
        return false;
    }
  };

  // A failure does not stop the reading: the rest of the body is discarded, so that the
  // server can still answer (leaving a for-await early would destroy the request).
  let failure: unknown;
  for await (const raw of body) {
    if (failure !== undefined) continue;
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    // Only the held-back tail (shorter than the delimiter) is copied with the new chunk.
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    try {
      while (step()) {
        /* keep stepping */
      }
    } catch (e) {
      failure = e;
      buf = Buffer.alloc(0);
    }
  }
  if (failure !== undefined) throw failure;
  if (phase !== 'epilogue') throw new MultipartError('body ended before the closing boundary');
  return part + 1;
}

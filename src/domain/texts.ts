// The exact texts the connector writes on tickets and cases (SPEC §3.4), how it splits a
// comment too long for Google, and how it recognises its own writing (no echo).

import { describeDuration } from './durations';

// --- descriptions ----------------------------------------------------------------------

export const GOOGLE_MIRROR_DESCRIPTION_PREFIX = 'CONTENT MIRRORED FROM GOOGLE SUPPORT:';

export function companyMirrorDescriptionPrefix(issueKey: string): string {
  return `CONTENT MIRRORED FROM COMPANY CASE ${issueKey}:`;
}

/** Description of a Jira ticket created from a Google case. */
export function ticketDescriptionFromGoogle(caseDescription: string): string {
  return `${GOOGLE_MIRROR_DESCRIPTION_PREFIX}\n${caseDescription}`;
}

/** Description of a Google case created from a Jira ticket. */
export function caseDescriptionFromCompany(issueKey: string, ticketDescription: string): string {
  return `${companyMirrorDescriptionPrefix(issueKey)}\n${ticketDescription}`;
}

// --- mirrored comments -----------------------------------------------------------------

export function googleCommentHeader(commentId: string, displayName: string): string {
  return `[Google Comment ${commentId} by ${displayName}]`;
}

export function companyCommentHeader(commentId: string, displayName: string): string {
  return `[Company Comment ${commentId} by ${displayName}]`;
}

/** A Google comment as written into Jira: header, newline, body. Jira has no practical limit. */
export function mirroredIntoCompany(commentId: string, displayName: string, body: string): string {
  return `${googleCommentHeader(commentId, displayName)}\n${body}`;
}

/** CSAPI `Comment.body`: "Maximum of 12800 characters." */
export const GOOGLE_COMMENT_LIMIT = 12800;

/**
 * A Jira comment as written into Google: one comment `header\nbody` when it fits in
 * `limit` characters, otherwise numbered parts, each within the limit:
 *
 *     [Company Comment 10001 by Ada Lovelace] (part 1/3)
 *     …first slice of the body…
 *
 * How length is counted: in UTF-16 code units (`string.length`). The API's documentation
 * says "characters" without saying which; a UTF-16 count is never smaller than the number
 * of Unicode code points (an astral character such as an emoji counts 2), so a text that
 * fits by this count also fits if the API counts code points. That over-count is the safety
 * margin; no further margin is taken, so `limit` is the real bound.
 *
 * The body is cut, in order of preference, after a blank line (paragraph), after a line
 * break, after other whitespace, and only then anywhere; a preferred cut is taken only
 * if it keeps at least half of the part's room, so parts stay large. A cut never falls
 * inside a surrogate pair (it may fall inside a grapheme cluster, such as a ZWJ emoji
 * sequence, when the body has no whitespace to cut at). Nothing is added, trimmed or
 * dropped: the parts' bodies, concatenated in order, are exactly `body`.
 *
 * Throws when the header alone leaves no room for the body (a display name of thousands
 * of characters, or a tiny `limit`).
 */
export function mirroredIntoGoogle(
  commentId: string,
  displayName: string,
  body: string,
  limit = GOOGLE_COMMENT_LIMIT,
): string[] {
  const header = companyCommentHeader(commentId, displayName);
  const whole = `${header}\n${body}`;
  if (whole.length <= limit) return [whole];

  const partHeader = (index: number, total: number): string =>
    `${header} (part ${index}/${total})\n`;

  // The header's length depends on the number of parts (its digits). Assume a digit count,
  // split with the room the widest header of that count leaves, and widen until the
  // actual count fits in the assumed digits.
  let digits = 1;
  for (;;) {
    const widest = '9'.repeat(digits);
    const room = limit - partHeader(Number(widest), Number(widest)).length;
    if (room < 2) {
      throw new RangeError(`comment header leaves no room for the body within ${limit} characters`);
    }
    const slices = splitBody(body, room);
    if (String(slices.length).length <= digits) {
      return slices.map((slice, i) => partHeader(i + 1, slices.length) + slice);
    }
    digits = String(slices.length).length;
  }
}

/** Cuts `body` into slices of at most `room` UTF-16 code units (room ≥ 2). */
function splitBody(body: string, room: number): string[] {
  const slices: string[] = [];
  let start = 0;
  while (body.length - start > room) {
    const end = cutPoint(body, start, room);
    slices.push(body.slice(start, end));
    start = end;
  }
  slices.push(body.slice(start));
  return slices;
}

/** Where to end the slice that starts at `start`: an index in (start, start + room]. */
function cutPoint(body: string, start: number, room: number): number {
  const hardEnd = start + room;
  const minEnd = start + Math.ceil(room / 2);
  const window = body.slice(start, hardEnd);

  // After a blank line, then after a line break: the separator ends the current slice.
  for (const separator of ['\n\n', '\n']) {
    const at = window.lastIndexOf(separator);
    if (at >= 0 && start + at + separator.length >= minEnd) return start + at + separator.length;
  }
  // After other whitespace (but not between the \r and \n of a CRLF).
  for (let end = hardEnd; end >= minEnd; end -= 1) {
    const before = body.charAt(end - 1);
    if (/\s/.test(before) && !(before === '\r' && body.charAt(end) === '\n')) return end;
  }
  // Anywhere, but not between the two halves of a surrogate pair.
  if (isHighSurrogate(body.charCodeAt(hardEnd - 1)) && isLowSurrogate(body.charCodeAt(hardEnd))) {
    return hardEnd - 1;
  }
  return hardEnd;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

// --- recognising mirrored comments -----------------------------------------------------

export type ParsedHeader = {
  side: 'google' | 'company';
  commentId: string;
  displayName: string;
  part?: { index: number; total: number };
};

// At the very start of the body, on the first line, followed by a line break or the end of
// the body. The display name is greedy up to the line's last `]` (before an optional part
// suffix), so names containing `]` or " by " still parse.
const HEADER =
  /^\[(Google|Company) Comment ([^\s\]]+) by (.+)\](?: \(part (\d+)\/(\d+)\))?[ \t]*(?:\r?\n|$)/;

/**
 * Recognises `[Google Comment ID by NAME]` and `[Company Comment ID by NAME]`, with or
 * without ` (part i/n)`, at the very start of a body. A header typed in the middle of a
 * comment is not a header; neither is a part suffix with i outside 1…n.
 */
export function parseMirrorHeader(body: string): ParsedHeader | null {
  const m = HEADER.exec(body);
  if (m === null) return null;
  const [, sideWord, commentId, displayName, index, total] = m;
  if (sideWord === undefined || commentId === undefined || displayName === undefined) return null;
  const parsed: ParsedHeader = {
    side: sideWord === 'Google' ? 'google' : 'company',
    commentId,
    displayName,
  };
  if (index !== undefined && total !== undefined) {
    const i = Number(index);
    const n = Number(total);
    if (!Number.isSafeInteger(i) || !Number.isSafeInteger(n) || i < 1 || i > n) return null;
    parsed.part = { index: i, total: n };
  }
  return parsed;
}

// --- notices ---------------------------------------------------------------------------

export function nowSyncingText(issueKey: string): string {
  return `This case is now syncing with Company Case: ${issueKey}`;
}

export function outageText(durationMs: number): string {
  return `This case has not synced properly in ${describeDuration(durationMs)}.`;
}

export const RESUMED_TEXT = 'Syncing has resumed.';

const NOW_SYNCING = /^This case is now syncing with Company Case: \S+$/;
const DURATION_WORDS = String.raw`\d+ (?:day|hour|minute)s?(?: \d+ (?:day|hour|minute)s?)?`;
const OUTAGE = new RegExp(`^This case has not synced properly in ${DURATION_WORDS}\\.$`);

/**
 * True for the connector's notices (now syncing, outage, resumed), compared after trimming
 * surrounding whitespace; false for anything else, including a notice quoted inside a
 * longer comment.
 */
export function isConnectorNotice(body: string): boolean {
  const text = body.trim();
  return text === RESUMED_TEXT || NOW_SYNCING.test(text) || OUTAGE.test(text);
}

// --- attachments -----------------------------------------------------------------------

const KIB = 1024;
const BYTE_UNITS = ['KB', 'MB', 'GB'] as const;

/**
 * Human size with binary multiples (1 KB = 1024 B, 1 MB = 1024 KB, …) written with the
 * familiar KB/MB/GB symbols, as Jira and most file browsers do: "512 B", "1.5 KB",
 * "250.0 MB", "2.0 GB". One decimal above bytes; the unit is chosen so the rounded
 * number stays below 1024 ("1.0 MB", never "1024.0 KB"); GB is the largest unit.
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0)
    throw new RangeError('size must be a non-negative number of bytes');
  if (n < KIB) return `${Math.round(n)} B`;
  let value = n / KIB;
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && Math.round(value * 10) / 10 >= KIB) {
    value /= KIB;
    unit += 1;
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit] ?? 'GB'}`;
}

/**
 * The comment written, on the side the attachment could not reach, instead of the file:
 *
 *     [Attachment not mirrored] "big.iso" (250.0 MB) from the Google case exceeds the Jira upload limit of 10.0 MB.
 *
 * `side` is where the file comes from; `crm` names the desk (default Jira). Without
 * `limitBytes` (the target refused the file with a 413 below the limit the connector knew),
 * the notice names no figure: `… exceeds the Zendesk upload limit.` Line breaks in the file
 * name become spaces, so the notice stays one line.
 */
export function attachmentNotMirroredText(args: {
  filename: string;
  sizeBytes: number;
  limitBytes?: number;
  side: 'google' | 'company';
  crm?: string;
}): string {
  const name = args.filename.replace(/[\r\n]+/g, ' ');
  const crm = args.crm ?? 'Jira';
  const [from, target] =
    args.side === 'google'
      ? ['the Google case', `the ${crm} upload limit`]
      : [`the ${crm} ticket`, 'the Google Cloud Support upload limit'];
  const limit = args.limitBytes === undefined ? '' : ` of ${formatBytes(args.limitBytes)}`;
  return (
    `[Attachment not mirrored] "${name}" (${formatBytes(args.sizeBytes)}) from ${from} ` +
    `exceeds ${target}${limit}.`
  );
}

const ATTACHMENT_NOTICE =
  /^\[Attachment not mirrored\] ".*" \(.+\) from the (?:Google case|\S+ ticket) exceeds the .+ upload limit(?: of .+)?\.$/;

/** True for a notice written by attachmentNotMirroredText (trimmed). */
export function isAttachmentNotMirroredText(body: string): boolean {
  return ATTACHMENT_NOTICE.test(body.trim());
}

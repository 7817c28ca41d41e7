import {
  GOOGLE_COMMENT_LIMIT,
  GOOGLE_MIRROR_DESCRIPTION_PREFIX,
  RESUMED_TEXT,
  attachmentNotMirroredText,
  caseDescriptionFromCompany,
  companyCommentHeader,
  companyMirrorDescriptionPrefix,
  formatBytes,
  googleCommentHeader,
  isAttachmentNotMirroredText,
  isConnectorNotice,
  mirroredIntoCompany,
  mirroredIntoGoogle,
  nowSyncingText,
  outageText,
  parseMirrorHeader,
  ticketDescriptionFromGoogle,
  type ParsedHeader,
} from '../../src/domain/texts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Splits a part into its header line and its body slice, checking the header. */
function partBody(part: string, id: string, name: string, index: number, total: number): string {
  const header = `[Company Comment ${id} by ${name}] (part ${index}/${total})\n`;
  expect(part.startsWith(header)).toBe(true);
  return part.slice(header.length);
}

function reassemble(parts: string[], id: string, name: string): string {
  return parts.map((p, i) => partBody(p, id, name, i + 1, parts.length)).join('');
}

function hasBrokenSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

describe('descriptions', () => {
  it('prefixes a ticket created from Google', () => {
    expect(GOOGLE_MIRROR_DESCRIPTION_PREFIX).toBe('CONTENT MIRRORED FROM GOOGLE SUPPORT:');
    expect(ticketDescriptionFromGoogle('VM down\nsince noon')).toBe(
      'CONTENT MIRRORED FROM GOOGLE SUPPORT:\nVM down\nsince noon',
    );
    expect(ticketDescriptionFromGoogle('')).toBe('CONTENT MIRRORED FROM GOOGLE SUPPORT:\n');
  });

  it('prefixes a case created from Jira', () => {
    expect(companyMirrorDescriptionPrefix('SUP-12')).toBe(
      'CONTENT MIRRORED FROM COMPANY CASE SUP-12:',
    );
    expect(caseDescriptionFromCompany('SUP-12', 'Bucket unreadable')).toBe(
      'CONTENT MIRRORED FROM COMPANY CASE SUP-12:\nBucket unreadable',
    );
  });
});

describe('comment headers', () => {
  it.each<[string, string, string, string]>([
    ['google', '7Hk9', 'Jane (Google)', '[Google Comment 7Hk9 by Jane (Google)]'],
    ['company', '10042', 'Ada Lovelace', '[Company Comment 10042 by Ada Lovelace]'],
  ])('%s header', (side, id, name, expected) => {
    const header =
      side === 'google' ? googleCommentHeader(id, name) : companyCommentHeader(id, name);
    expect(header).toBe(expected);
  });

  it('mirrors a Google comment into Jira as header, newline, body', () => {
    expect(mirroredIntoCompany('abc', 'Jane', 'Hello\nworld')).toBe(
      '[Google Comment abc by Jane]\nHello\nworld',
    );
  });
});

describe('mirroredIntoGoogle', () => {
  const id = '10042';
  const name = 'Ada Lovelace';
  const header = `[Company Comment ${id} by ${name}]\n`;

  it('has the API limit', () => {
    expect(GOOGLE_COMMENT_LIMIT).toBe(12800);
  });

  it('keeps a short comment whole', () => {
    expect(mirroredIntoGoogle(id, name, 'Hi')).toEqual([`${header}Hi`]);
  });

  it('keeps an empty body whole', () => {
    expect(mirroredIntoGoogle(id, name, '')).toEqual([header]);
  });

  it('keeps a comment of exactly the limit whole', () => {
    const body = 'x'.repeat(GOOGLE_COMMENT_LIMIT - header.length);
    const out = mirroredIntoGoogle(id, name, body);
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(GOOGLE_COMMENT_LIMIT);
    expect(out[0]).toBe(header + body);
  });

  it('splits a comment one character over the limit into 2 parts', () => {
    const body = 'x'.repeat(GOOGLE_COMMENT_LIMIT - header.length + 1);
    const out = mirroredIntoGoogle(id, name, body);
    expect(out).toHaveLength(2);
    for (const part of out) expect(part.length).toBeLessThanOrEqual(GOOGLE_COMMENT_LIMIT);
    expect(reassemble(out, id, name)).toBe(body);
    // No whitespace: the first part is filled to the limit exactly.
    expect(out[0]).toHaveLength(GOOGLE_COMMENT_LIMIT);
  });

  it('splits a 40,000-character body into numbered parts that reassemble exactly', () => {
    const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet,', 'consectetur', 'adipiscing'];
    let body = '';
    for (let i = 0; body.length < 40_000; i += 1) {
      body += words[i % words.length];
      body += i % 97 === 96 ? '\n\n' : i % 13 === 12 ? '\n' : ' ';
    }
    body = body.slice(0, 40_000);
    expect(body).toHaveLength(40_000);

    const out = mirroredIntoGoogle(id, name, body);
    expect(out).toHaveLength(4);
    out.forEach((part, i) => {
      expect(part.length).toBeLessThanOrEqual(GOOGLE_COMMENT_LIMIT);
      expect(parseMirrorHeader(part)).toEqual({
        side: 'company',
        commentId: id,
        displayName: name,
        part: { index: i + 1, total: 4 },
      });
    });
    expect(reassemble(out, id, name)).toBe(body);
    // Every part but the last ends at a paragraph break (one is always within reach).
    for (const part of out.slice(0, -1)) expect(part.endsWith('\n\n')).toBe(true);
  });

  it('prefers a paragraph break, then a line break, then a space', () => {
    const limit = 100;
    const partHeader = `[Company Comment 1 by A] (part 1/2)\n`; // 36 chars → 64 of room
    const room = limit - partHeader.length;
    const fill = (n: number): string => 'y'.repeat(n);
    const firstSlice = (body: string): string => {
      const out = mirroredIntoGoogle('1', 'A', body, limit);
      expect(reassemble(out, '1', 'A')).toBe(body);
      return partBody(out[0] ?? '', '1', 'A', 1, out.length);
    };

    // Paragraph break in the second half of the room wins over a later line break and space.
    expect(firstSlice(`${fill(40)}\n\n${fill(10)}\n${fill(5)} ${fill(60)}`)).toBe(
      `${fill(40)}\n\n`,
    );
    // A paragraph break too early (first half) is passed over for a later line break.
    expect(firstSlice(`${fill(5)}\n\n${fill(40)}\n${fill(60)}`)).toBe(
      `${fill(5)}\n\n${fill(40)}\n`,
    );
    // No line break: the last space within the room.
    expect(firstSlice(`${fill(30)} ${fill(20)} ${fill(60)}`)).toBe(`${fill(30)} ${fill(20)} `);
    // Only a space in the first half: a hard cut at the room.
    expect(firstSlice(`${fill(10)} ${fill(100)}`)).toBe(`${fill(10)} ${fill(room - 11)}`);
    // Nothing to cut at: a hard cut at the room.
    expect(firstSlice(fill(room + 50))).toBe(fill(room));
  });

  it('never cuts between the \\r and \\n of a line break', () => {
    const limit = 100;
    const partHeader = `[Company Comment 1 by A] (part 1/2)\n`;
    const room = limit - partHeader.length;
    // "\r" is the last character that fits; "\n" would be the first that does not.
    const body = `${'a'.repeat(40)} ${'b'.repeat(room - 42)}\r\n${'c'.repeat(50)}`;
    const out = mirroredIntoGoogle('1', 'A', body, limit);
    expect(out[0]?.endsWith('\r')).toBe(false);
    expect(reassemble(out, '1', 'A')).toBe(body);
  });

  it('never splits a surrogate pair (emoji at the cut point)', () => {
    const limit = 100;
    const room = limit - `[Company Comment 1 by A] (part 1/2)\n`.length;
    // The emoji's high surrogate is the last code unit that fits in the room.
    const body = `${'x'.repeat(room - 1)}😀${'z'.repeat(50)}`;
    expect(body.charCodeAt(room - 1)).toBe(0xd83d);
    const out = mirroredIntoGoogle('1', 'A', body, limit);
    expect(out).toHaveLength(2);
    for (const part of out) {
      expect(part.length).toBeLessThanOrEqual(limit);
      expect(hasBrokenSurrogate(part)).toBe(false);
    }
    expect(out[1]).toContain('😀');
    expect(reassemble(out, '1', 'A')).toBe(body);
  });

  it('handles a body made only of emoji', () => {
    const body = '🎉'.repeat(20_000); // 40,000 UTF-16 code units
    const out = mirroredIntoGoogle(id, name, body);
    expect(out.length).toBeGreaterThan(3);
    for (const part of out) {
      expect(part.length).toBeLessThanOrEqual(GOOGLE_COMMENT_LIMIT);
      expect(hasBrokenSurrogate(part)).toBe(false);
    }
    expect(reassemble(out, id, name)).toBe(body);
  });

  it('counts UTF-16 code units: an emoji counts 2 towards the limit', () => {
    const limit = 50;
    const whole = `[Company Comment 1 by A]\n`; // 25
    expect(mirroredIntoGoogle('1', 'A', '😀'.repeat(12) + 'a', limit)).toEqual([
      `${whole}${'😀'.repeat(12)}a`,
    ]);
    expect(mirroredIntoGoogle('1', 'A', '😀'.repeat(13), limit)).toHaveLength(2);
  });

  it('widens the part headers when the part count reaches two digits', () => {
    const limit = 60;
    const body = 'abcdefghij'.repeat(30); // 300 chars; ~20 chars of room per part
    const out = mirroredIntoGoogle('1', 'A', body, limit);
    expect(out.length).toBeGreaterThanOrEqual(10);
    for (const part of out) expect(part.length).toBeLessThanOrEqual(limit);
    expect(out[0]).toMatch(
      new RegExp(`^\\[Company Comment 1 by A\\] \\(part 1/${out.length}\\)\\n`),
    );
    expect(reassemble(out, '1', 'A')).toBe(body);
  });

  it('throws when the header leaves no room for the body', () => {
    expect(() => mirroredIntoGoogle('1', 'A'.repeat(100), 'x'.repeat(200), 100)).toThrow(
      /no room for the body/,
    );
  });
});

describe('parseMirrorHeader', () => {
  it.each<[string, string, ParsedHeader | null]>([
    [
      'Google header',
      '[Google Comment abc by Jane]\nbody',
      { side: 'google', commentId: 'abc', displayName: 'Jane' },
    ],
    [
      'Company header',
      '[Company Comment 10042 by Ada Lovelace]\nbody',
      { side: 'company', commentId: '10042', displayName: 'Ada Lovelace' },
    ],
    [
      'header alone',
      '[Company Comment 1 by A]',
      { side: 'company', commentId: '1', displayName: 'A' },
    ],
    [
      'header then CRLF',
      '[Google Comment 1 by A]\r\nbody',
      { side: 'google', commentId: '1', displayName: 'A' },
    ],
    [
      'Company part header',
      '[Company Comment 7 by Bob] (part 2/3)\nslice',
      { side: 'company', commentId: '7', displayName: 'Bob', part: { index: 2, total: 3 } },
    ],
    [
      'Google part header',
      '[Google Comment 7 by Bob] (part 1/12)\nslice',
      { side: 'google', commentId: '7', displayName: 'Bob', part: { index: 1, total: 12 } },
    ],
    [
      'part header alone',
      '[Company Comment 7 by Bob] (part 3/3)',
      { side: 'company', commentId: '7', displayName: 'Bob', part: { index: 3, total: 3 } },
    ],
    [
      'name with "by"',
      '[Google Comment 1 by Anne by the Sea]\nx',
      { side: 'google', commentId: '1', displayName: 'Anne by the Sea' },
    ],
    [
      'name with brackets',
      '[Google Comment 1 by Acme [Support]]\nx',
      { side: 'google', commentId: '1', displayName: 'Acme [Support]' },
    ],
    [
      'name with brackets and part',
      '[Company Comment 1 by Acme [EU]] (part 1/2)\nx',
      { side: 'company', commentId: '1', displayName: 'Acme [EU]', part: { index: 1, total: 2 } },
    ],
    ['typed in the middle of a body', 'As said in\n[Google Comment 1 by Jane]\nthe VM…', null],
    ['typed after a space', ' [Google Comment 1 by Jane]\nx', null],
    ['followed by text on the same line', '[Google Comment 1 by Jane] said hi', null],
    ['unknown side', '[Other Comment 1 by Jane]\nx', null],
    ['lower-case', '[google comment 1 by Jane]\nx', null],
    ['no id', '[Google Comment by Jane]\nx', null],
    ['no name', '[Google Comment 1 by ]\nx', null],
    ['part 0', '[Company Comment 7 by Bob] (part 0/3)\nx', null],
    ['part beyond total', '[Company Comment 7 by Bob] (part 4/3)\nx', null],
    ['empty body', '', null],
  ])('%s', (_label, body, expected) => {
    expect(parseMirrorHeader(body)).toEqual(expected);
  });

  it('parses what the writers write', () => {
    expect(parseMirrorHeader(mirroredIntoCompany('c1', 'Jane Doe', 'x'))).toEqual({
      side: 'google',
      commentId: 'c1',
      displayName: 'Jane Doe',
    });
    expect(parseMirrorHeader(mirroredIntoGoogle('99', 'Ada', 'y')[0] ?? '')).toEqual({
      side: 'company',
      commentId: '99',
      displayName: 'Ada',
    });
  });
});

describe('notices', () => {
  it('writes the exact texts', () => {
    expect(nowSyncingText('SUP-12')).toBe('This case is now syncing with Company Case: SUP-12');
    expect(outageText(25 * MINUTE)).toBe('This case has not synced properly in 25 minutes.');
    expect(outageText(61 * MINUTE)).toBe('This case has not synced properly in 1 hour 1 minute.');
    expect(outageText(45_000)).toBe('This case has not synced properly in 1 minute.');
    expect(RESUMED_TEXT).toBe('Syncing has resumed.');
  });

  it.each<[string, string, boolean]>([
    ['now syncing', nowSyncingText('SUP-12'), true],
    ['outage, minutes', outageText(25 * MINUTE), true],
    ['outage, 1 minute', outageText(1), true],
    ['outage, hours and minutes', outageText(2 * HOUR + 5 * MINUTE), true],
    ['outage, days and hours', outageText(50 * HOUR), true],
    ['resumed', RESUMED_TEXT, true],
    ['resumed with whitespace around', `  ${RESUMED_TEXT}\n`, true],
    ['now syncing with whitespace around', `\n${nowSyncingText('ABC-1')} `, true],
    ['resumed, other case', 'syncing has resumed.', false],
    ['resumed inside a comment', `FYI: ${RESUMED_TEXT}`, false],
    ['resumed followed by text', `${RESUMED_TEXT}\nThanks`, false],
    ['outage with free text duration', 'This case has not synced properly in ages.', false],
    ['outage without a period', 'This case has not synced properly in 5 minutes', false],
    ['now syncing without a key', 'This case is now syncing with Company Case: ', false],
    [
      'now syncing with extra words',
      'This case is now syncing with Company Case: SUP-1 today',
      false,
    ],
    ['a mirrored comment', mirroredIntoCompany('1', 'A', RESUMED_TEXT), false],
    ['empty', '', false],
  ])('isConnectorNotice: %s → %p', (_label, body, expected) => {
    expect(isConnectorNotice(body)).toBe(expected);
  });
});

describe('formatBytes', () => {
  it.each<[number, string]>([
    [0, '0 B'],
    [1, '1 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [1024 * 1024 - 1, '1.0 MB'],
    [1024 * 1024, '1.0 MB'],
    [10 * 1024 * 1024, '10.0 MB'],
    [250 * 1024 * 1024, '250.0 MB'],
    [1024 ** 3 - 1, '1.0 GB'],
    [2 * 1024 ** 3, '2.0 GB'],
    [5000 * 1024 ** 3, '5000.0 GB'],
  ])('%p → %p', (n, expected) => {
    expect(formatBytes(n)).toBe(expected);
  });

  it.each([-1, NaN, Infinity])('rejects %p', (n) => {
    expect(() => formatBytes(n)).toThrow(RangeError);
  });
});

describe('attachmentNotMirroredText', () => {
  it('names the file, its size, the limit and why (from Google)', () => {
    const text = attachmentNotMirroredText({
      filename: 'big.iso',
      sizeBytes: 250 * 1024 * 1024,
      limitBytes: 10 * 1024 * 1024,
      side: 'google',
    });
    expect(text).toBe(
      '[Attachment not mirrored] "big.iso" (250.0 MB) from the Google case exceeds the Jira upload limit of 10.0 MB.',
    );
    expect(isAttachmentNotMirroredText(text)).toBe(true);
    expect(isConnectorNotice(text)).toBe(false);
  });

  it('names the file, its size, the limit and why (from Jira)', () => {
    const text = attachmentNotMirroredText({
      filename: 'dump.tar.gz',
      sizeBytes: 3 * 1024 ** 3,
      limitBytes: 2 * 1024 ** 3,
      side: 'company',
    });
    expect(text).toBe(
      '[Attachment not mirrored] "dump.tar.gz" (3.0 GB) from the Jira ticket exceeds the Google Cloud Support upload limit of 2.0 GB.',
    );
    expect(isAttachmentNotMirroredText(text)).toBe(true);
  });

  it('names the CRM it is written for (Zendesk), both ways', () => {
    const toDesk = attachmentNotMirroredText({
      filename: 'big.iso',
      sizeBytes: 60 * 1024 * 1024,
      limitBytes: 50 * 1024 * 1024,
      side: 'google',
      crm: 'Zendesk',
    });
    expect(toDesk).toBe(
      '[Attachment not mirrored] "big.iso" (60.0 MB) from the Google case exceeds the Zendesk upload limit of 50.0 MB.',
    );
    const toGoogle = attachmentNotMirroredText({
      filename: 'dump.tar.gz',
      sizeBytes: 3 * 1024 ** 3,
      limitBytes: 2 * 1024 ** 3,
      side: 'company',
      crm: 'Zendesk',
    });
    expect(toGoogle).toBe(
      '[Attachment not mirrored] "dump.tar.gz" (3.0 GB) from the Zendesk ticket exceeds the Google Cloud Support upload limit of 2.0 GB.',
    );
    expect(isAttachmentNotMirroredText(toDesk)).toBe(true);
    expect(isAttachmentNotMirroredText(toGoogle)).toBe(true);
  });

  it('names no figure when the limit is not known (the target answered 413 below the known one)', () => {
    const text = attachmentNotMirroredText({
      filename: 'core.bin',
      sizeBytes: 3 * 1024 * 1024,
      side: 'google',
      crm: 'Zendesk',
    });
    expect(text).toBe(
      '[Attachment not mirrored] "core.bin" (3.0 MB) from the Google case exceeds the Zendesk upload limit.',
    );
    expect(isAttachmentNotMirroredText(text)).toBe(true);
  });

  it('keeps the notice on one line', () => {
    const text = attachmentNotMirroredText({
      filename: 'a\r\nb\nc.txt',
      sizeBytes: 2048,
      limitBytes: 1024,
      side: 'google',
    });
    expect(text).toContain('"a b c.txt"');
    expect(text).not.toMatch(/[\r\n]/);
  });

  it('isAttachmentNotMirroredText is false for other comments', () => {
    expect(isAttachmentNotMirroredText('[Attachment not mirrored] whatever')).toBe(false);
    expect(isAttachmentNotMirroredText(RESUMED_TEXT)).toBe(false);
  });
});

import { adfToText, textToAdf, type AdfNode } from '../../src/adapters/jira/adf';

const doc = (...content: AdfNode[]): AdfNode => ({ type: 'doc', content }) as AdfNode;
const p = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const t = (text: string, marks?: AdfNode['marks']): AdfNode => ({
  type: 'text',
  text,
  ...(marks ? { marks } : {}),
});

describe('adfToText', () => {
  it('renders paragraphs, hard breaks and headings', () => {
    const text = adfToText(
      doc(
        { type: 'heading', attrs: { level: 2 }, content: [t('Title')] },
        p(t('first line'), { type: 'hardBreak' }, t('second line')),
        p(t('next paragraph')),
      ),
    );
    expect(text).toBe('Title\n\nfirst line\nsecond line\n\nnext paragraph');
  });

  it('renders mentions with an @ and keeps text around them', () => {
    expect(
      adfToText(
        doc(
          p(
            t('Hi '),
            { type: 'mention', attrs: { id: 'abc', text: '@Jane Doe' } },
            t(', please look'),
          ),
        ),
      ),
    ).toBe('Hi @Jane Doe, please look');
    expect(adfToText(doc(p({ type: 'mention', attrs: { id: 'abc', text: 'Bob' } })))).toBe('@Bob');
  });

  it('fences code blocks with their language', () => {
    const text = adfToText(
      doc(p(t('Run:')), {
        type: 'codeBlock',
        attrs: { language: 'bash' },
        content: [t('gcloud app deploy\nexit 0')],
      }),
    );
    expect(text).toBe('Run:\n\n```bash\ngcloud app deploy\nexit 0\n```');
  });

  it('renders tables as pipe rows, with a separator under a header row', () => {
    const cell = (type: string, text: string): AdfNode => ({ type, content: [p(t(text))] });
    const text = adfToText(
      doc({
        type: 'table',
        content: [
          {
            type: 'tableRow',
            content: [cell('tableHeader', 'Zone'), cell('tableHeader', 'State')],
          },
          { type: 'tableRow', content: [cell('tableCell', 'us-east1'), cell('tableCell', 'a|b')] },
        ],
      }),
    );
    expect(text).toBe('| Zone | State |\n| --- | --- |\n| us-east1 | a\\|b |');
  });

  it('renders links as "text (url)" unless the text is the url, and inline cards as their url', () => {
    const link = (href: string): AdfNode['marks'] => [{ type: 'link', attrs: { href } }];
    expect(adfToText(doc(p(t('the runbook', link('https://example.com/rb')))))).toBe(
      'the runbook (https://example.com/rb)',
    );
    expect(adfToText(doc(p(t('https://example.com', link('https://example.com')))))).toBe(
      'https://example.com',
    );
    expect(
      adfToText(doc(p(t('see '), { type: 'inlineCard', attrs: { url: 'https://x.test/1' } }))),
    ).toBe('see https://x.test/1');
  });

  it('renders bullet and ordered lists, nested ones indented', () => {
    const li = (...content: AdfNode[]): AdfNode => ({ type: 'listItem', content });
    const text = adfToText(
      doc(
        {
          type: 'bulletList',
          content: [
            li(p(t('one'))),
            li(p(t('two')), { type: 'bulletList', content: [li(p(t('two.a')))] }),
          ],
        },
        {
          type: 'orderedList',
          attrs: { order: 3 },
          content: [li(p(t('third'))), li(p(t('fourth')))],
        },
      ),
    );
    expect(text).toBe('- one\n- two\n  - two.a\n\n3. third\n4. fourth');
  });

  it('renders blockquotes, rules, emoji, media and unknown nodes readably', () => {
    const text = adfToText(
      doc(
        { type: 'blockquote', content: [p(t('quoted')), p(t('more'))] },
        { type: 'rule' },
        p({ type: 'emoji', attrs: { shortName: ':smile:', text: '😄' } }),
        { type: 'mediaSingle', content: [{ type: 'media', attrs: { id: 'x', type: 'file' } }] },
        { type: 'somethingNew', content: [p(t('inner text'))] },
      ),
    );
    expect(text).toBe('> quoted\n>\n> more\n\n---\n\n😄\n\n[attachment]\n\ninner text');
  });

  it('never throws on junk', () => {
    expect(adfToText(null)).toBe('');
    expect(adfToText({ nope: true })).toBe('');
    expect(adfToText('plain')).toBe('plain');
  });
});

describe('textToAdf', () => {
  it('splits paragraphs on blank lines and lines on hard breaks, without markup', () => {
    expect(textToAdf('Hello *world*\nsecond\n\n\n  \nthird')).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [t('Hello *world*'), { type: 'hardBreak' }, t('second')] },
        { type: 'paragraph', content: [t('third')] },
      ],
    });
  });

  it('never produces an empty text node', () => {
    const walk = (n: AdfNode): AdfNode[] => [n, ...(n.content ?? []).flatMap(walk)];
    for (const input of ['', '\n', '\n\n\n', 'a\n\n', '\r\n\r\nb\r\n', 'x\u0000\u0007y', '   ']) {
      const nodes = walk(textToAdf(input) as unknown as AdfNode);
      for (const n of nodes) if (n.type === 'text') expect(n.text).not.toBe('');
    }
    expect(textToAdf('').content).toEqual([]);
  });

  it('round-trips plain text through adfToText', () => {
    const samples = [
      'single line',
      'line 1\nline 2\n\nparagraph 2 with `code` and *stars*',
      '[Google Comment 42 by Jane]\nThe VM restarted at 10:00.\n\n- not a list\n1. not numbered',
      'résumé 日本 😄',
    ];
    for (const s of samples) expect(adfToText(textToAdf(s))).toBe(s);
    expect(adfToText(textToAdf('a\r\nb\n\n\n\nc  \n'))).toBe('a\nb\n\nc');
  });
});

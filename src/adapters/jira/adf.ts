// Atlassian Document Format (ADF) ⇄ plain text. Jira REST v3 carries descriptions and
// comment bodies as ADF; Google carries plain text. adfToText renders any ADF readably
// (it never throws on unknown nodes); textToAdf builds the simplest valid document.

/** One ADF node (loosely typed: documents come from upstream and may hold any node). */
export interface AdfNode {
  readonly type: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
  readonly marks?: readonly AdfMark[];
  readonly content?: readonly AdfNode[];
}

interface AdfMark {
  readonly type: string;
  readonly attrs?: Readonly<Record<string, unknown>>;
}

export interface AdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfNode[];
}

const BLOCK_TYPES = new Set([
  'doc',
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'listItem',
  'codeBlock',
  'blockquote',
  'rule',
  'table',
  'tableRow',
  'tableHeader',
  'tableCell',
  'panel',
  'expand',
  'nestedExpand',
  'mediaSingle',
  'mediaGroup',
  'taskList',
  'taskItem',
  'decisionList',
  'decisionItem',
  'blockCard',
  'embedCard',
  'layoutSection',
  'layoutColumn',
]);

function isNode(v: unknown): v is AdfNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

function children(node: AdfNode): AdfNode[] {
  return Array.isArray(node.content) ? node.content.filter(isNode) : [];
}

function attr(node: AdfNode, name: string): string | undefined {
  const v = node.attrs?.[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Renders inline content (text, marks, mentions, emoji, cards…) on one logical line. */
function inlineText(nodes: readonly AdfNode[]): string {
  return nodes.map(inlineNode).join('');
}

function inlineNode(node: AdfNode): string {
  switch (node.type) {
    case 'text': {
      const text = typeof node.text === 'string' ? node.text : '';
      const link = (node.marks ?? []).find((m) => m.type === 'link');
      const href = typeof link?.attrs?.href === 'string' ? link.attrs.href : undefined;
      if (href !== undefined && href !== '' && href !== text) return `${text} (${href})`;
      return text;
    }
    case 'hardBreak':
      return '\n';
    case 'mention': {
      const text = attr(node, 'text') ?? attr(node, 'id') ?? 'someone';
      return text.startsWith('@') ? text : `@${text}`;
    }
    case 'emoji':
      return attr(node, 'text') ?? attr(node, 'shortName') ?? '';
    case 'inlineCard':
    case 'blockCard':
    case 'embedCard':
      return attr(node, 'url') ?? '';
    case 'status':
      return attr(node, 'text') ?? '';
    case 'date': {
      const ts = Number(attr(node, 'timestamp'));
      return Number.isFinite(ts) ? new Date(ts).toISOString().slice(0, 10) : '';
    }
    case 'media':
    case 'mediaInline':
      return '[attachment]';
    case 'placeholder':
      return '';
    default:
      // Unknown node: its text content.
      if (typeof node.text === 'string') return node.text;
      return children(node).some((c) => BLOCK_TYPES.has(c.type))
        ? blocksText(children(node))
        : inlineText(children(node));
  }
}

function indent(text: string, prefix: string, firstPrefix = prefix): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? firstPrefix : line === '' ? prefix.trimEnd() : prefix) + line)
    .join('\n');
}

function listItemText(item: AdfNode, marker: string): string {
  const pad = ' '.repeat(marker.length);
  const parts = children(item).map(blockText);
  const body = parts.filter((p) => p !== '').join('\n');
  return indent(body, pad, marker);
}

function tableCellText(cell: AdfNode): string {
  return children(cell)
    .map(blockText)
    .filter((t) => t !== '')
    .join(' ')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function tableText(table: AdfNode): string {
  const lines: string[] = [];
  children(table).forEach((row, i) => {
    const cells = children(row);
    lines.push(`| ${cells.map(tableCellText).join(' | ')} |`);
    if (i === 0 && cells.length > 0 && cells.every((c) => c.type === 'tableHeader')) {
      lines.push(`| ${cells.map(() => '---').join(' | ')} |`);
    }
  });
  return lines.join('\n');
}

function blockText(node: AdfNode): string {
  switch (node.type) {
    case 'paragraph':
    case 'heading':
      return inlineText(children(node));
    case 'bulletList':
      return children(node)
        .map((item) => listItemText(item, '- '))
        .join('\n');
    case 'orderedList': {
      const startAttr = Number(node.attrs?.order ?? 1);
      const start = Number.isInteger(startAttr) && startAttr >= 0 ? startAttr : 1;
      return children(node)
        .map((item, i) => listItemText(item, `${start + i}. `))
        .join('\n');
    }
    case 'taskList':
      return children(node)
        .map((item) =>
          item.type === 'taskItem'
            ? indent(inlineOrBlocks(item), '    ', attr(item, 'state') === 'DONE' ? '[x] ' : '[ ] ')
            : blockText(item),
        )
        .join('\n');
    case 'decisionList':
      return children(node)
        .map((item) => indent(inlineOrBlocks(item), '  ', '- '))
        .join('\n');
    case 'codeBlock': {
      const lang = attr(node, 'language') ?? '';
      const code = children(node)
        .map((c) => (typeof c.text === 'string' ? c.text : inlineNode(c)))
        .join('');
      return '```' + lang + '\n' + code + '\n```';
    }
    case 'blockquote':
      return indent(blocksText(children(node)), '> ');
    case 'rule':
      return '---';
    case 'table':
      return tableText(node);
    case 'mediaSingle':
    case 'mediaGroup':
      return children(node)
        .map((c) => inlineNode(c))
        .filter((t) => t !== '')
        .join('\n');
    case 'expand':
    case 'nestedExpand': {
      const title = attr(node, 'title');
      const body = blocksText(children(node));
      return title !== undefined && title !== '' ? `${title}\n${body}` : body;
    }
    case 'blockCard':
    case 'embedCard':
      return attr(node, 'url') ?? '';
    default:
      return inlineOrBlocks(node);
  }
}

/** Content of a node that may hold either inline nodes or blocks (panel, unknown…). */
function inlineOrBlocks(node: AdfNode): string {
  const kids = children(node);
  if (kids.some((c) => BLOCK_TYPES.has(c.type))) return blocksText(kids);
  if (kids.length === 0 && typeof node.text === 'string') return node.text;
  return inlineText(kids);
}

function blocksText(nodes: readonly AdfNode[]): string {
  return nodes
    .map(blockText)
    .filter((t) => t.trim() !== '')
    .join('\n\n');
}

/** Readable plain text for any ADF document (null/invalid input gives ''). */
export function adfToText(doc: unknown): string {
  if (typeof doc === 'string') return doc;
  if (!isNode(doc)) return '';
  const text = doc.type === 'doc' ? blocksText(children(doc)) : blockText(doc);
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Plain text → ADF: paragraphs split on blank lines, hard breaks on single newlines, no
 * markup interpretation, and never an empty text node (Jira rejects them).
 */
export function textToAdf(text: string): AdfDoc {
  const lines = text.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '').split('\n');
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else {
      current.push(line.replace(/\s+$/, ''));
    }
  }
  if (current.length > 0) paragraphs.push(current);

  const content: AdfNode[] = paragraphs.map((para) => {
    const inline: AdfNode[] = [];
    para.forEach((line, i) => {
      if (i > 0) inline.push({ type: 'hardBreak' });
      inline.push({ type: 'text', text: line });
    });
    return { type: 'paragraph', content: inline };
  });
  return { type: 'doc', version: 1, content };
}

// The simulator's own, deliberately simple ADF handling (independent of the adapter's
// converter, so that a bug there cannot hide itself): validation like Jira's, plain text
// → ADF for the "person" API, and ADF → text for snapshots and text search.

export interface SimAdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly unknown[];
}

/** Jira's answer when a v3 rich-text field is not a valid Atlassian Document, else null. */
export function adfProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  }
  const doc = value as { type?: unknown; version?: unknown; content?: unknown };
  if (doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) {
    return 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  }
  const walk = (node: unknown, depth: number): string | null => {
    if (depth > 50) return 'INVALID_INPUT';
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return 'INVALID_INPUT';
    const n = node as { type?: unknown; text?: unknown; content?: unknown; marks?: unknown };
    if (typeof n.type !== 'string' || n.type === '') return 'INVALID_INPUT';
    if (n.type === 'text' && (typeof n.text !== 'string' || n.text === '')) return 'INVALID_INPUT';
    if (n.type === 'doc') return 'INVALID_INPUT';
    if (n.content !== undefined) {
      if (!Array.isArray(n.content)) return 'INVALID_INPUT';
      for (const c of n.content) {
        const p = walk(c, depth + 1);
        if (p !== null) return p;
      }
    }
    if (n.marks !== undefined && !Array.isArray(n.marks)) return 'INVALID_INPUT';
    return null;
  };
  for (const c of doc.content) {
    const p = walk(c, 1);
    if (p !== null) return p;
  }
  return null;
}

/** Plain text → ADF: one paragraph per blank-line-separated block, hard breaks inside. */
export function simTextToAdf(text: string): SimAdfDoc {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((b) => b.replace(/^\n+|\n+$/g, ''))
    .filter((b) => b.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: blocks.map((b) => ({
      type: 'paragraph',
      content: b
        .split('\n')
        .flatMap((line, i) => [
          ...(i > 0 ? [{ type: 'hardBreak' }] : []),
          ...(line === '' ? [] : [{ type: 'text', text: line }]),
        ]),
    })),
  };
}

/** ADF → text: text nodes, hard breaks as newlines, top-level blocks separated by a blank line. */
export function simAdfToText(doc: unknown): string {
  const inline = (node: unknown): string => {
    if (typeof node !== 'object' || node === null) return '';
    const n = node as {
      type?: unknown;
      text?: unknown;
      content?: unknown;
      attrs?: { text?: unknown; url?: unknown };
    };
    if (n.type === 'text') return typeof n.text === 'string' ? n.text : '';
    if (n.type === 'hardBreak') return '\n';
    if (n.type === 'mention' || n.type === 'emoji')
      return typeof n.attrs?.text === 'string' ? n.attrs.text : '';
    if (n.type === 'inlineCard') return typeof n.attrs?.url === 'string' ? n.attrs.url : '';
    if (Array.isArray(n.content)) {
      const sep =
        n.type === 'paragraph' || n.type === 'heading' || n.type === 'codeBlock' ? '' : '\n';
      return n.content.map(inline).join(sep);
    }
    return '';
  };
  if (typeof doc !== 'object' || doc === null) return '';
  const content = (doc as { content?: unknown }).content;
  if (!Array.isArray(content)) return '';
  return content.map(inline).join('\n\n');
}

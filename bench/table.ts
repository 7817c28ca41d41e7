// The one plain-text table the bench prints, and the verdicts `--check` acts on.

export interface Row {
  /** 1–5: the sections. */
  readonly section: string;
  readonly scenario: string;
  readonly measure: string;
  readonly value: string;
  /** The bar, when the figure has one (e.g. "≤ 2"). */
  readonly bar?: string;
  /** Whether the bar is met; undefined when there is no bar. */
  readonly ok?: boolean;
  /**
   * A count bar (calls, operations, writes, bytes, mirrored items): `--check` fails on it.
   * Times and memory are reported and judged, but never fail `--check`.
   */
  readonly countBar?: boolean;
}

export function row(
  section: string,
  scenario: string,
  measure: string,
  value: string | number,
  bar?: { text: string; ok: boolean; count?: boolean },
): Row {
  return {
    section,
    scenario,
    measure,
    value: typeof value === 'number' ? formatNumber(value) : value,
    ...(bar ? { bar: bar.text, ok: bar.ok, countBar: bar.count ?? false } : {}),
  };
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(n < 10 ? 1 : 0)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Renders the rows as one aligned plain-text table. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['#', 'scenario', 'measure', 'value', 'bar', 'verdict'];
  const cells = rows.map((r) => [
    r.section,
    r.scenario,
    r.measure,
    r.value,
    r.bar ?? '',
    r.ok === undefined ? '' : r.ok ? 'ok' : r.countBar ? 'FAIL' : 'MISS',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => (i === 3 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(header), sep];
  let last = '';
  for (const [i, c] of cells.entries()) {
    const section = rows[i]?.section ?? '';
    if (last !== '' && section !== last) out.push('');
    last = section;
    out.push(line(c));
  }
  return out.join('\n');
}

/** Count bars that failed (what `--check` exits non-zero for). */
export function failedCountBars(rows: readonly Row[]): Row[] {
  return rows.filter((r) => r.countBar === true && r.ok === false);
}

// The doctor's checklist (`npm run doctor`): one typed result per check against a live
// system, and the pure renderers of the list (text lines with ✓ ✗ ! -, and JSON).

export type CheckSystem = 'config' | 'google' | 'crm' | 'store' | 'queue' | 'schedule';
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skipped';

export interface Check {
  /** Stable key, e.g. `crm.priorities`. */
  readonly id: string;
  readonly system: CheckSystem;
  readonly status: CheckStatus;
  readonly title: string;
  /** What was found. */
  readonly detail?: string;
  /** What to change (every `fail` has one). */
  readonly fix?: string;
}

/** Builds the results of one check: `const c = checkOf('crm', 'crm.auth', 'auth'); c.ok('…')`. */
export function checkOf(system: CheckSystem, id: string, title: string) {
  const make = (status: CheckStatus, detail?: string, fix?: string): Check => ({
    id,
    system,
    status,
    title,
    ...(detail === undefined ? {} : { detail }),
    ...(fix === undefined ? {} : { fix }),
  });
  return {
    ok: (detail?: string) => make('ok', detail),
    fail: (detail: string, fix: string) => make('fail', detail, fix),
    warn: (detail: string, fix?: string) => make('warn', detail, fix),
    skipped: (detail: string) => make('skipped', detail),
  };
}

const MARK: Readonly<Record<CheckStatus, string>> = { ok: '✓', fail: '✗', warn: '!', skipped: '-' };

/** True when no check failed (warnings and skipped checks do not fail the run). */
export function checklistPassed(checks: readonly Check[]): boolean {
  return checks.every((c) => c.status !== 'fail');
}

/**
 * One line per check: mark, system, title, what was found, and for a failure (or a warning
 * with a fix) ` — ` and what to change. `systemNames` renames systems (`crm` → `jira`).
 */
export function renderChecklist(
  checks: readonly Check[],
  systemNames: Partial<Record<CheckSystem, string>> = {},
): string {
  const name = (c: Check): string => systemNames[c.system] ?? c.system;
  const sysWidth = Math.max(0, ...checks.map((c) => name(c).length));
  const titleWidth = Math.max(0, ...checks.map((c) => c.title.length));
  const lines = checks.map((c) => {
    const text = [c.detail, c.fix].filter((s) => s !== undefined && s !== '').join(' — ');
    return `${MARK[c.status]} ${name(c).padEnd(sysWidth)}  ${c.title.padEnd(titleWidth)}  ${text}`.trimEnd();
  });
  const count = (s: CheckStatus): number => checks.filter((c) => c.status === s).length;
  const summary = `${count('ok')} ok, ${count('fail')} failed, ${count('warn')} warnings, ${count('skipped')} not checked`;
  return `${lines.join('\n')}\n\n${checklistPassed(checks) ? 'ready' : 'NOT READY'}: ${summary}\n`;
}

/** The same checklist as JSON: `{ ok, checks: [{ id, system, status, title, detail?, fix? }] }`. */
export function renderChecklistJson(
  checks: readonly Check[],
  systemNames: Partial<Record<CheckSystem, string>> = {},
): string {
  return `${JSON.stringify(
    {
      ok: checklistPassed(checks),
      checks: checks.map((c) => ({ ...c, system: systemNames[c.system] ?? c.system })),
    },
    null,
    2,
  )}\n`;
}

// Scripted faults and hooks for fakes and wrappers: "the next call to X throws E",
// "the call succeeds, then the caller sees E" (a crash after the write), "run this before
// the next call to X". Rules are consumed in the order they were added.

export interface FaultOptions {
  /** How many matching calls the rule applies to (default 1). */
  readonly times?: number;
  /** Perform the operation, then throw (the write happened; the caller never learns it). */
  readonly after?: boolean;
  /** Only calls whose arguments satisfy this predicate match. */
  readonly when?: (args: readonly unknown[]) => boolean;
}

export interface HookOptions {
  readonly times?: number;
  readonly when?: (args: readonly unknown[]) => boolean;
}

type Rule =
  | {
      readonly type: 'fail';
      readonly method: string;
      readonly error: Error;
      readonly after: boolean;
      readonly when?: (args: readonly unknown[]) => boolean;
      remaining: number;
    }
  | {
      readonly type: 'hook';
      readonly method: string;
      readonly action: (args: readonly unknown[]) => void | Promise<void>;
      readonly when?: (args: readonly unknown[]) => boolean;
      remaining: number;
    };

export class Faults<M extends string = string> {
  private rules: Rule[] = [];

  /** The next matching call to `method` throws `error` (before or, with `after`, after running). */
  failNext(method: M, error: Error, opts: FaultOptions = {}): void {
    this.rules.push({
      type: 'fail',
      method,
      error,
      after: opts.after ?? false,
      when: opts.when,
      remaining: opts.times ?? 1,
    });
  }

  /** Runs `action` just before the next matching call to `method`. */
  onNext(
    method: M,
    action: (args: readonly unknown[]) => void | Promise<void>,
    opts: HookOptions = {},
  ): void {
    this.rules.push({
      type: 'hook',
      method,
      action,
      when: opts.when,
      remaining: opts.times ?? 1,
    });
  }

  /** Removes every pending rule. */
  clear(): void {
    this.rules = [];
  }

  /** Rules not consumed yet (a test can assert that its scripted fault really fired). */
  pending(): number {
    return this.rules.length;
  }

  /** Runs `op` under the rules for `method`. */
  async run<R>(method: M, args: readonly unknown[], op: () => R | Promise<R>): Promise<R> {
    for (const hook of this.take(method, args, (r) => r.type === 'hook')) {
      if (hook.type === 'hook') await hook.action(args);
    }
    const before = this.take(method, args, (r) => r.type === 'fail' && !r.after)[0];
    if (before?.type === 'fail') throw before.error;
    const result = await op();
    const after = this.take(method, args, (r) => r.type === 'fail' && r.after)[0];
    if (after?.type === 'fail') throw after.error;
    return result;
  }

  private take(method: string, args: readonly unknown[], kind: (r: Rule) => boolean): Rule[] {
    const taken: Rule[] = [];
    for (const rule of this.rules) {
      if (rule.method !== method || !kind(rule)) continue;
      if (rule.when && !rule.when(args)) continue;
      rule.remaining -= 1;
      taken.push(rule);
      if (rule.type === 'fail') break; // one failure per call
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return taken;
  }
}

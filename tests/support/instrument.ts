// A thin wrapper around any port object: it counts the calls (with their arguments) and can
// inject scripted faults, without touching the object it wraps. Used where the number of
// calls IS the behaviour (poll cost, zero-write re-sync) and to script store crashes.
import { Faults, type FaultOptions, type HookOptions } from './faults';

export type MethodOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T] &
  string;

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

export interface Instrumented<T extends object> {
  /** The wrapped object: pass this to the code under test. */
  readonly api: T;
  /** Every call made through `api`, in order. */
  readonly calls: Call[];
  readonly faults: Faults<MethodOf<T>>;
  /** Number of calls to the given methods (all methods when omitted). */
  count(methods?: MethodOf<T> | readonly MethodOf<T>[]): number;
  failNext(method: MethodOf<T>, error: Error, opts?: FaultOptions): void;
  onNext(
    method: MethodOf<T>,
    action: (args: readonly unknown[]) => void | Promise<void>,
    opts?: HookOptions,
  ): void;
  /** Forgets the calls counted so far. */
  reset(): void;
}

export function instrument<T extends object>(target: T): Instrumented<T> {
  const calls: Call[] = [];
  const faults = new Faults<MethodOf<T>>();
  const api = new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        calls.push({ method: prop, args });
        return faults.run(prop as MethodOf<T>, args, () => method.apply(obj, args));
      };
    },
  });
  return {
    api,
    calls,
    faults,
    count(methods) {
      if (methods === undefined) return calls.length;
      const names: readonly string[] = typeof methods === 'string' ? [methods] : methods;
      return calls.filter((c) => names.includes(c.method)).length;
    },
    failNext: (method, error, opts) => faults.failNext(method, error, opts),
    onNext: (method, action, opts) => faults.onNext(method, action, opts),
    reset() {
      calls.length = 0;
    },
  };
}

/** Store methods that write a mapping, the Global or a record (leases are counted apart). */
export const STORE_WRITES = [
  'saveGlobal',
  'insert',
  'update',
  'delete',
  'recordMirroredItem',
] as const;
/** Upstream methods that change a case or a ticket. */
export const GOOGLE_WRITES = ['create', 'setPriority', 'close', 'addComment', 'upload'] as const;
export const CRM_WRITES = [
  'create',
  'linkGoogleCase',
  'setPriority',
  'close',
  'addComment',
  'upload',
] as const;

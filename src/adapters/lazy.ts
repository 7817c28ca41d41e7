/**
 * A port whose adapter is built on first use (or by `ready()`): the heavy client libraries
 * (Datastore, Cloud Tasks, jira.js, the Cloud Support client, Secret Manager) then load
 * after the server listens instead of before it, so a cold instance answers /healthz fast.
 * Every method of our ports returns a promise, so each call simply waits for the build.
 */
export interface Lazy<T> {
  readonly port: T;
  /** Builds the adapter now; rejects with the build error (e.g. a bad secret). */
  ready(): Promise<void>;
}

export function lazyPort<T extends object>(build: () => Promise<T>): Lazy<T> {
  let built: Promise<T> | null = null;
  const get = (): Promise<T> => {
    built ??= build();
    return built;
  };
  const port = new Proxy({} as T, {
    get(_target, prop) {
      if (prop === 'then') return undefined; // not a thenable
      return async (...args: unknown[]) => {
        const target = await get();
        const method = (target as Record<PropertyKey, unknown>)[prop];
        if (typeof method !== 'function')
          throw new TypeError(`${String(prop)} is not a port method`);
        return (method as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { port, ready: async () => void (await get()) };
}

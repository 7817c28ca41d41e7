import { lazyPort } from '../../src/adapters/lazy';

interface Port {
  add(a: number, b: number): Promise<number>;
}

describe('lazyPort', () => {
  test('builds the adapter once, on first use, and forwards calls', async () => {
    let builds = 0;
    const l = lazyPort<Port>(async () => {
      builds += 1;
      return { add: async (a, b) => a + b };
    });
    expect(builds).toBe(0);
    await expect(Promise.all([l.port.add(1, 2), l.port.add(3, 4)])).resolves.toEqual([3, 7]);
    await l.ready();
    expect(builds).toBe(1);
  });

  test('ready() and every call reject with the build error', async () => {
    const l = lazyPort<Port>(async () => {
      throw new Error('secret unreadable');
    });
    await expect(l.ready()).rejects.toThrow('secret unreadable');
    await expect(l.port.add(1, 1)).rejects.toThrow('secret unreadable');
  });

  test('an unknown method is a TypeError, and the proxy is not a thenable', async () => {
    const l = lazyPort<Port>(async () => ({ add: async (a, b) => a + b }));
    expect((l.port as unknown as { then?: unknown }).then).toBeUndefined();
    await expect((l.port as unknown as { nope: () => Promise<void> }).nope()).rejects.toThrow(
      TypeError,
    );
  });
});

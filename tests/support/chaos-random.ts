// A small seeded random source for the chaos suite (mulberry32), so that a run can be
// replayed with the seed it prints. Faults, crashes and activity each draw from their own
// stream, derived from one seed, so that adding a draw to one does not shift the others.

export type Random = () => number;

/** mulberry32: a fast 32-bit PRNG, plenty for choosing faults. Values in [0, 1). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stream of its own for `label`, derived from `seed`. */
export function streamFor(seed: number, label: string): Random {
  let h = seed >>> 0;
  for (let i = 0; i < label.length; i += 1)
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return seededRandom(h);
}

/** An integer in [min, max]. */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

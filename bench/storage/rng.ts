/** Deterministic randomness: the ids are UUIDv7 and differ per run; the shape of the data does not. */
export interface Rng {
  (): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  normal(): number;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (() => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rng;
  next.int = (n) => Math.floor(next() * n);
  next.pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  next.normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return next;
}

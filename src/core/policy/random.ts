import { randomBytes } from 'node:crypto';

/**
 * Injectable randomness for the policy. Tests and the benchmark pass a seeded generator so that every draw
 * (Thompson samples, canaries) is reproducible; the product seeds from `crypto`.
 */
export interface Rng {
  /** A uniform number in [0, 1). */
  next(): number;
}

/**
 * sfc32, a small fast generator with a 128-bit state; plenty for sampling decisions, never for secrets.
 * The seed is mixed by splitmix32 so that nearby seeds give unrelated streams.
 */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return { next };
}

/**
 * mulberry32, a generator with a 32-bit state. The policy draws from {@link seededRng}; the benchmarks and
 * the scripted fault injection draw from this one so that their published figures replay seed for seed.
 * `next` is a closure, so `mulberry32(seed).next` can be passed on as a plain `() => number`.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next };
}

/** A generator seeded from the operating system's entropy: the default outside tests. */
export function systemRng(): Rng {
  return seededRng(randomBytes(4).readUInt32LE(0));
}

/** A standard normal draw (Box-Muller; one value per call keeps the stream simple to reason about). */
export function normal(rng: Rng): number {
  let u = rng.next();
  while (u <= Number.MIN_VALUE) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A Gamma(shape, 1) draw by Marsaglia and Tsang's method (with the boost for shape < 1). */
export function gamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    const u = Math.max(rng.next(), Number.MIN_VALUE);
    return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(a, b) draw (a, b > 0) as a ratio of gammas. */
export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x + y > 0 ? x / (x + y) : 0.5;
}

/**
 * A seeded pseudo-random source (sfc32), so that initialisation, data order and validation
 * sampling are reproducible. Its state is four 32-bit words and can be saved and restored.
 */
export type RngState = readonly [number, number, number, number];

/** The complete state: the four words and the Box-Muller spare normal() keeps for its next call. */
export interface RngSnapshot {
  readonly words: RngState;
  readonly spareNormal: number | null;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  private constructor(state: RngState) {
    [this.a, this.b, this.c, this.d] = state;
  }

  /** A generator seeded from an integer; the same seed always gives the same stream. */
  static fromSeed(seed: number): Rng {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    // splitmix32 to spread the seed over the state words.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const rng = new Rng([next(), next(), next(), next()]);
    for (let i = 0; i < 12; i++) rng.nextUint32();
    return rng;
  }

  static fromState(state: RngState): Rng {
    return new Rng(state);
  }

  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  static fromSnapshot(snapshot: RngSnapshot): Rng {
    const rng = new Rng(snapshot.words);
    rng.spareNormal = snapshot.spareNormal;
    return rng;
  }

  /** Takes a snapshot's state in place (for holders of this Rng, e.g. a restored CDARTS state). */
  load(snapshot: RngSnapshot): void {
    [this.a, this.b, this.c, this.d] = snapshot.words;
    this.spareNormal = snapshot.spareNormal;
  }

  /** The state with each word as an unsigned 32-bit integer (the arithmetic is modulo 2^32). */
  snapshot(): RngSnapshot {
    const [a, b, c, d] = this.state();
    return { words: [a >>> 0, b >>> 0, c >>> 0, d >>> 0], spareNormal: this.spareNormal };
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i] as number;
      p[i] = p[j] as number;
      p[j] = t;
    }
    return p;
  }

  /** k distinct indices drawn uniformly from 0..n-1 (partial Fisher-Yates), in draw order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new Error(`cannot draw ${k} distinct indices from ${n}`);
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = t;
    }
    return pool.slice(0, k);
  }
}

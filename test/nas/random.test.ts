import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/nas/tensor/random';

describe('Rng', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = Rng.fromSeed(7);
    const b = Rng.fromSeed(7);
    const c = Rng.fromSeed(8);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('resumes exactly from a saved state', () => {
    const a = Rng.fromSeed(3);
    a.next();
    const resumed = Rng.fromState(a.state());
    expect(resumed.next()).toBe(a.next());
  });

  it('draws permutations and samples without repeats', () => {
    const r = Rng.fromSeed(1);
    const p = Array.from(r.permutation(50));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const s = Array.from(r.sample(50, 20));
    expect(new Set(s).size).toBe(20);
    expect(s.every((v) => v >= 0 && v < 50)).toBe(true);
    expect(() => r.sample(3, 4)).toThrow(/cannot draw 4 distinct indices from 3/);
  });

  it('has roughly standard normal moments', () => {
    const r = Rng.fromSeed(11);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

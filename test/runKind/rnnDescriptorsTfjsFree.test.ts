/**
 * The page imports the registry and, through it, every kind's descriptor: none of them may
 * reach tfjs by a static import (the engines are loaded with `import()` where they run). Walks
 * the static imports and re-exports from the registry and the recurrent kinds' descriptors.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const TF = join(ROOT, 'src/nas/tensor/tf.ts');

/** Static value imports and re-exports of a module (type-only ones erase at build). */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  const pattern = /^(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s+)?'([^']+)';/gms;
  for (const m of source.matchAll(pattern)) found.push(m[1] as string);
  return found;
}

/** Every module `entry` reaches by static imports, or the first path to tfjs. */
function pathToTfjs(entry: string): string[] | null {
  const seen = new Set<string>();
  const walk = (file: string, trail: string[]): string[] | null => {
    if (seen.has(file)) return null;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('@tensorflow')) return [...trail, file, spec];
      if (!spec.startsWith('.')) continue;
      const target = `${resolve(dirname(file), spec)}.ts`;
      if (target === TF) return [...trail, file, target];
      const found = walk(target, [...trail, file]);
      if (found) return found;
    }
    return null;
  };
  return walk(join(ROOT, entry), []);
}

describe('recurrent run-kind descriptors', () => {
  for (const entry of [
    'src/nas/runKind/registry.ts',
    'src/nas/rnn/search/rnnSearchKindInfo.ts',
    'src/nas/rnn/retrain/rnnRetrainKindInfo.ts',
  ]) {
    it(`${entry} reaches no tfjs`, () => {
      expect(pathToTfjs(entry)).toBeNull();
    });
  }

  it('the walk does find tfjs behind an engine (the control)', () => {
    expect(pathToTfjs('src/nas/rnn/search/rnnSearchRunKind.ts')).not.toBeNull();
    expect(pathToTfjs('src/nas/rnn/model/rnnDropout.ts')?.at(-1)).toBe(TF);
  });
});

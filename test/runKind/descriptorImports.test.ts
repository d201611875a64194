/**
 * The page imports the registry and, through it, every kind's descriptor: none of them may pull
 * tfjs in. This walks their static imports (type-only imports and the registry's dynamic
 * `import()` of the engines excluded) through the source tree and fails naming the chain that
 * reaches `@tensorflow/*` or the core's tfjs module.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const NAS = join(ROOT, 'src', 'nas');

/** The module specifiers a file imports at run time. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const statement = /^(?:import|export)\s+(type\s+)?([^;]*?)\sfrom\s+'([^']+)'/gms;
  for (const m of text.matchAll(statement)) {
    if (m[1] === undefined && m[3] !== undefined) specifiers.push(m[3]);
  }
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) if (m[1]) specifiers.push(m[1]);
  return specifiers;
}

function resolveModule(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  const found = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => existsSync(f));
  if (!found) throw new Error(`${relative(ROOT, from)} imports ${specifier}, which is not there`);
  return found;
}

const TFJS_MODULE = join(NAS, 'tensor', 'tf.ts');

/** The first import chain from `entry` to tfjs, or null when there is none. */
function chainToTfjs(entry: string): string[] | null {
  const seen = new Set<string>();
  const walk = (file: string, path: string[]): string[] | null => {
    if (seen.has(file)) return null;
    seen.add(file);
    for (const specifier of valueImports(file)) {
      if (specifier.startsWith('@tensorflow/')) return [...path, specifier];
      const next = resolveModule(file, specifier);
      if (next === null) continue;
      const here = [...path, relative(ROOT, next)];
      if (next === TFJS_MODULE) return here;
      const found = walk(next, here);
      if (found) return found;
    }
    return null;
  };
  return walk(entry, [relative(ROOT, entry)]);
}

function descriptorModules(): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('KindInfo.ts')) found.push(path);
    }
  };
  visit(NAS);
  return found;
}

describe('run-kind descriptors stay tfjs-free', () => {
  it('finds the convolutional kinds among the descriptors', () => {
    const names = descriptorModules().map((f) => relative(NAS, f));
    expect(names).toEqual(
      expect.arrayContaining([
        join('darts', 'dartsKindInfo.ts'),
        join('cdarts', 'cdartsKindInfo.ts'),
        join('retrain', 'retrainKindInfo.ts'),
      ]),
    );
  });

  it('reaches no tfjs from the registry, the settings schema or any descriptor', () => {
    const entries = [
      join(NAS, 'runKind', 'registry.ts'),
      join(NAS, 'runKind', 'settingsSchema.ts'),
      ...descriptorModules(),
    ];
    for (const entry of entries) expect(chainToTfjs(entry)).toBeNull();
  });

  it('would see tfjs where an engine imports it', () => {
    const chain = chainToTfjs(join(NAS, 'darts', 'dartsRunKind.ts'));
    expect(chain?.at(-1)).toBe(join('src', 'nas', 'tensor', 'tf.ts'));
  });
});

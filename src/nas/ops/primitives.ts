/** The DARTS candidate operations, in the order of the reference code (`cnn/genotypes.py`). */
export const DARTS_PRIMITIVES = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
] as const;

/** Every op this core can build: the search primitives plus the evaluation-only ones. */
export const KNOWN_OPS = [...DARTS_PRIMITIVES, 'sep_conv_7x7', 'conv_7x1_1x7'] as const;

export type OpName = (typeof KNOWN_OPS)[number];

export function isOpName(name: string): name is OpName {
  return (KNOWN_OPS as readonly string[]).includes(name);
}

/**
 * Validates a user's op set (candidates may be dropped or reordered). Throws a message naming
 * the offending entry.
 */
export function parseOpSet(names: readonly string[]): OpName[] {
  if (names.length === 0) throw new Error('op set is empty: give at least one candidate operation');
  const seen = new Set<string>();
  for (const name of names) {
    if (!isOpName(name)) {
      throw new Error(`unknown op "${name}"; known ops: ${KNOWN_OPS.join(', ')}`);
    }
    if (seen.has(name)) throw new Error(`op "${name}" appears twice in the op set`);
    seen.add(name);
  }
  if (names.length === 1 && names[0] === 'none') {
    throw new Error('op set holds only "none": a cell needs at least one op other than none');
  }
  return [...names] as OpName[];
}

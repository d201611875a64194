/**
 * The checks every training configuration (search, retrain, CDARTS) runs on its numbers, written
 * once so that they refuse alike and say so alike: "<setting> must be an integer of at least 1,
 * got 0".
 */

export function checkIntegerAtLeast(value: number, what: string, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${what} must be an integer of at least ${min}, got ${value}`);
  }
}

/** A finite number above zero, or at least zero when `allowZero`. */
export function checkPositiveNumber(value: number, what: string, allowZero = false): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new Error(
      `${what} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`,
    );
  }
}

/** Adam's β₁ and β₂, each in [0, 1). */
export function checkAdamBetas(beta1: number, beta2: number): void {
  for (const [v, what] of [
    [beta1, 'Adam beta1'],
    [beta2, 'Adam beta2'],
  ] as const) {
    if (!(v >= 0 && v < 1)) throw new Error(`${what} must be in [0, 1), got ${v}`);
  }
}

/**
 * The largest eigenvalue of a symmetric matrix known only through its products with vectors (the
 * Hessian of DARTS's validation loss w.r.t. the alphas, `alphaHessian.ts`), by power iteration.
 * R-DARTS (`src/search/analyze.py` `compute_Hw`, `src/search/train_search.py` `max(LA.eigvals(H))`)
 * builds the whole Hessian row by row and takes its largest eigenvalue; a row needs a backward
 * pass per alpha (224 for the paper's cells), a power iteration a handful of products. Power
 * iteration finds the eigenvalue largest in magnitude; where that one is negative, a second pass
 * on H − λ₁I (whose spectrum is then ≥ 0) finds the largest, as R-DARTS's `max` does. No tfjs.
 */

/**
 * Products per pass at most. The Rayleigh quotient of a symmetric matrix converges like
 * (λ₂/λ₁)^(2k): 20 products reach 1e-3 for ratios up to 0.84; the supernets' alpha Hessians have
 * a dominant eigenvalue well apart from the next (the fixture's ratios are 0.24 and 0.36).
 */
export const POWER_ITERATIONS = 20;

/** A pass stops when the Rayleigh quotient changes by less than this share of its value. */
export const POWER_TOLERANCE = 1e-3;

export interface EigenEstimate {
  /** The largest (algebraic) eigenvalue, as estimated. */
  readonly eigenvalue: number;
  /** Matrix-vector products taken. */
  readonly products: number;
  /** Whether every pass met the tolerance before its limit. */
  readonly converged: boolean;
}

export interface PowerOptions {
  readonly iterations?: number;
  readonly tolerance?: number;
}

/** The matrix times `v` (v of unit length; the result is a new array). */
export type MatrixProduct = (v: Float64Array) => Promise<Float64Array>;

function norm(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * A fixed start vector: the same measurement on the same state gives the same number (a resumed
 * run's series continues the uninterrupted one's), and no random source of the run is drawn
 * from. Irrational steps make it generic: not orthogonal to an eigenvector by construction.
 */
export function startVector(n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (((i + 1) * 0.6180339887498949) % 1) - 0.5;
  const length = norm(v);
  for (let i = 0; i < n; i++) v[i] = (v[i] as number) / length;
  return v;
}

/** One pass on A − shift·I: its magnitude-dominant eigenvalue (Rayleigh quotient). */
async function pass(
  product: MatrixProduct,
  n: number,
  shift: number,
  iterations: number,
  tolerance: number,
): Promise<{ value: number; products: number; converged: boolean }> {
  let v = startVector(n);
  let previous = Number.NaN;
  for (let k = 1; k <= iterations; k++) {
    const w = await product(v);
    if (shift !== 0) for (let i = 0; i < n; i++) w[i] = (w[i] as number) - shift * (v[i] as number);
    const value = dot(v, w);
    const length = norm(w);
    if (!Number.isFinite(value) || !Number.isFinite(length)) {
      return { value: Number.NaN, products: k, converged: false };
    }
    if (length === 0) return { value: 0, products: k, converged: true };
    if (Math.abs(value - previous) <= tolerance * Math.abs(value)) {
      return { value, products: k, converged: true };
    }
    previous = value;
    v = w.map((x) => x / length);
  }
  return { value: previous, products: iterations, converged: false };
}

/** The largest eigenvalue of the symmetric n×n matrix `product` multiplies by. */
export async function largestEigenvalue(
  product: MatrixProduct,
  n: number,
  options: PowerOptions = {},
): Promise<EigenEstimate> {
  const iterations = options.iterations ?? POWER_ITERATIONS;
  const tolerance = options.tolerance ?? POWER_TOLERANCE;
  const first = await pass(product, n, 0, iterations, tolerance);
  if (!(first.value < 0)) {
    return { eigenvalue: first.value, products: first.products, converged: first.converged };
  }
  // The largest in magnitude is negative: on H − λ₁I every eigenvalue is ≥ 0 and the largest
  // is λmax − λ₁.
  const second = await pass(product, n, first.value, iterations, tolerance);
  return {
    eigenvalue: second.value + first.value,
    products: first.products + second.products,
    converged: first.converged && second.converged,
  };
}

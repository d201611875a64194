/**
 * The shape of DARTS cells and networks, as plain numbers: edge enumeration, reduction cell
 * positions, input size constraints. No tfjs here, so the page's main thread can use it.
 */

/** Number of edges of a cell with `steps` intermediate nodes: Σ_{i<steps} (i + 2). */
export function edgeCount(steps: number): number {
  return (steps * (steps + 3)) / 2;
}

/** The DARTS edge enumeration: edge index → (node, predecessor state index). */
export function edgeList(steps: number): { node: number; from: number }[] {
  const edges: { node: number; from: number }[] = [];
  for (let node = 0; node < steps; node++) {
    for (let from = 0; from < node + 2; from++) edges.push({ node, from });
  }
  return edges;
}

export function reductionIndices(layers: number): Set<number> {
  return new Set([Math.floor(layers / 3), Math.floor((2 * layers) / 3)]);
}

/**
 * Every reduction halves the spatial size, and FactorizedReduce (strided skip, and the
 * preprocessing after a reduction) concatenates two half-size maps that agree only on even
 * sizes, so the input must be divisible by 2^reductions.
 */
export function checkInputSize(layers: number, height: number, width: number): void {
  const factor = 2 ** reductionIndices(layers).size;
  if (height % factor !== 0 || width % factor !== 0 || height < factor || width < factor) {
    throw new Error(
      `image size ${height}x${width} must be a multiple of ${factor}: the network has ${Math.log2(factor)} reduction cells and each needs even feature maps`,
    );
  }
}

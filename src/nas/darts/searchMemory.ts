/**
 * A lower bound on the memory one DARTS search step holds at its peak, and the check the kind
 * runs before the supernet's first tensor: a configuration whose bound exceeds the backend's
 * memory (`runKind/memoryLimit.ts`) is refused with the largest batch that fits, instead of the
 * wasm backend's bare `Aborted()` (or a lost GPU device) mid-step.
 *
 * The step's peak is the autodiff tape of the cells: every edge's mixed op keeps each
 * candidate's intermediates (a separable convolution about ten tensors of the edge's output
 * size, a dilated one five, a pool with its BatchNorm three, a skip one, `none` nothing) for
 * the batch. With checkpointed cells (the default) one cell's tape is alive at a time, the
 * largest; without, every cell's. The float32 values held per (image, edge, output element)
 * come from the wasm heap measured by bench/stepMemory.ts (docs/BENCHMARKS.md, "Checkpointed
 * cells"): 325 MiB at C 8, 5 cells, batch 16, 32×32 and 2,971 MiB at the paper's C 16, 8 cells,
 * batch 64 (46 and 53 values), and 3,250 MiB by tfjs's count without checkpointing at C 8 (185
 * values); rounded down, so that the bound never refuses a step that fits. PC-DARTS's ops see
 * 1/K of the channels: their tapes count 1/K (the bypass and shuffle it adds are left out, so
 * the bound stays below: 1,555 MiB of wasm heap measured at the paper's sizes with K 4).
 */
import { edgeCount, reductionIndices } from '../genotype/cellTopology';
import type { OpName } from '../ops/primitives';
import type { RunEnv } from '../runKind/runKind';
import { checkFitsMemory, gib } from '../runKind/memoryLimit';
import type { SearchConfig } from './searchConfig';
import type { DataShape } from './searchState';

/** Tensors of an edge's output size a candidate keeps for its backward pass, about. */
const OP_WEIGHT: Readonly<Record<string, number>> = {
  none: 0,
  skip_connect: 1,
  max_pool_3x3: 3,
  avg_pool_3x3: 3,
  dil_conv_3x3: 5,
  dil_conv_5x5: 5,
  sep_conv_3x3: 10,
  sep_conv_5x5: 10,
};
/** The op weight of DARTS's eight candidates, the measurements' op set. */
const DARTS_OP_WEIGHT = 37;
/** float32 values held per (image, edge, output element) of DARTS's op set, checkpointed cells. */
const CHECKPOINTED_VALUES = 45;
/** The same, every cell's tape kept (checkpointed cells off). */
const TAPED_VALUES = 120;
const FLOAT_BYTES = 4;

export interface SearchMemoryEstimate {
  /** Lower bound on the step's peak, in bytes. */
  readonly bytes: number;
  /** The bound's share per image of the batch. */
  readonly bytesPerImage: number;
}

/** The output elements (channels × height × width) of each cell of the supernet. */
function cellSizes(config: SearchConfig, shape: DataShape): number[] {
  const reductions = reductionIndices(config.layers);
  let channels = config.channels;
  let height = shape.height;
  let width = shape.width;
  const sizes: number[] = [];
  for (let i = 0; i < config.layers; i++) {
    if (reductions.has(i)) {
      channels *= 2;
      height = Math.ceil(height / 2);
      width = Math.ceil(width / 2);
    }
    sizes.push(channels * height * width);
  }
  return sizes;
}

export function estimateSearchStepBytes(
  config: SearchConfig,
  shape: DataShape,
): SearchMemoryEstimate {
  const opWeight = config.primitives.reduce((a, op: OpName) => a + (OP_WEIGHT[op] ?? 10), 0);
  const sizes = cellSizes(config, shape);
  const checkpointed = config.checkpointCells !== false;
  const elements = checkpointed ? Math.max(...sizes) : sizes.reduce((a, b) => a + b, 0);
  const values = checkpointed ? CHECKPOINTED_VALUES : TAPED_VALUES;
  const partial = config.partialChannels ?? 1;
  const bytesPerImage =
    (FLOAT_BYTES * values * edgeCount(config.nodes) * elements * opWeight) /
    (DARTS_OP_WEIGHT * partial);
  return { bytes: bytesPerImage * config.batchSize, bytesPerImage };
}

/**
 * Null when the step's lower bound fits in `limitBytes`; otherwise a message naming what makes
 * it too big and the largest batch that fits. `limitName` says whose memory it is.
 */
export function searchMemoryProblem(
  config: SearchConfig,
  shape: DataShape,
  limitBytes: number,
  limitName: string,
): string | null {
  const e = estimateSearchStepBytes(config, shape);
  if (e.bytes <= limitBytes) return null;
  const fitting = Math.floor(limitBytes / e.bytesPerImage);
  const lower =
    fitting >= 1
      ? `lower the batch size to at most ${fitting}, or the channels, cells or image size`
      : 'lower the channels, cells or image size (even one image does not fit)';
  const tape =
    config.checkpointCells === false
      ? 'every cell’s tape (checkpointed cells are off)'
      : 'one cell’s tape';
  return (
    `a search step needs at least ${gib(e.bytes)}, more than ${limitName} (${gib(limitBytes)}): ` +
    `batch ${config.batchSize} of ${shape.height}×${shape.width} images, ${config.channels} channels, ` +
    `${config.layers} cells of ${edgeCount(config.nodes)} edges × ${config.primitives.length} ops, ` +
    `${tape}; ${lower}`
  );
}

/** Throws the estimate's message when the search cannot fit where it runs. */
export function checkSearchFits(
  config: SearchConfig,
  shape: DataShape,
  host: RunEnv['host'],
): void {
  checkFitsMemory(host, (limit) => searchMemoryProblem(config, shape, limit.bytes, limit.name));
}

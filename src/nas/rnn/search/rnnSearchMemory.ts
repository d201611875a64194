/**
 * A lower bound on the memory one recurrent search step holds at its peak, and the check hosts
 * run before allocating: a configuration whose bound exceeds the backend's memory cannot run
 * (the wasm backend aborts with a bare `Aborted()` when its heap cannot grow past 4 GiB).
 *
 * The bound is dominated by the autodiff tape of the unrolled cell: every one of the
 * steps·(steps+1)/2 edges of the search cell keeps [batch, nhid] intermediates for every time
 * step until the backward pass. Coefficients measured on the cpu backend with tf.profile's peak
 * (nhid 150/300, batch 8/16, bptt 5/10, vocabulary 300/3,000, first and second order; see
 * docs/DECISIONS.md "Recurrent search memory"), rounded down so that the bound never rejects a
 * configuration that fits.
 */
import { gib } from '../../runKind/memoryLimit';
import type { RnnSearchConfig } from './rnnSearchConfig';

/** Tape bytes per (token row, hidden unit, cell edge) of a first-order step, at least. */
const TAPE_BYTES_PER_ROW_UNIT_EDGE = 400;
/** Bytes per (token row, vocabulary word): logits, log-softmax, their gradients, at least. */
const SOFTMAX_BYTES_PER_ROW_WORD = 24;
/** The unrolled (second-order) alpha step holds this much more than a first-order one. */
const SECOND_ORDER_FACTOR = 1.5;
export { WASM_HEAP_BYTES } from '../../runKind/memoryLimit';

export interface RnnSearchMemoryEstimate {
  /** Lower bound on the step's peak, in bytes. */
  readonly bytes: number;
  /** Token rows of a segment: batch × bptt. */
  readonly rows: number;
  readonly edges: number;
  /** The bound's share per batch column (bytes / batch), for suggesting a batch that fits. */
  readonly bytesPerBatchColumn: number;
}

export function estimateRnnSearchStepBytes(
  config: RnnSearchConfig,
  vocabulary: number,
): RnnSearchMemoryEstimate {
  const edges = (config.steps * (config.steps + 1)) / 2;
  const rows = config.batchSize * config.bptt;
  const perRow =
    TAPE_BYTES_PER_ROW_UNIT_EDGE * config.nhid * edges + SOFTMAX_BYTES_PER_ROW_WORD * vocabulary;
  const bytes = rows * perRow * (config.order === 2 ? SECOND_ORDER_FACTOR : 1);
  return { bytes, rows, edges, bytesPerBatchColumn: bytes / config.batchSize };
}

/**
 * Null when the step's lower bound fits in `limitBytes`; otherwise a message naming the sizes
 * that make it too big and what to lower. `limitName` says whose memory it is.
 */
export function rnnSearchMemoryProblem(
  config: RnnSearchConfig,
  vocabulary: number,
  limitBytes: number,
  limitName: string,
): string | null {
  const e = estimateRnnSearchStepBytes(config, vocabulary);
  if (e.bytes <= limitBytes) return null;
  const fittingBatch = Math.floor(limitBytes / e.bytesPerBatchColumn);
  const lower =
    fittingBatch >= 2
      ? `lower the batch size to at most ${fittingBatch}, or bptt or nhid`
      : 'lower bptt or nhid (even a batch of 2 does not fit), or the batch size';
  return (
    `a search step needs at least ${gib(e.bytes)}, more than ${limitName} (${gib(limitBytes)}): ` +
    `batch ${config.batchSize} × bptt ${config.bptt} = ${e.rows} token rows, each holding ` +
    `nhid ${config.nhid} × ${e.edges} cell edges of activations and gradients` +
    `${config.order === 2 ? ' (second order: ×1.5)' : ''} and a ${vocabulary}-word softmax; ${lower}`
  );
}

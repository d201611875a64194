/**
 * The memory a recurrent search may use where it runs, for the check before its first tensor
 * (rnnSearchMemory.ts's lower bound): in the lab the wasm heap's 4 GiB whatever the backend
 * (more than a tab's GPU buffers usually get); elsewhere the wasm heap on wasm and this
 * machine's memory on cpu (its tensors are JS typed arrays); WebGPU's depends on the device and
 * is not checked.
 */
import type { RunEnv } from '../../runKind/runKind';
import * as tf from '../../tensor/tf';
import type { RnnSearchConfig } from './rnnSearchConfig';
import { rnnSearchMemoryProblem, WASM_HEAP_BYTES } from './rnnSearchMemory';

interface MemoryLimit {
  readonly bytes: number;
  readonly name: string;
}

/** Node's `os.totalmem()`, read without importing `node:os` (the page's bundle has none). */
function machineMemory(): number | null {
  type NodeProcess = { getBuiltinModule?: (id: string) => { totalmem?: () => number } };
  const node = (globalThis as { process?: NodeProcess }).process;
  const total = node?.getBuiltinModule?.('node:os')?.totalmem?.();
  return typeof total === 'number' && total > 0 ? total : null;
}

export function rnnSearchMemoryLimit(host: RunEnv['host'], backend: string): MemoryLimit | null {
  if (host === 'lab') {
    return { bytes: WASM_HEAP_BYTES, name: 'what the lab can hold (the wasm heap limit)' };
  }
  if (backend === 'wasm') return { bytes: WASM_HEAP_BYTES, name: "the wasm backend's heap limit" };
  const total = backend === 'cpu' ? machineMemory() : null;
  return total === null ? null : { bytes: total, name: "this machine's memory" };
}

/**
 * Throws the estimate's message (with the batch that fits) when the search cannot fit where it
 * runs; on the command line it names the --backend flag, as before run kinds.
 */
export function checkRnnSearchFits(
  config: RnnSearchConfig,
  vocabulary: number,
  host: RunEnv['host'],
): void {
  const backend = tf.getBackend();
  const limit = rnnSearchMemoryLimit(host, backend);
  if (!limit) return;
  const problem = rnnSearchMemoryProblem(config, vocabulary, limit.bytes, limit.name);
  if (problem) throw new Error(host === 'cli' ? `--backend ${backend}: ${problem}` : problem);
}

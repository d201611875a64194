/**
 * The memory a recurrent search may use on a Node backend, for the check before its first step
 * (src/nas/rnn/search/rnnSearchMemory.ts): the wasm heap's 4 GiB, this machine's memory for cpu (its
 * tensors are JS typed arrays). WebGPU's depends on the device and is not checked.
 */
import { totalmem } from 'node:os';
import type { RnnSearchConfig } from '../nas/rnn/search/rnnSearchConfig';
import { rnnSearchMemoryProblem, WASM_HEAP_BYTES } from '../nas/rnn/search/rnnSearchMemory';
import type { NodeBackendName } from './nodeBackend';

export function nodeMemoryLimit(backend: NodeBackendName): { bytes: number; name: string } | null {
  if (backend === 'wasm') return { bytes: WASM_HEAP_BYTES, name: "the wasm backend's heap limit" };
  if (backend === 'cpu') return { bytes: totalmem(), name: "this machine's memory" };
  return null;
}

/** Throws the estimate's message when the search cannot fit the backend's memory. */
export function checkRnnSearchFits(
  config: RnnSearchConfig,
  vocabulary: number,
  backend: NodeBackendName,
): void {
  const limit = nodeMemoryLimit(backend);
  if (!limit) return;
  const problem = rnnSearchMemoryProblem(config, vocabulary, limit.bytes, limit.name);
  if (problem) throw new Error(`--backend ${backend}: ${problem}`);
}

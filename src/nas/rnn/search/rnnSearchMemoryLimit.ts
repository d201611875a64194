/**
 * The memory a recurrent search may use where it runs, for the check before its first tensor
 * (rnnSearchMemory.ts's lower bound): in the lab the wasm heap's 4 GiB whatever the backend
 * (more than a tab's GPU buffers usually get); elsewhere the wasm heap on wasm and this
 * machine's memory on cpu (its tensors are JS typed arrays); WebGPU's depends on the device and
 * is not checked.
 */
import type { RunEnv } from '../../runKind/runKind';
import { checkFitsMemory } from '../../runKind/memoryLimit';
import type { RnnSearchConfig } from './rnnSearchConfig';
import { rnnSearchMemoryProblem } from './rnnSearchMemory';

/**
 * Throws the estimate's message (with the batch that fits) when the search cannot fit where it
 * runs; on the command line it names the --backend flag, as before run kinds.
 */
export function checkRnnSearchFits(
  config: RnnSearchConfig,
  vocabulary: number,
  host: RunEnv['host'],
): void {
  checkFitsMemory(host, (limit) =>
    rnnSearchMemoryProblem(config, vocabulary, limit.bytes, limit.name),
  );
}

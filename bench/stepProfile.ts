/**
 * One step under tfjs's kernel profiling hook, cheaply: the engine records every kernel it
 * runs (name, shapes, bytes alive after it) while `profiling` is on, and asks its profiler to
 * run the kernel. tfjs's own profiler times each kernel, which on backends without timer
 * queries reads every output back synchronously; this one only runs the kernel, so the counted
 * step costs about what an ordinary one does. GPU programs are counted by wrapping the
 * backend's program launcher (WebGPU and WebGL), which tells kernels that dispatch a shader
 * from those that only reshape or run on the CPU.
 */
import * as tf from '../src/nas/tensor/tf';
import type { KernelShapes } from './macs';
import { kernelMacs } from './macs';

interface KernelRecord extends KernelShapes {
  readonly totalBytesSnapshot: number;
}

/** The parts of tfjs's Engine (private in its typings) that the profiling hook uses. */
interface ProfilingEngine {
  profiler: unknown;
  readonly state: {
    profiling: boolean;
    readonly activeProfile: { kernels: KernelRecord[] };
  };
}

const countingProfiler = {
  profileKernel(kernelName: string, inputs: unknown, f: () => tf.Tensor[]) {
    return {
      kernelName,
      inputs,
      outputs: f(),
      timeMs: Promise.resolve(0),
      extraInfo: Promise.resolve(''),
    };
  },
  logKernelProfile(): void {},
};

const PROGRAM_LAUNCHERS = ['runWebGPUProgram', 'runWebGLProgram'] as const;

interface ProgramCounter {
  count(): number | null;
  stop(): void;
}

function countPrograms(backend: object): ProgramCounter {
  const target = backend as Record<string, unknown>;
  for (const method of PROGRAM_LAUNCHERS) {
    const original = target[method];
    if (typeof original !== 'function') continue;
    const own = Object.prototype.hasOwnProperty.call(target, method);
    let launched = 0;
    target[method] = function (this: unknown, ...args: unknown[]): unknown {
      launched += 1;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    return {
      count: () => launched,
      stop: () => {
        if (own) target[method] = original;
        else delete target[method];
      },
    };
  }
  return { count: () => null, stop: () => {} };
}

function profilingEngine(): ProfilingEngine {
  const engine = tf.engine() as unknown as Partial<ProfilingEngine>;
  const state = engine.state;
  if (!state || typeof state.profiling !== 'boolean' || !state.activeProfile) {
    throw new Error('this tfjs engine has no kernel profiling hook (tfjs 4.x expected)');
  }
  return engine as ProfilingEngine;
}

export interface StepProfile {
  /** Wall time of the step, its scalar read back. */
  readonly ms: number;
  readonly kernels: number;
  readonly gpuPrograms: number | null;
  readonly macs: number;
  readonly peakBytes: number;
}

/** Runs `step` once with kernel counting on; reads back and disposes the scalar it returns. */
export async function profileStep(step: () => tf.Tensor): Promise<StepProfile> {
  const engine = profilingEngine();
  const savedProfiler = engine.profiler;
  const programs = countPrograms(tf.backend());
  engine.state.activeProfile.kernels = [];
  engine.profiler = countingProfiler;
  engine.state.profiling = true;
  const t0 = performance.now();
  let result: tf.Tensor;
  try {
    result = step();
  } finally {
    engine.state.profiling = false;
    engine.profiler = savedProfiler;
    programs.stop();
  }
  await result.data();
  const ms = performance.now() - t0;
  result.dispose();
  const records = engine.state.activeProfile.kernels;
  engine.state.activeProfile.kernels = [];
  let macs = 0;
  let peakBytes = 0;
  for (const r of records) {
    macs += kernelMacs(r);
    peakBytes = Math.max(peakBytes, r.totalBytesSnapshot);
  }
  return { ms, kernels: records.length, gpuPrograms: programs.count(), macs, peakBytes };
}

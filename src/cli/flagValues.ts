/** Values of command-line flags: numbers, choices and the training backend, with clear errors. */
import { whyBackendCannotTrain } from '../nas/backends/trainingBackends';
import type { NodeBackendName } from './nodeBackend';
import { DEFAULT_NODE_BACKEND } from './nodeBackend';

/** The flag's value as a number, or undefined when the flag is absent. */
export function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new Error(`--${flag} expects a number, got "${value}"`);
  }
  return n;
}

/** The flag's value as an integer of at least 1, or undefined when the flag is absent. */
export function positiveInteger(flag: string, value: string | undefined): number | undefined {
  const n = number(flag, value);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new Error(`--${flag} expects a positive integer, got "${value}"`);
  }
  return n;
}

export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export function nodeBackend(value: string | undefined): NodeBackendName {
  if (value === undefined) return DEFAULT_NODE_BACKEND;
  const reason = whyBackendCannotTrain(value);
  if (reason) throw new Error(`--backend ${value}: ${reason}`);
  return oneOf('backend', value, ['wasm', 'cpu', 'webgpu'], DEFAULT_NODE_BACKEND);
}

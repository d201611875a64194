/**
 * The lab's recurrent settings and how they make a DARTS recurrent search configuration, with
 * the checks the page runs before it starts. tfjs-free, so that the page can use it.
 */
import { BUILTIN_TEXT_OPTIONS } from '../data/builtinText';
import type { RnnSearchConfig } from '../nas/rnn/search/rnnSearchConfig';
import { checkRnnSearchConfig, SMALL_RNN_SEARCH_CONFIG } from '../nas/rnn/search/rnnSearchConfig';
import { rnnSearchMemoryProblem, WASM_HEAP_BYTES } from '../nas/rnn/search/rnnSearchMemory';
import type { LabConfig } from './protocol';
import type { LabRecurrentSettings } from './recurrentProtocol';

/**
 * The lab's default recurrent search: DARTS's small preset scaled down to seconds per step on a
 * software GPU (hidden size 16, batch 8, segments of 10 tokens, one epoch on 4,000 tokens), on
 * the built-in corpus's own level and vocabulary cap.
 */
export const DEFAULT_LAB_RECURRENT: LabRecurrentSettings = {
  nhid: 16,
  bptt: 10,
  batchSize: 8,
  epochs: 1,
  lr: SMALL_RNN_SEARCH_CONFIG.lr,
  alphaLr: SMALL_RNN_SEARCH_CONFIG.alphaLr,
  order: 1,
  level: BUILTIN_TEXT_OPTIONS.level,
  maxVocabulary: BUILTIN_TEXT_OPTIONS.maxVocabulary,
  trainTokens: 4000,
  validTokens: 800,
  seed: SMALL_RNN_SEARCH_CONFIG.seed,
};

/** The recurrent settings of a lab configuration (the defaults where it has none). */
export function recurrentSettingsOf(config: LabConfig): LabRecurrentSettings {
  return config.recurrent ?? DEFAULT_LAB_RECURRENT;
}

/** The search configuration: DARTS's small preset with the lab's settings on top. */
export function rnnConfigOf(settings: LabRecurrentSettings): RnnSearchConfig {
  const config: RnnSearchConfig = {
    ...SMALL_RNN_SEARCH_CONFIG,
    nhid: settings.nhid,
    bptt: settings.bptt,
    batchSize: settings.batchSize,
    epochs: settings.epochs,
    lr: settings.lr,
    alphaLr: settings.alphaLr,
    order: settings.order ?? 1,
    seed: settings.seed,
  };
  checkRnnSearchConfig(config);
  return config;
}

/** Most tokens a lab search may take from each text (the built-in corpus is far smaller). */
export const MAX_LAB_TOKENS = 2_000_000;

function integerAtLeast(name: string, value: number, min: number): string | null {
  return Number.isInteger(value) && value >= min
    ? null
    : `${name} must be an integer of at least ${min}, got ${value}`;
}

/**
 * What stops these settings from running, or null. The token counts must give the training text
 * at least 3 rows of `batchSize` columns (a step needs a segment and its successor tokens) and the
 * validation text 2 rows of both the alpha batch and the evaluation batch.
 */
export function recurrentSettingsProblem(settings: LabRecurrentSettings): string | null {
  let config: RnnSearchConfig;
  try {
    config = rnnConfigOf(settings);
  } catch (e) {
    return (e as Error).message;
  }
  if (settings.level !== 'word' && settings.level !== 'char') {
    return `level must be word or char, got ${String(settings.level)}`;
  }
  const problem =
    integerAtLeast('vocabulary cap', settings.maxVocabulary, 3) ??
    integerAtLeast('train tokens', settings.trainTokens, 3 * config.batchSize) ??
    integerAtLeast(
      'validation tokens',
      settings.validTokens,
      2 * Math.max(config.batchSize, config.evalBatchSize),
    );
  if (problem) {
    return `${problem} (batch size ${config.batchSize}, evaluation batch ${config.evalBatchSize})`;
  }
  for (const [name, v] of [
    ['train tokens', settings.trainTokens],
    ['validation tokens', settings.validTokens],
  ] as const) {
    if (v > MAX_LAB_TOKENS) return `${name} must be at most ${MAX_LAB_TOKENS}, got ${v}`;
  }
  // The vocabulary cap bounds the vocabulary; 4 GiB is the wasm heap, and more than a tab's GPU
  // buffers usually get.
  return rnnSearchMemoryProblem(
    config,
    settings.maxVocabulary,
    LAB_RECURRENT_MEMORY_BYTES,
    'what the lab can hold (the wasm heap limit)',
  );
}

/** The most memory a lab recurrent search step may need (rnnSearchMemory.ts's lower bound). */
export const LAB_RECURRENT_MEMORY_BYTES = WASM_HEAP_BYTES;

/**
 * Steps of a run on `trainTokens` tokens if every segment had the full length: the loop walks rows
 * 0..rows−3 in segments of bptt (a few are half length, so the real count is a little higher).
 */
export function estimatedRnnSteps(config: RnnSearchConfig, trainTokens: number): number {
  const rows = Math.floor(trainTokens / config.batchSize);
  return config.epochs * Math.max(0, Math.ceil((rows - 2) / config.bptt));
}

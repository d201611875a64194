/**
 * PC-DARTS as settings of the DARTS search, its pure half: the two fields (`partialChannels`,
 * `archStartEpoch`), the `pc-darts` preset's values (`train_search.py` of yuhuixu1993/PC-DARTS,
 * lines 24–44 and 156), what the settings add to a search configuration, and its checks. No
 * tfjs here: the DARTS descriptor imports it, and the page imports that.
 */
import type { FieldSpec, SettingValue } from '../runKind/settingsSchema';

/** The preset of the official PC-DARTS CIFAR-10 search. */
export const PC_DARTS_PRESET = 'pc-darts';

export const PC_DARTS_FIELDS = [
  {
    key: 'partialChannels',
    label: 'Partial channels K (PC-DARTS)',
    type: 'int',
    min: 1,
    max: 64,
    default: 1 as number,
    presets: { [PC_DARTS_PRESET]: 4 },
    group: 'method',
    help:
      'PC-DARTS: only 1/K of each edge’s channels go through its ops, the rest bypass them, ' +
      'and each node weighs its edges by β; 1: DARTS. K must divide the channels',
    reference: 'PC-DARTS model_search.py MixedOp self.k',
  },
  {
    key: 'archStartEpoch',
    label: 'First alpha epoch',
    type: 'int',
    min: 0,
    default: 0 as number,
    presets: { [PC_DARTS_PRESET]: 15 },
    group: 'method',
    help: 'the epoch (from 0) at which alpha steps begin; before it only the weights train',
    reference: 'PC-DARTS train_search.py: if epoch >= 15',
  },
] as const;

/**
 * The values the `pc-darts` preset gives the DARTS fields (PC-DARTS `train_search.py`
 * arguments: batch 256, learning rate 0.1 down to 0, arch learning rate 6e-4, 50 epochs, C 16,
 * 8 cells; all images at their own size). Momentum, weight decays, clip, Adam's betas and the
 * split are DARTS's.
 */
export const PC_DARTS_PRESET_VALUES: Readonly<Record<string, SettingValue>> = {
  epochs: 50,
  batchSize: 256,
  channels: 16,
  layers: 8,
  weightLr: 0.1,
  weightLrMin: 0,
  alphaLr: 6e-4,
  images: 0,
  imageSize: 0,
};

/** `fields` with `preset`'s defaults set to `values` where they name the field. */
export function withPresetValues<const T extends readonly FieldSpec[]>(
  preset: string,
  values: Readonly<Record<string, SettingValue>>,
  fields: T,
): T {
  return fields.map((f) =>
    Object.hasOwn(values, f.key) ? { ...f, presets: { ...f.presets, [preset]: values[f.key] } } : f,
  ) as unknown as T;
}

/** What the settings form says of the preset. */
export const PC_DARTS_PRESET_NOTE =
  'PC-DARTS’s official CIFAR-10 search (PC-DARTS train_search.py): 1/4 of each edge’s channels through its ops, edge weights β, batch 256, alpha steps from epoch 15; hours per epoch without a GPU';

/** What a checkpoint's stored settings lack when written before PC-DARTS: DARTS. */
export const PC_DARTS_FILL = { partialChannels: 1, archStartEpoch: 0 } as const;

/**
 * What the settings add to a search configuration: nothing for DARTS (so that a DARTS
 * configuration, and the checkpoints that store one, stay as they were), else the two values.
 */
export function pcDartsConfigOf(s: {
  readonly partialChannels: number;
  readonly archStartEpoch: number;
}): { readonly partialChannels?: number; readonly archStartEpoch?: number } {
  return {
    ...(s.partialChannels === 1 ? {} : { partialChannels: s.partialChannels }),
    ...(s.archStartEpoch === 0 ? {} : { archStartEpoch: s.archStartEpoch }),
  };
}

/**
 * Why an edge of `c` channels cannot take K = `k` (null when it can): K must divide C, as the
 * official `C // self.k` ops and the shuffle's K groups need.
 */
export function partialChannelsProblem(c: number, k: number): string | null {
  if (!Number.isInteger(k) || k < 1) {
    return `partial channels K must be an integer of at least 1, got ${k}`;
  }
  return c % k === 0
    ? null
    : `partial channels K = ${k} does not divide the ${c} channels of a cell's edges: use a divisor of the channels`;
}

/**
 * Throws on PC-DARTS settings a search cannot run: K must divide the initial channels (the
 * doubled ones then too); the first alpha epoch must come before the last epoch ends.
 */
export function checkPcDartsConfig(config: {
  readonly channels: number;
  readonly epochs: number;
  readonly partialChannels?: number;
  readonly archStartEpoch?: number;
}): void {
  const k = config.partialChannels ?? 1;
  const problem = partialChannelsProblem(config.channels, k);
  if (problem) throw new Error(problem);
  const start = config.archStartEpoch ?? 0;
  if (!Number.isInteger(start) || start < 0 || start >= config.epochs) {
    throw new Error(
      `first alpha epoch must be an integer from 0 to ${config.epochs - 1} (below the ${config.epochs} epochs), got ${start}`,
    );
  }
}

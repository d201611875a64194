import { describe, expect, it } from 'vitest';
import type { CdartsConfig } from '../../src/nas/cdarts/cdartsConfig';
import {
  CDARTS_PRESETS,
  cutCountAt,
  NNI_CDARTS_CONFIG,
  NNI_EXAMPLE_CDARTS_CONFIG,
  validateCdartsConfig,
} from '../../src/nas/cdarts/cdartsConfig';
import { CDARTS_SCHEMA, type CdartsSettings } from '../../src/nas/cdarts/cdartsKindInfo';
import { cdartsConfigOf } from '../../src/nas/cdarts/cdartsSettings';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';

describe('CDARTS configuration', () => {
  it("holds NNI CdartsTrainer's signature defaults", () => {
    const c = NNI_CDARTS_CONFIG;
    expect({
      regular_coeff: c.regularCoeff,
      regular_ratio: c.regularRatio,
      warmup_epochs: c.warmupEpochs,
      fix_head: c.fixHead,
      epochs: c.epochs,
      steps_per_epoch: c.stepsPerEpoch,
      loss_alpha: c.lossAlpha,
      loss_T: c.lossT,
      grad_clip: c.gradClip,
      interactive_type: c.interactiveType,
      w_lr: c.weightLr,
      w_momentum: c.momentum,
      w_weight_decay: c.weightDecay,
      alpha_lr: c.alphaLr,
      alpha_weight_decay: c.alphaWeightDecay,
      nasnet_lr: c.nasnetLr,
      share_module: c.shareModule,
    }).toEqual({
      regular_coeff: 5,
      regular_ratio: 0.2,
      warmup_epochs: 2,
      fix_head: true,
      epochs: 32,
      steps_per_epoch: null,
      loss_alpha: 2,
      loss_T: 2,
      grad_clip: 5,
      interactive_type: 'kl',
      w_lr: 0.2,
      w_momentum: 0.9,
      w_weight_decay: 3e-4,
      alpha_lr: 0.2,
      alpha_weight_decay: 1e-4,
      nasnet_lr: 0.2,
      share_module: true,
    });
    expect([c.searchLayers, c.evalLayers, c.channels, c.alphaBeta1, c.alphaBeta2]).toEqual([
      8, 20, 16, 0.5, 0.999,
    ]);
  });

  it("holds NNI's CDARTS example as run_search_cifar.sh runs it, and the nni preset is it", () => {
    // examples/nas/legacy/cdarts/run_search_cifar.sh over config.py's SearchConfig defaults.
    const c = NNI_EXAMPLE_CDARTS_CONFIG;
    expect({
      init_channels: c.channels,
      stem_multiplier: c.stemMultiplier,
      batch_size: c.batchSize,
      regular_ratio: c.regularRatio,
      regular_coeff: c.regularCoeff,
      loss_alpha: c.lossAlpha,
      loss_T: c.lossT,
      w_lr: c.weightLr,
      alpha_lr: c.alphaLr,
      nasnet_lr: c.nasnetLr,
      w_weight_decay: c.weightDecay,
      alpha_weight_decay: c.alphaWeightDecay,
      share_module: c.shareModule,
      interactive_type: c.interactiveType,
      warmup_epochs: c.warmupEpochs,
      epochs: c.epochs,
      fix_head: c.fixHead,
      seed: c.seed,
      w_momentum: c.momentum,
      grad_clip: c.gradClip,
      mutator: c.regularizedOps,
    }).toEqual({
      init_channels: 16,
      stem_multiplier: 3,
      batch_size: 64,
      regular_ratio: 0.2,
      regular_coeff: 5,
      loss_alpha: 1,
      loss_T: 2,
      w_lr: 0.2,
      alpha_lr: 3e-4,
      nasnet_lr: 0.2,
      w_weight_decay: 0,
      alpha_weight_decay: 0,
      share_module: true,
      interactive_type: 'kl',
      warmup_epochs: 2,
      epochs: 32,
      fix_head: false,
      seed: 0,
      w_momentum: 0.9,
      grad_clip: 5,
      mutator: 'nni',
    });
    const preset = defaultSettings(CDARTS_SCHEMA, 'nni') as CdartsSettings;
    expect(validateCdartsConfig(cdartsConfigOf(preset))).toEqual(
      validateCdartsConfig({ ...c, multiplier: c.nodes }),
    );
  });

  it('validates both presets', () => {
    for (const preset of Object.values(CDARTS_PRESETS)) {
      expect(validateCdartsConfig(preset)).toEqual(preset);
    }
  });

  const bad: [Partial<CdartsConfig>, RegExp][] = [
    [{ warmupEpochs: 32 }, /warm-up epochs \(32\) must be fewer than the epochs \(32\)/],
    [{ lossT: 0 }, /loss_T \(lossT\) must be a positive number, got 0/],
    [{ lossAlpha: -1 }, /loss_alpha \(lossAlpha\) must be a positive number/],
    [
      { interactiveType: 'mse' as CdartsConfig['interactiveType'] },
      /"kl" or "smoothl1", got "mse"/,
    ],
    [{ regularizedOps: 'all' as CdartsConfig['regularizedOps'] }, /"official" or "nni", got "all"/],
    [{ stepsPerEpoch: 0 }, /steps per epoch must be an integer of at least 1, got 0/],
    [{ evalLayers: 2 }, /evaluation network cells \(evalLayers\) must be an integer of at least 3/],
    [{ headWidths: [128, 0] }, /distillation head width 2 must be an integer of at least 1, got 0/],
    [{ primitives: ['none', 'sep_conv_7x7'] }, /"sep_conv_7x7" exists only in evaluation networks/],
    [
      { cutSchedule: [{ epoch: 3, cutNum: 7 }] },
      /entry 0: cut count must be an integer from 1 to 6/,
    ],
    [
      {
        cutSchedule: [
          { epoch: 3, cutNum: 2 },
          { epoch: 5, cutNum: 2 },
        ],
      },
      /entry 1: epochs and cut counts must increase/,
    ],
    [{ cutSchedule: [{ epoch: 32, cutNum: 1 }] }, /epoch 32 is not below the 32 epochs/],
  ];
  for (const [change, message] of bad) {
    it(`refuses ${JSON.stringify(change)}`, () => {
      expect(() => validateCdartsConfig({ ...NNI_CDARTS_CONFIG, ...change })).toThrow(message);
    });
  }

  it('counts cut choices cumulatively from each cut point on', () => {
    const config = {
      ...NNI_CDARTS_CONFIG,
      cutSchedule: [
        { epoch: 4, cutNum: 2 },
        { epoch: 10, cutNum: 4 },
      ],
    };
    expect([0, 3, 4, 9, 10, 31].map((e) => cutCountAt(config, e))).toEqual([0, 0, 2, 2, 4, 4]);
  });
});

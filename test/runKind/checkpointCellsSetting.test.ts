/**
 * The `checkpointCells` setting of the convolutional kinds (`recompute/checkpointCellsSetting.ts`):
 * on by default in every kind and preset, `--no-checkpoint-cells` on the command line turns it
 * off, a configuration names it only when it is off (the default configurations are unchanged),
 * and a checkpoint's configuration (which does not store it) takes it from its settings, which
 * old checkpoints lack: they resume with the plain backward they were computed with.
 */
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/runArgs';
import type { CdartsSettings } from '../../src/nas/cdarts/cdartsKindInfo';
import { CDARTS_INFO } from '../../src/nas/cdarts/cdartsKindInfo';
import { cdartsConfigOf } from '../../src/nas/cdarts/cdartsSettings';
import type { DartsSettings } from '../../src/nas/darts/dartsKindInfo';
import { DARTS_INFO, dartsSearchConfig } from '../../src/nas/darts/dartsKindInfo';
import {
  CHECKPOINT_CELLS_FILL,
  withCheckpointCells,
} from '../../src/nas/recompute/checkpointCellsSetting';
import type { RetrainSettings } from '../../src/nas/retrain/retrainKindInfo';
import { RETRAIN_INFO } from '../../src/nas/retrain/retrainKindInfo';
import { retrainConfigOf } from '../../src/nas/retrain/retrainSettings';
import { settingsFromHost, settingsToHost } from '../../src/nas/runKind/hostSettings';
import type { RunKindInfo } from '../../src/nas/runKind/runKind';
import type { Settings } from '../../src/nas/runKind/settingsSchema';
import { defaultSettings } from '../../src/nas/runKind/settingsSchema';

const KINDS: [RunKindInfo, (s: Settings) => object][] = [
  [DARTS_INFO, (s) => dartsSearchConfig(s as DartsSettings)],
  [CDARTS_INFO, (s) => cdartsConfigOf(s as CdartsSettings)],
  [RETRAIN_INFO, (s) => retrainConfigOf(s as RetrainSettings, 32)],
];

describe('the checkpointCells setting', () => {
  it('is on in every preset of every convolutional kind; a configuration names it only off', () => {
    for (const [info, configOf] of KINDS) {
      for (const preset of info.schema.presets) {
        const settings = defaultSettings(info.schema, preset);
        expect(settings.checkpointCells).toBe(true);
        expect(configOf(settings)).not.toHaveProperty('checkpointCells');
        expect(configOf({ ...settings, checkpointCells: false })).toMatchObject({
          checkpointCells: false,
        });
      }
    }
  });

  it('is turned off by --no-checkpoint-cells', () => {
    const argv = [['search'], ['search', '--algorithm', 'cdarts'], ['retrain']] as const;
    const settingsOf = (command: 'search' | 'retrain', args: string[]) => {
      const parsed = parseRunArgs(command, args, []);
      if ('help' in parsed || !('settings' in parsed.start)) throw new Error('expected settings');
      return parsed.start.settings;
    };
    for (const [command, ...rest] of argv) {
      expect(settingsOf(command, [...rest]).checkpointCells).toBe(true);
      expect(settingsOf(command, [...rest, '--no-checkpoint-cells']).checkpointCells).toBe(false);
    }
  });

  it("gives a checkpoint's configuration its settings' choice; old checkpoints resume plain", () => {
    const checkpoint = { config: { seed: 2 }, other: 1 };
    expect(withCheckpointCells(checkpoint, { checkpointCells: true })).toEqual(checkpoint);
    expect(withCheckpointCells(checkpoint, { checkpointCells: false })).toEqual({
      config: { seed: 2, checkpointCells: false },
      other: 1,
    });
    const settings = defaultSettings(DARTS_INFO.schema);
    const host = settingsToHost(DARTS_INFO, { ...settings, checkpointCells: false });
    expect(settingsFromHost(DARTS_INFO, host)?.checkpointCells).toBe(false);
    // A host table written before the setting existed.
    const old = Object.fromEntries(
      Object.entries(settingsToHost(DARTS_INFO, settings)).filter(([k]) => k !== 'checkpointCells'),
    );
    expect(() => settingsFromHost(DARTS_INFO, old)).toThrow('checkpointCells is missing');
    expect(settingsFromHost(DARTS_INFO, old, CHECKPOINT_CELLS_FILL)?.checkpointCells).toBe(false);
  });
});

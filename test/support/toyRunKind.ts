/**
 * A toy run kind for tests: no tfjs, a loss that halves each step, a checkpoint in the shared
 * container. Registered by a test (never by the app), it shows that the registry, the command
 * line, the URL codec and the worker's session take a new kind without edits anywhere else.
 */
import { decodeContainer, encodeContainer } from '../../src/nas/io/checkpointFormat';
import type {
  NoteReport,
  Run,
  RunEnv,
  RunKind,
  RunKindInfo,
  RunReport,
} from '../../src/nas/runKind/runKind';
import type { RunKindEntry } from '../../src/nas/runKind/registry';
import type { Settings, SettingsOf } from '../../src/nas/runKind/settingsSchema';
import { validateSettings } from '../../src/nas/runKind/settingsSchema';

export const TOY_SCHEMA = {
  presets: ['small', 'big'],
  fields: [
    {
      key: 'steps',
      type: 'int',
      min: 1,
      max: 1000,
      linkMax: 100,
      default: 3,
      presets: { big: 50 },
      group: 'run',
      help: 'steps to take',
    },
    {
      key: 'startLoss',
      type: 'number',
      min: 0,
      default: 8,
      group: 'method',
      help: 'the loss before the first step',
    },
    {
      key: 'rate',
      type: 'number',
      min: 0,
      max: 1,
      default: 0.5,
      live: true,
      group: 'optimizer',
      help: 'what each step multiplies the loss by',
    },
    {
      key: 'flavour',
      type: 'choice',
      choices: ['plain', 'spicy'],
      aliases: { hot: 'spicy' },
      default: 'plain',
      group: 'method',
      help: 'a choice',
    },
    {
      key: 'shapes',
      type: 'list',
      choices: ['circle', 'square', 'star'],
      default: ['circle', 'square'],
      group: 'network',
      help: 'a list',
    },
    { key: 'loud', type: 'boolean', default: false, group: 'run', help: 'a switch' },
  ],
  check: (s: Settings) => (s.steps === 13 ? ['steps must not be 13'] : []),
} as const;

export type ToySettings = SettingsOf<typeof TOY_SCHEMA>;

export const TOY_FORMAT = 'nas-lab.toy-checkpoint';

export const TOY_INFO: RunKindInfo = {
  id: 'toy',
  title: 'Toy run',
  summary: 'a test-only kind whose loss halves each step',
  command: 'search',
  select: { space: 'cnn', algorithm: 'toy' },
  schema: TOY_SCHEMA,
  checkpointFormat: TOY_FORMAT,
  metrics: [{ key: 'trainLoss', label: 'loss', kind: 'loss', watch: true }],
  throughputUnit: 'images/s',
};

class ToyRun implements Run {
  readonly info = TOY_INFO;
  private rate: number;
  private done = false;
  constructor(
    readonly settings: ToySettings,
    public step: number,
    private loss: number,
  ) {
    this.rate = settings.rate;
  }

  takeOpening(): readonly NoteReport[] {
    return [];
  }

  async next(): Promise<RunReport | null> {
    if (this.done) return null;
    if (this.step >= this.settings.steps) {
      this.done = true;
      return { type: 'done', step: this.step, metrics: { finalLoss: this.loss } };
    }
    this.loss *= this.rate;
    this.step += 1;
    return {
      type: 'step',
      step: this.step,
      epoch: 0,
      totalSteps: this.settings.steps,
      elapsedMs: 0,
      throughput: 1,
      metrics: { trainLoss: this.loss },
      genotype: { best: this.settings.shapes[0] },
      files: [{ path: 'toy.txt', data: `loss ${this.loss}\n` }],
    };
  }

  async checkpoint(): Promise<Uint8Array> {
    return encodeContainer({
      manifest: { format: TOY_FORMAT, settings: this.settings, step: this.step },
      tensors: [{ name: 'loss', shape: [1], values: Float32Array.of(this.loss) }],
    });
  }

  setLive(values: Readonly<Record<string, number>>): void {
    for (const [key, value] of Object.entries(values)) {
      if (key !== 'rate') throw new Error(`${key} cannot change while the toy runs`);
      this.rate = value;
    }
  }

  async dispose(): Promise<void> {}

  injectFault(): void {
    this.loss = Number.NaN;
  }
}

export const TOY_KIND: RunKind = {
  info: TOY_INFO,
  async create(settings: Settings, _env: RunEnv) {
    const s = validateSettings(TOY_SCHEMA, settings) as ToySettings;
    return new ToyRun(s, 0, s.startLoss);
  },
  async resume(bytes: Uint8Array, _env: RunEnv) {
    const { manifest, tensors } = decodeContainer(bytes);
    if (manifest.format !== TOY_FORMAT) throw new Error('not a toy checkpoint');
    const s = validateSettings(TOY_SCHEMA, manifest.settings, 'toy settings') as ToySettings;
    const loss = tensors[0]?.values[0];
    if (typeof manifest.step !== 'number' || loss === undefined) {
      throw new Error('the toy checkpoint has no step or loss');
    }
    return new ToyRun(s, manifest.step, loss);
  },
};

export const TOY_ENTRY: RunKindEntry = { info: TOY_INFO, load: async () => TOY_KIND };

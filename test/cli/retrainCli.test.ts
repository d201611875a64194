import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureCheckpoint, encodeCheckpoint } from '../../src/nas/darts/searchCheckpoint';
import { genotypeToJson, parseGenotype } from '../../src/nas/genotype/genotype';
import { DARTS_V2 } from '../../src/nas/genotype/publishedGenotypes';
import { startPosition } from '../../src/nas/darts/searchPosition';
import { createSearchState, disposeSearchState } from '../../src/nas/darts/searchState';
import * as tf from '../../src/nas/tensor/tf';
import { decodeTrainedModel } from '../../src/nas/retrain/trainedModel';
import { retrainConfigOf } from '../../src/nas/retrain/retrainSettings';
import type { RetrainSettings } from '../../src/nas/retrain/retrainKindInfo';
import { formatsFixture } from '../support/genotypeFormatsFixture';
import { sortGenesPerNode } from '../support/genotypeOrder';
import { TINY_CONFIG } from '../support/tiny';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'nas-lab.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** A network and data small enough for a child process on the cpu backend in seconds. */
const TINY = ['--image-size', '8', '--channels', '4', '--layers', '3', '--batch-size', '16'];
/** What the retrain prints at its end: the done report's figures. */
const RETRAINED =
  /^retrain done after (\d+) steps: test loss ([\d.]+) test accuracy (\d+\.\d\d)%\n$/;

type Done = { type: string; metrics: { testLoss: number; testAccuracy: number } };
const doneOf = (out: string): Done =>
  JSON.parse(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').at(-1) ?? '{}');

const dir = mkdtempSync(join(tmpdir(), 'nas-lab-retrain-'));
const file = (name: string, text: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

interface Retrained {
  readonly out: string;
  readonly result: { code: number; stdout: string; stderr: string };
}
let retrained: Retrained;

beforeAll(async () => {
  const out = join(dir, 'darts-v2');
  retrained = {
    out,
    result: await cli([
      'retrain',
      '--genotype',
      'DARTS_V2',
      '--epochs',
      '1',
      '--images',
      '64',
      '--test-images',
      '32',
      ...TINY,
      // BatchNorm recalibration on (the default): the model file keeps the statistics the
      // last test used, so that `evaluate` reproduces its figures (below).
      '--out',
      out,
    ]),
  };
}, 120_000);

describe('nas-lab retrain (CLI)', () => {
  it('trains a published genotype, prints progress and the test accuracy, writes its files', () => {
    const { out, result } = retrained;
    expect(result.stderr).toMatch(/^retrain on the wasm backend$/m);
    expect(result.stderr).toMatch(
      /retraining DARTS_V2 on default: 64 training and 32 test images of 8x8x1, augmentation none, [\d,]+ parameters \(C 4, 3 cells\)/,
    );
    expect(result.stderr).toMatch(/\[#+\] 4\/4 epoch 1 training loss [\d.]+ .* ETA 00:00/);
    expect(result.stderr).toMatch(/epoch 1: test loss [\d.]+ test accuracy \d+\.\d\d%/);
    expect(result.code).toBe(0);

    expect(parseGenotype(readFileSync(join(out, 'genotype.json'), 'utf8'))).toEqual(DARTS_V2);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log[0]).toMatchObject({
      type: 'config',
      kind: 'retrain',
      backend: 'wasm',
      settings: {
        genotype: 'DARTS_V2',
        ...{ channels: 4, layers: 3, batchSize: 16, epochs: 1, auxiliary: false, cutout: 0 },
        ...{ dataset: 'default', images: 64, testImages: 32, imageSize: 8 },
      },
    });
    expect(log[1]).toMatchObject({
      type: 'note',
      detail: {
        genotypeName: 'DARTS_V2',
        genotype: genotypeToJson(DARTS_V2),
        data: { dataset: 'default', trainImages: 64, testImages: 32, size: [8, 8, 1] },
      },
    });
    expect(log.filter((e) => e.type === 'step').length).toBe(4);
    const done = log.at(-1) as Done;
    expect(done.type).toBe('done');
    const printed = RETRAINED.exec(result.stdout);
    expect(printed?.[1]).toBe('4');
    expect(printed?.[3]).toBe((done.metrics.testAccuracy * 100).toFixed(2));
    expect(Number(printed?.[2])).toBe(Number(done.metrics.testLoss.toPrecision(4)));

    const model = decodeTrainedModel(new Uint8Array(readFileSync(join(out, 'model.nas'))));
    expect(model.genotype).toEqual(DARTS_V2);
    expect(model.config).toEqual(retrainConfigOf(log[0].settings as RetrainSettings, 8));
    expect(model.data).toEqual({ height: 8, width: 8, channels: 1, numClasses: 10 });
    expect(model.normalization).toEqual({ mean: [0.286], std: [0.353] });
    expect(model.training).toEqual({ epochs: 1, ...done.metrics });
  });

  it('evaluates the written model on the same test images to the same loss and accuracy', async () => {
    const model = join(retrained.out, 'model.nas');
    const r = await cli(['evaluate', '--model', model, '--test-images', '32']);
    expect(r.stderr).toMatch(
      /evaluating .*model\.nas \(trained 1 epoch, test accuracy \d+\.\d\d% then\) on default: 32 test images of 8x8x1/,
    );
    expect(r.code).toBe(0);
    // The retrain's final figures, to the digits evaluate prints.
    const { testLoss, testAccuracy } = doneOf(retrained.out).metrics;
    expect(r.stdout).toBe(
      `test accuracy ${(testAccuracy * 100).toFixed(2)}% (test loss ${testLoss.toFixed(4)}, 32 test images)\n`,
    );
  });

  it("reads genotype files in DARTS's repr and in NNI's JSON", async () => {
    const v1 = formatsFixture.published.find((p) => p.name === 'DARTS_V1');
    if (!v1) throw new Error('the fixture has no DARTS_V1');
    const inputs = [
      { path: file('darts_v1.py', `${v1.source}\n`), expected: v1.json },
      {
        path: file('epoch_49.json', formatsFixture.nni.dartsV2),
        expected: genotypeToJson(sortGenesPerNode(DARTS_V2)),
      },
    ];
    const runs = await Promise.all(
      inputs.map(async ({ path }, i) => {
        const out = join(dir, `format-${i}`);
        const args = ['retrain', '--genotype', path, '--epochs', '1', '--images', '16'];
        return {
          out,
          r: await cli([...args, '--test-images', '16', ...TINY, '--quiet', '--out', out]),
        };
      }),
    );
    runs.forEach(({ out, r }, i) => {
      expect({ i, code: r.code, stderr: r.stderr }).toMatchObject({ i, code: 0 });
      expect(r.stdout).toMatch(RETRAINED);
      const written = JSON.parse(readFileSync(join(out, 'genotype.json'), 'utf8'));
      expect(written).toMatchObject(inputs[i]?.expected as object);
    });
    expect(runs[0]?.r.stderr).not.toMatch(/\[#/);
  });
});

describe('nas-lab retrain and evaluate: bad input', () => {
  it('names what is wrong', async () => {
    await tf.setBackend('cpu');
    const search = createSearchState(TINY_CONFIG, {
      height: 8,
      width: 8,
      channels: 3,
      numClasses: 2,
    });
    const checkpoint = file(
      'search.ckpt',
      encodeCheckpoint(await captureCheckpoint(search, startPosition(16, 16), [])),
    );
    disposeSearchState(search);
    const badOp = genotypeToJson(DARTS_V2);
    (badOp.normal[0] as [string, number])[0] = 'conv_9x9';
    const marker = join(dir, 'PWNED');
    const evil = `DARTS_V2 = Genotype(normal=__import__('os').system('touch ${marker}'), normal_concat=[2], reduce=[], reduce_concat=[2])\n`;
    const model = join(retrained.out, 'model.nas');
    const genotypeJson = join(retrained.out, 'genotype.json');
    const retrain = (...args: string[]) => ['retrain', ...args, '--out', join(dir, 'never')];
    const published = 'NASNet, AmoebaNet, DARTS_V1, DARTS_V2, ';
    const cases: [string[], RegExp][] = [
      [
        retrain('--genotype', 'DARTS_V9'),
        new RegExp(`--genotype DARTS_V9: no such file, and not one of ${published}`),
      ],
      [
        retrain('--genotype', file('bad-op.json', JSON.stringify(badOp))),
        /--genotype .*bad-op\.json: .*invalid genotype: normal\[0\] has unknown op "conv_9x9"/,
      ],
      [
        retrain('--genotype', file('evil.py', evil)),
        /--genotype .*evil\.py: .*invalid genotype repr at line 1, column 28: names containing '__' are not allowed \(found __import__\)/,
      ],
      [retrain('--genotype', model), /--genotype .*model\.nas is a NAS Lab binary file/],
      [retrain('--genotype', 'DARTS_V2', '--epochs', '0'), /--epochs is below 1, got "0"/],
      [
        retrain('--genotype', 'DARTS_V2', '--auxiliary', '--no-auxiliary'),
        /--auxiliary and --no-auxiliary contradict each other/,
      ],
      [
        retrain('--genotype', 'DARTS_V2', '--images', '2.5'),
        /--images expects an integer, got "2.5"/,
      ],
      [
        retrain('--genotype', 'DARTS_V2', '--images', '8', ...TINY),
        /--images 8 is fewer than --batch-size 16: a batch needs that many training images/,
      ],
      [['evaluate'], /evaluate needs --model FILE/],
      [['evaluate', '--model', join(dir, 'none.nas')], /--model .*none\.nas: no such file/],
      [
        ['evaluate', '--model', file('garbage.nas', 'not a model at all, just text')],
        /garbage\.nas: invalid trained model: not a NAS Lab model file: it does not start with "NASLABCK"/,
      ],
      [
        ['evaluate', '--model', checkpoint],
        /search\.ckpt: invalid trained model: this file is a NAS Lab search checkpoint \("nas-lab\.search-checkpoint"\), not a trained model/,
      ],
      [
        ['evaluate', '--model', genotypeJson],
        /genotype\.json looks like a genotype, not a trained model: train one with nas-lab retrain --genotype/,
      ],
      [
        ['evaluate', '--model', model, '--dataset', 'synthetic'],
        /the model takes 8x8x1 images in 10 classes; the test images of --dataset synthetic are 8x8x3 images in 4 classes/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(message);
    });
    expect(existsSync(marker)).toBe(false);
  }, 120_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseGenotype } from '../../src/nas/genotype/genotype';
import { DARTS_CIFAR_NETWORK, genotypeCost } from '../../src/nas/genotype/genotypeCost';
import { formatMillions } from '../../src/nas/genotype/genotypeCostText';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'nas-lab.mjs');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 600_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('nas-lab search (CLI)', () => {
  it('runs one epoch of the small preset on the embedded default (wasm, the default backend), prints progress, writes a valid genotype', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-'));
    const r = await cli(['search', '--epochs', '1', '--out', out]);
    expect(r.stderr).toMatch(/^DARTS search on the wasm backend\n/);
    expect(r.stderr).toMatch(
      /searching on default: 1024 images of 8x8x1 \(512 for weights, 512 for alphas\)/,
    );
    expect(r.stderr).toMatch(/\[#+\] 16\/16 epoch 1 .* ETA 00:00/);
    expect(r.stderr).toMatch(/epoch 1: validation loss [\d.]+ validation accuracy [\d.]+%/);
    expect(r.stdout).toMatch(/^DARTS search done after 16 steps: validation loss [\d.]+/);
    // Then what the genotype costs, as genotype.json records it (genotype/genotypeCostText.ts).
    expect(r.stdout).toMatch(
      /\nevaluation network: [\d.]+M parameters \([\d.]+M with the auxiliary head\), [\d.]+M multiply-adds per image at C 36, 20 cells, 32×32×3 images, 10 classes, auxiliary head\n$/,
    );
    expect(r.code).toBe(0);
    const text = readFileSync(join(out, 'genotype.json'), 'utf8');
    const genotype = parseGenotype(text);
    expect(genotype.normal.length).toBe(8);
    const cost = genotypeCost(genotype, DARTS_CIFAR_NETWORK);
    expect(JSON.parse(text)).toMatchObject({
      cost: { c: 36, layers: 20, params: cost.params, multAdds: cost.multAdds },
    });
    expect(r.stdout).toContain(`${formatMillions(cost.params)} parameters`);
    expect(genotype.reduceConcat).toEqual([2, 3, 4, 5]);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log[0]).toMatchObject({
      type: 'config',
      kind: 'darts',
      backend: 'wasm',
      settings: { dataset: 'default', images: 1024, imageSize: 8 },
    });
    expect(log.find((e) => e.type === 'note')).toMatchObject({
      detail: { data: { dataset: 'default', trainImages: 512, valImages: 512, size: [8, 8, 1] } },
    });
    expect(log.filter((e) => e.type === 'step').length).toBe(16);
    expect(log.at(-1).type).toBe('done');
  }, 600_000);

  it('names the problem on bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['search', '--ops', 'sep_conv_3x3,conv_9x9'], /--ops names conv_9x9, not among none,/],
      [['search', '--nodes', '0'], /--nodes is below 1, got "0"/],
      [
        ['search', '--batch-size', '600'],
        /--batch-size 600 is larger than half of the 1024 images \(each search split\)/,
      ],
      [['search', '--epochs', 'many'], /--epochs expects a number, got "many"/],
      [
        ['search', '--backend', 'wasm', '--dataset', 'synthetic', '--image-size', '32'].concat([
          '--channels',
          '64',
          '--layers',
          '8',
          '--batch-size',
          '64',
        ]),
        /--backend wasm: a search step needs at least [\d.]+ GiB, more than the wasm backend's heap limit \(4\.0 GiB\).*lower the batch size to at most \d+/,
      ],
      [['search', '--order', '3'], /--order must be one of 1, 2/],
      [['search', '--learning-rate', '1'], /Unknown option '--learning-rate'/],
      [['train'], /unknown command "train"/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--out', mkdtempSync(join(tmpdir(), 'nas-lab-'))]);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(message);
    }
  }, 300_000);
});

describe('nas-lab search on real data', () => {
  it("searches on the embedded default and on Debian's Fashion-MNIST", async () => {
    for (const dataset of ['default', 'fashion-mnist']) {
      const out = mkdtempSync(join(tmpdir(), 'nas-lab-'));
      const r = await cli([
        'search',
        '--dataset',
        dataset,
        '--epochs',
        '1',
        '--images',
        '64',
        '--image-size',
        '8',
        '--layers',
        '3',
        '--out',
        out,
      ]);
      expect(r.stderr).toMatch(
        new RegExp(
          `searching on ${dataset}: 64 images of 8x8x1 \\(32 for weights, 32 for alphas\\)`,
        ),
      );
      expect(r.code).toBe(0);
      parseGenotype(readFileSync(join(out, 'genotype.json'), 'utf8'));
    }
  }, 300_000);
});

describe('nas-lab search data flags', () => {
  it('names a missing data folder and an unknown dataset', async () => {
    const r1 = await cli(['search', '--dataset', 'cifar10']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/--dataset cifar10 needs --data-dir PATH/);
    const r2 = await cli(['search', '--dataset', 'imagenet']);
    expect(r2.stderr).toMatch(
      /--dataset must be one of default, fashion-mnist, mnist, cifar10, cifar100, synthetic/,
    );
    const r3 = await cli(['search', '--dataset', 'mnist', '--data-dir', '/nonexistent/mnist']);
    expect(r3.stderr).toMatch(/data folder \/nonexistent\/mnist does not exist/);
  }, 300_000);
});

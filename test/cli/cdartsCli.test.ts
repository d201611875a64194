import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Gene, Genotype } from '../../src/nas/genotype/genotype';
import { genotypeFromJson, parseGenotype } from '../../src/nas/genotype/genotype';
import { parseNniArchitecture } from '../../src/nas/genotype/nniArchitecture';

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

type LogRecord = Record<string, unknown> & { type: string; step?: number; epoch?: number };

const readLog = (dir: string): LogRecord[] =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);

type Detail = { phase?: string; cycle?: object; genotype?: unknown };
const detail = (r: LogRecord | undefined): Detail => (r?.detail ?? {}) as Detail;

/** The record's kind: `step:<phase>` for steps, `cycle` for a cycle's note, else its type. */
const kind = (r: LogRecord): string =>
  r.type === 'step' ? `step:${detail(r).phase}` : detail(r).cycle ? 'cycle' : r.type;

/** Consecutive repeats collapsed: the order in which the kinds come. */
function runsOf(kinds: readonly string[]): string[] {
  return kinds.filter((k, i) => i === 0 || kinds[i - 1] !== k);
}

/** NNI keeps no order within a node: each node's two genes sorted by input, then op. */
function perNode(genes: readonly Gene[]): string[][] {
  const nodes: string[][] = [];
  for (let i = 0; i < genes.length; i += 2) {
    nodes.push(
      genes
        .slice(i, i + 2)
        .map(([op, input]) => `${input}:${op}`)
        .sort(),
    );
  }
  return nodes;
}

const sameArchitecture = (g: Genotype) => ({
  normal: perNode(g.normal),
  reduce: perNode(g.reduce),
  normalConcat: g.normalConcat,
  reduceConcat: g.reduceConcat,
});

// 32 synthetic images of 8×8: 16 per half, batch 8, so 2 steps an epoch. Epoch 0 warms up the
// search network (2 steps); epoch 1 is a cycle: 2 evaluation warm-up steps, 2 joint steps.
const TINY = [
  ...['search', '--algorithm', 'cdarts', '--backend', 'cpu', '--dataset', 'synthetic'],
  ...['--images', '32'],
  ...['--image-size', '8', '--channels', '2', '--nodes', '2', '--batch-size', '8'],
  ...['--search-layers', '3', '--eval-layers', '3', '--epochs', '2', '--warmup-epochs', '1'],
];

describe('nas-lab search --algorithm cdarts (CLI)', () => {
  it('runs a tiny search: phases in order, genotype.json, NNI epoch files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'nas-lab-cdarts-'));
    const r = await cli([
      ...TINY,
      ...['--loss-t', '3', '--interactive-type', 'smoothl1', '--no-fix-head'],
      ...['--regularized-ops', 'nni', '--nasnet-lr', '0.05', '--seed', '7', '--out', out],
    ]);
    expect(r.stderr).toMatch(
      /wrote log\.jsonl, genotype\.json, nni\/epoch_0\.json, nni\/epoch_1\.json in /,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^CDARTS search on the cpu backend$/m);
    expect(r.stderr).toMatch(
      /CDARTS search on synthetic: 32 images of 8x8x3 \(16 for weights, 16 for alphas\), 6 steps/,
    );
    expect(r.stderr).toMatch(
      /\] 6\/6 epoch 2 search network training loss [\d.]+ search network validation loss [\d.]+ evaluation network loss [\d.]+ distillation loss [\d.]+ /,
    );
    // Before the first cycle the evaluation network is not trained: epoch 1 reports no figures of it.
    expect(r.stderr).toMatch(
      /\nepoch 1: search network validation loss [\d.]+ search network validation accuracy [\d.]+% \(BatchNorm recalibrated over \d+ batch(es)?\)\n/,
    );
    expect(r.stderr).toMatch(
      /\nepoch 2: search network validation loss [\d.]+ .*% evaluation network loss [\d.]+ evaluation network accuracy [\d.]+% \(BatchNorm recalibrated over \d+ batch(es)?\)\n/,
    );

    const log = readLog(out);
    // The flags reached the settings.
    expect(log[0]).toMatchObject({
      type: 'config',
      kind: 'cdarts',
      backend: 'cpu',
      settings: {
        lossT: 3,
        interactiveType: 'smoothl1',
        fixHead: false,
        shareModule: true,
        regularizedOps: 'nni',
        nasnetLr: 0.05,
        seed: 7,
        layers: 3,
        evalLayers: 3,
        nodes: 2,
        dataset: 'synthetic',
        images: 32,
        imageSize: 8,
      },
    });
    expect(log[1]).toMatchObject({
      type: 'note',
      detail: { data: { dataset: 'synthetic', trainImages: 16, valImages: 16, size: [8, 8, 3] } },
    });
    const events = log.slice(1);
    expect(runsOf(events.map(kind))).toEqual([
      'note',
      'step:searchWarmup',
      'epoch',
      'cycle',
      'step:evalWarmup',
      'step:joint',
      'epoch',
      'done',
    ]);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map(kind)).toEqual([
      ...['step:searchWarmup', 'step:searchWarmup', 'step:evalWarmup', 'step:evalWarmup'],
      ...['step:joint', 'step:joint'],
    ]);
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    // 2 steps an epoch: 16 weight images, batch 8.
    expect(steps.map((e) => e.epoch)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(steps.every((e) => e.totalSteps === 6)).toBe(true);

    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(epochs[0]?.metrics).not.toHaveProperty('evalLoss');
    expect(epochs[1]?.metrics).toMatchObject({ evalLoss: expect.any(Number) });
    // Genotypes are logged in this project's JSON form.
    expect(detail(epochs[1]).genotype).toMatchObject({ format: 'nas-lab.genotype', version: 1 });

    // genotype.json holds the search network's final genotype, that of the last joint step.
    const written = parseGenotype(readFileSync(join(out, 'genotype.json'), 'utf8'));
    const lastJoint = steps.at(-1) as LogRecord;
    expect(written).toEqual(genotypeFromJson(lastJoint.genotype));
    expect(written).toEqual(genotypeFromJson(detail(events.at(-1)).genotype));
    expect(written.normal).toHaveLength(4);
    expect(written.normalConcat).toEqual([2, 3]);

    // NNI's epoch_N.json, one per epoch, reads back to that epoch's genotype.
    for (const epoch of epochs) {
      const file = join(out, 'nni', `epoch_${String(epoch.epoch)}.json`);
      const fromNni = parseNniArchitecture(readFileSync(file, 'utf8'));
      expect(sameArchitecture(fromNni)).toEqual(
        sameArchitecture(genotypeFromJson(detail(epoch).genotype)),
      );
    }
    expect(existsSync(join(out, 'nni', 'epoch_2.json'))).toBe(false);
  }, 120_000);

  it('names the flag that is wrong', async () => {
    const cdarts = ['search', '--algorithm', 'cdarts'];
    const dartsFlag = (flag: string) =>
      new RegExp(
        `--${flag} is not a flag of CDARTS search \\(--space cnn --algorithm cdarts\\): it is one of DARTS search \\(--space cnn --algorithm darts\\)`,
      );
    const cases: [string[], RegExp][] = [
      [[...cdarts, '--order', '2'], dartsFlag('order')],
      [[...cdarts, '--layers', '8'], dartsFlag('layers')],
      [
        [...cdarts, '--interactive-type', 'xyz'],
        /--interactive-type must be one of kl, smoothl1, got "xyz"/,
      ],
      [[...cdarts, '--loss-t', '0'], /loss_T \(--loss-t\) must be a positive number, got 0/],
      [[...cdarts, '--fix-head', '--no-fix-head'], /--fix-head and --no-fix-head contradict/],
      [[...cdarts, '--preset', 'paper'], /--preset must be one of small, nni, demo, got "paper"/],
      [
        ['search', '--loss-t', '2'],
        /--loss-t is not a flag of DARTS search .*: it is one of CDARTS search \(--space cnn --algorithm cdarts\)/,
      ],
      [['search', '--algorithm', 'enas'], /--algorithm must be one of darts, cdarts, got "enas"/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(message);
    });
    const help = await cli([...cdarts, '--help']);
    expect(help.code).toBe(0);
    // NNI's names of the settings, in brackets.
    expect(help.stdout).toMatch(
      /--loss-t X +distillation temperature .*\[CdartsTrainer\(loss_T\)\]/,
    );
    expect(help.stdout).toMatch(
      /--fix-head, --no-fix-head\n +keep the distillation heads .*\n? *.*\[CdartsTrainer\(fix_head\)\]/,
    );
  }, 120_000);
});

/**
 * `nas-lab export` and `nas-lab import` on files: a trained model out to a folder and to a zip,
 * back in from either, byte for byte the model it was; and the messages for bad input (a
 * genotype given as a model, a model given as safetensors, a state_dict without a genotype, a
 * tensor that does not fit, bad flags).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { exportForPytorch } from '../../src/nas/export/pytorchExport';
import { decodeSafetensors, encodeSafetensors } from '../../src/nas/export/safetensors';
import { genotypeToRepr } from '../../src/nas/genotype/genotypeRepr';
import { EXPORT_CASES, exportCaseModel } from '../support/exportModels';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const c = EXPORT_CASES[0]!;
const model = exportCaseModel(c);

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nas-lab-export-'));
  writeFileSync(join(dir, 'model.nas'), model);
  return dir;
}

describe('nas-lab export and import', () => {
  it('exports to a folder and imports the safetensors back to the same model', async () => {
    const dir = folder();
    const out = join(dir, 'torch');
    const exported = await cli(['export', '--model', join(dir, 'model.nas'), '--to', out]);
    expect(exported).toMatchObject({ code: 0 });
    expect(exported.stderr).toMatch(/as DARTS's NetworkCIFAR \(C 4, 3 cells, auxiliary head off\)/);
    expect(readdirSync(out).sort()).toEqual(['README.txt', 'genotype.txt', 'model.safetensors']);
    const weights = new Uint8Array(readFileSync(join(out, 'model.safetensors')));
    expect(sha256(weights)).toBe(sha256(exportForPytorch(model).safetensors));

    const back = join(dir, 'back.nas');
    const imported = await cli([
      'import',
      '--from',
      join(out, 'model.safetensors'),
      '--genotype',
      join(out, 'genotype.txt'),
      '--to',
      back,
    ]);
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.stderr).toMatch(/from the export's metadata/);
    expect(sha256(new Uint8Array(readFileSync(back)))).toBe(sha256(model));
  });

  it('exports to a zip and imports the zip', async () => {
    const dir = folder();
    const zip = join(dir, 'torch.zip');
    expect(await cli(['export', '--model', join(dir, 'model.nas'), '--to', zip])).toMatchObject({
      code: 0,
    });
    const back = join(dir, 'back.nas');
    expect(await cli(['import', '--from', zip, '--to', back])).toMatchObject({ code: 0 });
    expect(sha256(new Uint8Array(readFileSync(back)))).toBe(sha256(model));
  });

  it('imports a state_dict without metadata given its genotype, and says what it assumed', async () => {
    const dir = folder();
    const file = decodeSafetensors(exportForPytorch(model).safetensors);
    writeFileSync(
      join(dir, 'bare.safetensors'),
      encodeSafetensors({ metadata: {}, tensors: file.tensors }),
    );
    writeFileSync(join(dir, 'g.txt'), genotypeToRepr(c.manifest.genotype));
    const args = ['import', '--from', join(dir, 'bare.safetensors'), '--to', join(dir, 'x.nas')];
    const without = await cli(args);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/no NAS Lab metadata, so the genotype must be given/);
    const given = await cli([...args, '--genotype', join(dir, 'g.txt'), '--image-size', '16']);
    expect(given).toMatchObject({ code: 0 });
    expect(given.stderr).toMatch(
      /16x16x3 images, 10 classes; read off the tensors, no NAS Lab metadata/,
    );
    // An image size the network cannot take is refused as evaluate would refuse it.
    const odd = await cli([...args, '--genotype', join(dir, 'g.txt'), '--image-size', '6x6']);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/odd 3-pixel feature map/);
  });

  it('names what is wrong with bad input', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'genotype.txt'), genotypeToRepr(c.manifest.genotype));
    const cases: [string[], RegExp][] = [
      [['export', '--to', dir], /export needs --model/],
      [
        ['export', '--model', join(dir, 'none.nas'), '--to', dir],
        /--model .*none\.nas: no such file/,
      ],
      [
        ['export', '--model', join(dir, 'genotype.txt'), '--to', dir],
        /looks like a genotype, not a trained model/,
      ],
      [
        ['import', '--from', join(dir, 'model.nas'), '--to', join(dir, 'x.nas')],
        /invalid safetensors file: the header length/,
      ],
      [
        ['import', '--from', join(dir, 'model.nas'), '--image-size', '3y', '--to', 'x'],
        /--image-size expects N or HxW/,
      ],
      [['import', '--from', join(dir, 'model.nas')], /import needs --to/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toMatch(message);
    }
  });

  it('lists both commands in the help and prints their usage', async () => {
    const help = await cli(['--help']);
    expect(help.stdout).toMatch(/export +a trained model for PyTorch/);
    expect(help.stdout).toMatch(/import +a PyTorch state_dict/);
    expect((await cli(['export', '--help'])).stdout).toMatch(/^Usage: nas-lab export --model FILE/);
    expect((await cli(['import', '--help'])).stdout).toMatch(/^Usage: nas-lab import --from FILE/);
  });
});

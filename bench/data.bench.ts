/**
 * Data pipeline benchmark (issue 3): batches per second from the loader (one gather per batch,
 * augmentation on the device), and the share of a search step spent building batches.
 * Run with `npm run bench:data`; prints a table and writes bench/results/data.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_DIR, folderSource } from '../src/cli/folderSource';
import { augmentedSource } from '../src/data/augmentedSource';
import { loadDataset } from '../src/data/catalog';
import { toDevice } from '../src/data/deviceSplit';
import { resizeDataset } from '../src/data/resize';
import { dartsSearchSplit, firstImages } from '../src/data/searchSplit';
import { Rng } from '../src/nas/tensor/random';
import type { BatchSource } from '../src/nas/darts/searchLoop';
import { runSearch } from '../src/nas/darts/searchLoop';
import { SMALL_SEARCH_CONFIG } from '../src/nas/darts/searchConfig';
import { createSearchState, disposeSearchState } from '../src/nas/darts/searchState';
import * as tf from '../src/nas/tensor/tf';

interface Row {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

async function loaderThroughput(batchSize: number, augment: boolean): Promise<number> {
  const d = await loadDataset('default', folderSource(EMBEDDED_DIR));
  const split = toDevice(d.train);
  const rng = Rng.fromSeed(0);
  const source = augment ? augmentedSource(split, rng, { pad: 4, flip: true, cutout: 8 }) : split;
  const batches = 200;
  const order = rng.permutation(split.count);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    const start = (i * batchSize) % (split.count - batchSize);
    const b = source.batch(order.subarray(start, start + batchSize));
    await b.x.data();
    tf.dispose([b.x, b.y]);
  }
  const seconds = (performance.now() - t0) / 1000;
  split.dispose();
  return batches / seconds;
}

/** Times the batch building inside a real search on the small preset. */
function timed(source: BatchSource, clock: { ms: number }): BatchSource {
  return {
    count: source.count,
    batch(indices) {
      const t0 = performance.now();
      const b = source.batch(indices);
      clock.ms += performance.now() - t0;
      return b;
    },
  };
}

async function dataWaitShare(steps: number): Promise<{ share: number; stepMs: number }> {
  const d = await loadDataset('default', folderSource(EMBEDDED_DIR));
  const images = await resizeDataset(firstImages(d.train, 256), 12);
  const split = dartsSearchSplit(images, 0.5);
  const train = toDevice(split.train);
  const val = toDevice(split.val);
  const clock = { ms: 0 };
  const state = createSearchState({ ...SMALL_SEARCH_CONFIG, epochs: 1 }, images);
  let total = 0;
  let n = 0;
  for await (const e of runSearch(state, { train: timed(train, clock), val: timed(val, clock) })) {
    if (e.type !== 'step') continue;
    n += 1;
    total = e.elapsedMs;
    if (n >= steps) break;
  }
  disposeSearchState(state);
  train.dispose();
  val.dispose();
  return { share: clock.ms / total, stepMs: total / n };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const rows: Row[] = [
    {
      name: 'loader, batch 64, 28x28x1, no augmentation',
      value: await loaderThroughput(64, false),
      unit: 'batches/s',
    },
    {
      name: 'loader, batch 64, 28x28x1, crop+flip+cutout',
      value: await loaderThroughput(64, true),
      unit: 'batches/s',
    },
  ];
  const wait = await dataWaitShare(4);
  rows.push({
    name: 'search step, small preset, 12x12 (cpu)',
    value: wait.stepMs,
    unit: 'ms/step',
  });
  rows.push({ name: 'share of the step building batches', value: wait.share * 100, unit: '%' });
  const machine = `${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, tfjs ${tf.version_core}, backend cpu`;
  console.log(
    `\nData pipeline benchmark — ${machine} — ${new Date().toISOString().slice(0, 10)}\n`,
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(48)} ${r.value.toFixed(r.unit === '%' ? 2 : 1).padStart(10)} ${r.unit}`,
    );
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(
    join('bench', 'results', 'data.json'),
    `${JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 2)}\n`,
  );
}

await main();

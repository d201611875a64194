import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_DIR } from '../../src/cli/folderSource';
import { pickedFilesSource, urlSource } from '../../src/data/browserSources';
import { loadDataset } from '../../src/data/catalog';

const embedded = (name: string) => new File([readFileSync(join(EMBEDDED_DIR, name))], name);

describe('browser file sources', () => {
  it('loads the embedded default from picked files', async () => {
    const files = [embedded('t10k-images-idx3-ubyte.gz'), embedded('t10k-labels-idx1-ubyte.gz')];
    const d = await loadDataset('default', pickedFilesSource(files));
    expect([d.train.count, d.test.count]).toEqual([8000, 2000]);
  });

  it('names the files it looked for and the ones it was given', async () => {
    const source = pickedFilesSource([new File([new Uint8Array(3)], 'notes.txt')]);
    await expect(loadDataset('cifar10', source)).rejects.toThrow(
      /cannot find data_batch_1.bin among the chosen files \(notes.txt\)/,
    );
    await expect(pickedFilesSource([]).read(['a.bin'])).rejects.toThrow(/\(no files\)/);
  });

  it('fetches from the origin, skips HTML fallback pages and reports HTTP failures', async () => {
    const served: Record<string, Uint8Array<ArrayBuffer>> = {
      '/data/t10k-images-idx3-ubyte.gz': readFileSync(
        join(EMBEDDED_DIR, 't10k-images-idx3-ubyte.gz'),
      ),
    };
    const fakeFetch = (async (url: string) => {
      const body = served[url];
      if (body) return new Response(body);
      // A single-page fallback answers a missing file with the app's page.
      if (url.endsWith('-ubyte')) {
        return new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html' } });
      }
      return new Response(null, { status: 404 });
    }) as typeof fetch;
    const source = urlSource('/data', fakeFetch);
    const got = await source.read(['t10k-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz']);
    expect(got.name).toBe('t10k-images-idx3-ubyte.gz');
    await expect(loadDataset('default', source)).rejects.toThrow(
      /cannot load t10k-labels-idx1-ubyte \(an HTML page\) or t10k-labels-idx1-ubyte.gz \(HTTP 404\) from \/data\//,
    );
  });
});

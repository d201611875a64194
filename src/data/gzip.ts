/**
 * Gzip detection and decompression with the platform's `DecompressionStream`, which browsers,
 * Web Workers and Node ≥ 18 all provide as a global.
 */
import { checkInputSize, DEFAULT_MAX_BYTES, describeSize } from './rawImages';

/** Whether `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses a gzip file. A corrupt, truncated or non-gzip input, or one followed by junk,
 * rejects with `<fileName>: not a valid gzip file (...)`. Input or output over `maxBytes` rejects
 * too, the output (a gzip bomb) as soon as it passes the limit, before it is all in memory.
 */
export async function gunzip(
  bytes: Uint8Array,
  fileName: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<Uint8Array> {
  checkInputSize(bytes.length, fileName, maxBytes);
  if (typeof DecompressionStream === 'undefined') {
    throw new Error(`${fileName}: cannot decompress: this environment has no DecompressionStream`);
  }
  // Streams take ArrayBuffer-backed views only (not SharedArrayBuffer ones): copy those.
  const input =
    bytes.buffer instanceof ArrayBuffer
      ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : bytes.slice();
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      controller.enqueue(input);
      controller.close();
    },
  });
  const reader = source.pipeThrough(new DecompressionStream('gzip')).getReader();

  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      throw new Error(
        `${fileName}: not a valid gzip file (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    if (chunk.done) break;
    total += chunk.value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(
        `${fileName}: decompresses to more than the size limit of ${describeSize(maxBytes)}`,
      );
    }
    chunks.push(chunk.value);
  }

  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Token streams on the device in DARTS's layout (`rnn/utils.py` batchify/get_batch): the stream
 * is cut into `batch` contiguous columns (the tail that does not fill a row is dropped), held as
 * one int32 tensor [rows, batch]; a segment is rows i..i+T−1 and its targets rows i+1..i+T.
 */
import * as tf from '../../tensor/tf';

export interface TokenColumns {
  /** int32 [rows, batch]: column b is the stream's b-th contiguous part. */
  readonly data: tf.Tensor2D;
  readonly rows: number;
  readonly batch: number;
}

export interface TokenSegment {
  /** int32 [T, batch]. */
  readonly tokens: tf.Tensor2D;
  /** int32 [T·batch], time-major as the logits' rows. */
  readonly targets: tf.Tensor1D;
  /** T. */
  readonly length: number;
}

/** Throws naming the first token id of the texts (by name) outside the vocabulary 0..ntoken − 1. */
export function checkTokenIds<K extends string>(texts: TokenTexts<K>, ntoken: number): void {
  for (const [name, ids] of Object.entries(texts) as [K, ArrayLike<number>][]) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= ntoken) {
        throw new Error(`${name} token ${i} is ${id}, outside the vocabulary 0..${ntoken - 1}`);
      }
    }
  }
}

/** Named token texts (ids into the vocabulary). */
export type TokenTexts<K extends string> = Readonly<Record<K, ArrayLike<number>>>;

/** Named texts in columns, as `batchifyTexts` lays them out. */
export type TokenColumnSet<K extends string> = Readonly<Record<K, TokenColumns>>;

/**
 * The texts laid out as `layout` says: each entry names the text it takes, its column count and
 * the rows it needs at the least (2, a segment's; 3 where an epoch of steps walks it). Checks the
 * ids first; frees what it made when a later text fails.
 */
export function batchifyTexts<T extends string, K extends string>(
  texts: TokenTexts<T>,
  ntoken: number,
  layout: Readonly<Record<K, readonly [text: T, batch: number, minRows?: number]>>,
): TokenColumnSet<K> {
  checkTokenIds(texts, ntoken);
  const made: [K, TokenColumns][] = [];
  try {
    for (const [key, [text, batch, minRows = 2]] of Object.entries(layout) as [
      K,
      readonly [T, number, number?],
    ][]) {
      const cols = batchify(texts[text], batch);
      made.push([key, cols]);
      if (cols.rows < minRows) {
        throw new Error(
          `the ${text} text fills ${cols.rows} rows of ${batch} columns; an epoch needs at least ${minRows}`,
        );
      }
    }
  } catch (e) {
    tf.dispose(made.map(([, cols]) => cols.data));
    throw e;
  }
  return Object.fromEntries(made) as Record<K, TokenColumns>;
}

/** The stream in `batch` contiguous columns (the tail that does not fill a row dropped). */
export function batchify(stream: ArrayLike<number>, batch: number): TokenColumns {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`batch must be a positive integer, got ${batch}`);
  }
  const rows = Math.floor(stream.length / batch);
  if (rows < 2) {
    throw new Error(
      `${stream.length} tokens cannot fill 2 rows of ${batch} columns: a segment needs a token and its successor`,
    );
  }
  const out = new Int32Array(rows * batch);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < rows; r++) out[r * batch + b] = stream[b * rows + r] as number;
  }
  return { data: tf.tensor2d(out, [rows, batch], 'int32'), rows, batch };
}

/** The segment at row `start` of at most `length` steps (shorter at the end, as get_batch). */
export function tokenSegment(cols: TokenColumns, start: number, length: number): TokenSegment {
  if (!Number.isInteger(start) || start < 0 || start > cols.rows - 2) {
    throw new Error(`segment start ${start} is outside rows 0..${cols.rows - 2}`);
  }
  const t = Math.min(length, cols.rows - 1 - start);
  return tf.tidy(() => ({
    tokens: tf.slice(cols.data, [start, 0], [t, cols.batch]),
    targets: tf.reshape(tf.slice(cols.data, [start + 1, 0], [t, cols.batch]), [
      t * cols.batch,
    ]) as tf.Tensor1D,
    length: t,
  }));
}

export function disposeSegment(s: TokenSegment): void {
  s.tokens.dispose();
  s.targets.dispose();
}

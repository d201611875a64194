/**
 * Moving an NHWC map on its spatial axes with contiguous slices and pads only (the wasm
 * backend's strided slice and gather are slow): placing it at an offset in a larger or smaller
 * frame, and spreading it out by a stride (the zeros a transposed convolution works on).
 */
import * as tf from '../../tensor/tf';

interface AxisPlacement {
  /** Rows (columns) cut from the front of the map. */
  readonly cut: number;
  /** Rows kept from the map. */
  readonly keep: number;
  readonly padBefore: number;
  readonly padAfter: number;
}

function placeAxis(size: number, offset: number, frame: number): AxisPlacement {
  const cut = Math.min(size, Math.max(0, -offset));
  const padBefore = Math.min(frame, Math.max(0, offset));
  const keep = Math.max(0, Math.min(size - cut, frame - padBefore));
  return { cut, keep, padBefore, padAfter: frame - padBefore - keep };
}

/**
 * The map in a frame of `height` × `width`: frame row r holds map row r − `top` (column c
 * holds column c − `left`), and `fill` where that row or column is outside the map.
 */
export function placeSpatially(
  x: tf.Tensor4D,
  top: number,
  height: number,
  left: number,
  width: number,
  fill = 0,
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const rows = placeAxis(h, top, height);
  const cols = placeAxis(w, left, width);
  if (rows.keep === 0 || cols.keep === 0) return tf.fill([n, height, width, c], fill);
  const cropped =
    rows.keep === h && cols.keep === w
      ? x
      : tf.slice(x, [0, rows.cut, cols.cut, 0], [n, rows.keep, cols.keep, c]);
  const padded =
    rows.padBefore + rows.padAfter + cols.padBefore + cols.padAfter === 0
      ? cropped
      : tf.pad(
          cropped,
          [
            [0, 0],
            [rows.padBefore, rows.padAfter],
            [cols.padBefore, cols.padAfter],
            [0, 0],
          ],
          fill,
        );
  return padded;
}

/**
 * Row i of the map becomes row i·strideH of the result (column j, column j·strideW), zeros
 * between them: [n, h·strideH, w·strideW, c], the last strideH − 1 rows zero.
 */
function spreadSpatially(x: tf.Tensor4D, strideH: number, strideW: number): tf.Tensor4D {
  if (strideH === 1 && strideW === 1) return x;
  const [n, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, strideH - 1],
    [0, 0],
    [0, strideW - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [n, h * strideH, w * strideW, c]);
}

/**
 * The input of the stride-1 'valid' correlation with the spatially flipped filter that gives
 * a convolution's input gradient: dy spread by the stride and placed so that the
 * correlation's output row i is input row i of the forward pass.
 */
export function transposedConvInput(
  dy: tf.Tensor4D,
  inHeight: number,
  inWidth: number,
  geometry: {
    readonly filterHeight: number;
    readonly filterWidth: number;
    readonly strideHeight: number;
    readonly strideWidth: number;
    readonly padInfo: { readonly top: number; readonly left: number };
  },
): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, padInfo } = geometry;
  return placeSpatially(
    spreadSpatially(dy, strideHeight, strideWidth),
    kh - 1 - padInfo.top,
    inHeight + kh - 1,
    kw - 1 - padInfo.left,
    inWidth + kw - 1,
  );
}

/** One colour per candidate op, shared by the cell graphs and the alpha charts. */
import type { OpName } from '../nas/ops/primitives';
import type { RnnActivationName } from '../nas/rnn/model/rnnPrimitives';

export const OP_COLORS: Readonly<Record<OpName, string>> = {
  none: '#9e9e9e',
  max_pool_3x3: '#1f77b4',
  avg_pool_3x3: '#17becf',
  skip_connect: '#7f7f7f',
  sep_conv_3x3: '#d62728',
  sep_conv_5x5: '#ff7f0e',
  dil_conv_3x3: '#2ca02c',
  dil_conv_5x5: '#9467bd',
  sep_conv_7x7: '#8c564b',
  conv_7x1_1x7: '#e377c2',
};

/** The recurrent space's activations (`none` shares the convolutional grey). */
export const RNN_OP_COLORS: Readonly<Record<RnnActivationName, string>> = {
  tanh: '#e6550d',
  relu: '#3182bd',
  sigmoid: '#31a354',
  identity: '#756bb1',
};

const ALL_COLORS: Readonly<Record<string, string>> = { ...OP_COLORS, ...RNN_OP_COLORS };

export function opColor(op: string): string {
  return Object.hasOwn(ALL_COLORS, op) ? (ALL_COLORS[op] as string) : '#333333';
}

/** The colour of a known op (a settings form's swatch), else undefined. */
export function knownOpColor(op: string): string | undefined {
  return Object.hasOwn(ALL_COLORS, op) ? ALL_COLORS[op] : undefined;
}

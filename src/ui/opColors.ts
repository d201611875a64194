/** One colour per candidate op, shared by the cell graphs and the alpha charts. */
import type { OpName } from '../nas/primitives';

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

export function opColor(op: string): string {
  return (OP_COLORS as Readonly<Record<string, string>>)[op] ?? '#333333';
}

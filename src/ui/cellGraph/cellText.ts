/**
 * A cell drawing's text alternative: its title, then each node's inputs in words ("node 0:
 * sep_conv_3x3 from c_{k-1}, skip_connect from c_{k-2}"), so that a screen reader hears the
 * same cell the picture shows.
 */
import { stateLabel } from '../charts/edgeLabels';

/**
 * The description of a cell whose genes come `perNode` to a node, in node order: a
 * convolutional cell's two (inputs 0 and 1 are c_{k-2} and c_{k-1}), a recurrent cell's one
 * (input j is node j).
 */
export function cellDescription(
  title: string,
  genes: readonly (readonly [string, number])[],
  space: 'cnn' | 'rnn',
): string {
  const perNode = space === 'cnn' ? 2 : 1;
  const from = (j: number) => (space === 'cnn' ? stateLabel(j) : `node ${j}`);
  const nodes: string[] = [];
  for (let i = 0; i * perNode < genes.length; i++) {
    const inputs = genes
      .slice(i * perNode, (i + 1) * perNode)
      .map(([op, j]) => `${op} from ${from(j)}`);
    nodes.push(`node ${space === 'cnn' ? i : i + 1}: ${inputs.join(', ')}`);
  }
  return nodes.length === 0 ? title : `${title}. ${nodes.join('; ')}`;
}

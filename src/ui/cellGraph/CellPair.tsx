/**
 * A convolutional genotype's two cells side by side, normal and reduction: a search's, the
 * CDARTS evaluation network's, a retrain's. Test ids `<prefix>cell-normal`, `<prefix>cell-reduce`;
 * each picture's accessible name lists its nodes' inputs (cellText.ts).
 */
import type { Gene, GenotypeJson } from '../../nas/genotype/genotype';
import { CellGraph } from './CellGraph';
import { cellDescription } from './cellText';

const CELLS = [
  { id: 'normal', genes: 'normal', concat: 'normal_concat' },
  { id: 'reduce', genes: 'reduce', concat: 'reduce_concat' },
] as const;

export function CellPair({
  genotype,
  titles,
  prefix = '',
}: {
  readonly genotype: GenotypeJson;
  /** The normal cell's and the reduction cell's accessible names. */
  readonly titles: readonly [normal: string, reduce: string];
  readonly prefix?: string;
}) {
  return (
    <div className="cells">
      {CELLS.map((cell, i) => (
        <CellGraph
          key={cell.id}
          title={cellDescription(titles[i] ?? cell.id, genotype[cell.genes], 'cnn')}
          genes={genotype[cell.genes] as unknown as Gene[]}
          concat={genotype[cell.concat]}
          testId={`${prefix}cell-${cell.id}`}
        />
      ))}
    </div>
  );
}

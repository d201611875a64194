/**
 * What an experiment needs to know of a search space, once per space, so that the rest of it
 * (plan, runner, report) is the same for convolutional and recurrent cells: the space a search's
 * settings describe, its random and control cells, how a search's genotype is read from its done
 * report and handed to the retrain kind's `genotype` setting, and a short text of a cell for
 * the report. A new search kind of an existing space (PC-DARTS) needs nothing here as long as its
 * settings name `nodes` (and, convolutional, `ops`) and its done report carries
 * `detail.genotype`, as the DARTS and CDARTS kinds do. No tfjs.
 */
import type { GenotypeJson } from '../nas/genotype/genotype';
import { genotypeFromJson, genotypeToJson } from '../nas/genotype/genotype';
import { DARTS_V2 } from '../nas/genotype/publishedGenotypes';
import type { OpName } from '../nas/ops/primitives';
import { DARTS_PRIMITIVES, isOpName } from '../nas/ops/primitives';
import type { RnnGenotypeJson } from '../nas/rnn/genotype/rnnGenotype';
import { rnnGenotypeFromJson, rnnGenotypeToJson } from '../nas/rnn/genotype/rnnGenotype';
import { RNN_DARTS_V2 } from '../nas/rnn/genotype/rnnPublishedGenotypes';
import { RNN_ACTIVATIONS } from '../nas/rnn/model/rnnPrimitives';
import type { RunSelector } from '../nas/runKind/runKind';
import type { Settings } from '../nas/runKind/settingsSchema';
import { Rng } from '../nas/tensor/random';
import { drawConvCell, drawRecurrentCell, poorConvCell, poorRecurrentCell } from './randomCells';

/** A cell as the experiment keeps it: the genotype JSON of its space. */
export type CellGenotype = GenotypeJson | RnnGenotypeJson;

/** The control cells an experiment may add. */
export const CONTROLS = ['DARTS_V2', 'poor'] as const;
export type ControlName = (typeof CONTROLS)[number];

export interface CellSpaceOf {
  readonly space: RunSelector['space'];
  /** `count` random cells of the space the search settings describe, the stream seeded. */
  randomCells(search: Settings, seed: number, count: number): CellGenotype[];
  /** A control cell (the poor one has the search's node count). */
  control(name: ControlName, search: Settings): CellGenotype;
  /** The genotype a search's done report gives (`detail.genotype`), validated. */
  searched(detail: unknown, kindTitle: string): CellGenotype;
  /** A cell as the retrain kind's `genotype` setting takes it. */
  setting(cell: CellGenotype, control?: ControlName): string;
  /** A cell in one short line for the report. */
  describe(cell: CellGenotype): string;
}

/** The whole number a search setting holds, or an error naming the kind's missing setting. */
function nodesOf(search: Settings): number {
  const nodes = search.nodes;
  if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 1) {
    throw new Error('the search kind has no nodes setting: its space cannot be drawn from');
  }
  return nodes;
}

/** The candidate ops a convolutional search setting lists (all DARTS's when it has none). */
function opsOf(search: Settings): OpName[] {
  const ops = search.ops;
  if (ops === undefined) return [...DARTS_PRIMITIVES];
  if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string' && isOpName(op))) {
    throw new Error('the search setting ops is not a list of op names');
  }
  return [...(ops as readonly OpName[])];
}

/** The genotype in the done report's detail, or an error saying the kind gave none. */
function detailGenotype(detail: unknown, kindTitle: string): unknown {
  const genotype =
    typeof detail === 'object' && detail !== null
      ? (detail as { genotype?: unknown }).genotype
      : undefined;
  if (genotype === undefined) throw new Error(`the ${kindTitle} reported no genotype when done`);
  return genotype;
}

const pairs = (genes: readonly (readonly [string, number])[]): string =>
  genes.map(([op, input]) => `${op}←${input}`).join(' ');

/** What differs between the spaces; the rest of `CellSpaceOf` is the same for both. */
interface SpaceParts {
  readonly space: RunSelector['space'];
  /** A drawer of random cells of the space the search settings describe. */
  readonly drawer: (search: Settings) => (rng: Rng) => CellGenotype;
  readonly poor: (nodes: number) => CellGenotype;
  /** The published DARTS_V2 cell of the space. */
  readonly dartsV2: CellGenotype;
  /** The space's genotype JSON, validated. */
  readonly parse: (value: unknown) => CellGenotype;
  readonly describe: (cell: CellGenotype) => string;
}

function cellSpace(parts: SpaceParts): CellSpaceOf {
  return {
    space: parts.space,
    randomCells(search, seed, count) {
      const draw = parts.drawer(search);
      const rng = Rng.fromSeed(seed);
      return Array.from({ length: count }, () => draw(rng));
    },
    control: (name, search) => (name === 'DARTS_V2' ? parts.dartsV2 : parts.poor(nodesOf(search))),
    searched: (detail, kindTitle) => parts.parse(detailGenotype(detail, kindTitle)),
    // The published cell by its name, which the retrain kinds know: their logs then name it.
    setting: (cell, control) => (control === 'DARTS_V2' ? control : JSON.stringify(cell)),
    describe: parts.describe,
  };
}

const CONV = cellSpace({
  space: 'cnn',
  drawer: (search) => {
    const space = { nodes: nodesOf(search), ops: opsOf(search) };
    return (rng) => drawConvCell(space, rng);
  },
  poor: poorConvCell,
  dartsV2: genotypeToJson(DARTS_V2),
  parse: (value) => genotypeToJson(genotypeFromJson(value)),
  describe: (cell) => {
    const g = cell as GenotypeJson;
    return `normal ${pairs(g.normal)}; reduce ${pairs(g.reduce)}`;
  },
});

const RECURRENT = cellSpace({
  space: 'rnn',
  drawer: (search) => {
    const space = { nodes: nodesOf(search), activations: RNN_ACTIVATIONS };
    return (rng) => drawRecurrentCell(space, rng);
  },
  poor: poorRecurrentCell,
  dartsV2: rnnGenotypeToJson(RNN_DARTS_V2),
  parse: (value) => rnnGenotypeToJson(rnnGenotypeFromJson(value)),
  describe: (cell) => `recurrent ${pairs((cell as RnnGenotypeJson).recurrent)}`,
});

/** The space of a search kind's selector. */
export function cellSpaceOf(space: RunSelector['space']): CellSpaceOf {
  return space === 'cnn' ? CONV : RECURRENT;
}

/** The reference texts written by scripts/fixtures/genotype_formats_ref.py. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GenotypeJson } from '../../src/nas/genotype/genotype';

export interface PublishedEntry {
  name: string;
  /** The statement as the upstream genotypes.py / CDARTS cells file writes it. */
  source: string;
  /** What Python evaluates the source to, genes flattened. */
  json: Omit<GenotypeJson, 'format' | 'version'>;
  /** Python's repr of the namedtuple, range(a, b) for a contiguous concat. */
  repr: string;
  /** NNI's json.dump(indent=2, sort_keys=True) text, or null where NNI cannot express it. */
  nni: string | null;
  /** CDARTS cells JSON (stage -> repr string), for the CDARTS cells only. */
  cellsJson?: string;
}

export interface GenotypeFormatsFixture {
  published: PublishedEntry[];
  variants: { source: string; json: Omit<GenotypeJson, 'format' | 'version'> }[];
  nni: { dartsV2: string; rawBoolDartsV2: string; oneShotDartsV2: string };
}

// Read directly (not through fixtures.ts, which loads tfjs): these tests need no tensors.
export const formatsFixture = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'genotypeFormats.json'), 'utf8'),
) as GenotypeFormatsFixture;

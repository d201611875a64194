/**
 * The retrain settings and what they make: the genotype a `genotype` value names or holds, the
 * retrain configuration for images of a given height (the paper preset's cutout is for 32-pixel
 * images), and the checks across fields, each problem naming its keys. No tfjs here: the kind's
 * descriptor (retrainKindInfo.ts) uses them.
 */
import { checkInputSize } from '../genotype/cellTopology';
import type { Genotype } from '../genotype/genotype';
import { importGenotypeText } from '../genotype/genotypeFormats';
import type { PublishedGenotypeName } from '../genotype/publishedGenotypes';
import { PUBLISHED_GENOTYPES } from '../genotype/publishedGenotypes';
import type { KeyPhrase } from '../runKind/configProblems';
import { keyedProblems } from '../runKind/configProblems';
import type { Settings } from '../runKind/settingsSchema';
import type { RetrainSettings } from './retrainKindInfo';
import type { RetrainConfig } from './retrainConfig';
import { PAPER_RETRAIN_CONFIG, validateRetrainConfig } from './retrainConfig';
import { sharedConfigOf } from '../runKind/convFields';

const NAMES = Object.keys(PUBLISHED_GENOTYPES) as PublishedGenotypeName[];

/** The published name `value` spells, ignoring case; null when it names none. */
function publishedGenotypeName(value: string): PublishedGenotypeName | null {
  return (
    NAMES.find((name) => name === value) ??
    NAMES.find((name) => name.toLowerCase() === value.toLowerCase()) ??
    null
  );
}

export interface ChosenGenotype {
  readonly genotype: Genotype;
  /** What to call it in messages: the published name, the name a repr assigns, or its format. */
  readonly label: string;
}

/** The genotype a `genotype` setting names (a published genotype) or holds (a file's text). */
export function resolveGenotypeSetting(value: string): ChosenGenotype {
  const name = publishedGenotypeName(value.trim());
  if (name !== null) return { genotype: PUBLISHED_GENOTYPES[name], label: name };
  if (value.trim() === '') {
    throw new Error(`genotype is empty: name a published genotype (${NAMES.join(', ')})`);
  }
  try {
    const imported = importGenotypeText(value);
    return {
      genotype: imported.genotype,
      label: imported.name ?? `a genotype (${imported.format})`,
    };
  } catch (e) {
    throw new Error(
      `genotype: not a published genotype (${NAMES.join(', ')}), and not a genotype text: ${(e as Error).message}`,
    );
  }
}

/**
 * The retrain configuration the settings describe for images `height` pixels high (unchecked:
 * `validateRetrainConfig` checks). With `scaleCutout`, the cutout side is for 32-pixel images.
 */
export function retrainConfigOf(s: RetrainSettings, height: number): RetrainConfig {
  return {
    ...PAPER_RETRAIN_CONFIG,
    ...sharedConfigOf(s),
    layers: s.layers,
    lr: s.lr,
    lrMin: s.lrMin,
    auxiliary: s.auxiliary,
    auxWeight: s.auxWeight,
    dropPathProb: s.dropPathProb,
    cutout: s.scaleCutout ? Math.round((s.cutout * height) / 32) : s.cutout,
  };
}

const PHRASES: readonly KeyPhrase[] = [
  ['minimum learning rate', 'lrMin'],
  ['learning rate', 'lr'],
  ['auxiliary loss weight', 'auxWeight'],
  ['drop path probability', 'dropPathProb'],
  ['cutout length', 'cutout'],
];

/** What `check` finds wrong across fields, each problem naming its keys. */
export function retrainSettingsProblems(settings: Settings): string[] {
  const s = settings as RetrainSettings;
  const problems = keyedProblems(() => resolveGenotypeSetting(s.genotype), []);
  problems.push(...keyedProblems(() => validateRetrainConfig(retrainConfigOf(s, 32)), PHRASES));
  if (s.images > 0 && s.images < s.batchSize) {
    problems.push(
      `images ${s.images} is fewer than batchSize ${s.batchSize}: a batch needs that many training images`,
    );
  }
  if (s.imageSize > 0) {
    problems.push(
      ...keyedProblems(
        () => checkInputSize(s.layers, s.imageSize, s.imageSize),
        [['image size', 'imageSize']],
      ),
    );
  }
  return problems;
}

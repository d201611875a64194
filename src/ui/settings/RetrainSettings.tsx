/**
 * A retrain's settings form: the kind's generated form without its genotype, which the panel's
 * own picker chooses (the search's genotype, a published one, a file), and the first problem
 * the kind's schema finds with the chosen genotype, which is why its Retrain button is disabled.
 */
import { useMemo } from 'react';
import type { Settings } from '../../nas/runKind/settingsSchema';
import type { SettingsProblems } from './labSettings';
import { settingsProblems } from './labSettings';
import { SettingsForm } from './SettingsForm';
import type { KindForm } from './useKindForm';

const PICKED = ['genotype'];

export interface RetrainSettings {
  /** The form's settings with the chosen genotype: what Retrain starts. */
  readonly settings: Settings;
  readonly problems: SettingsProblems;
  /** Why Retrain cannot start, or null. */
  readonly problem: string | null;
  /** A genotype is chosen (else the problem says to choose one, and is not shown). */
  readonly chosen: boolean;
}

/** The settings of a retrain of `genotype` (its text; null: none chosen yet). */
export function useRetrainSettings(form: KindForm, genotype: string | null): RetrainSettings {
  return useMemo(() => {
    const settings = genotype === null ? form.settings : { ...form.settings, genotype };
    const problems = settingsProblems(form.info, settings);
    const problem = genotype === null ? 'choose a genotype to retrain' : (problems.all[0] ?? null);
    return { settings, problems, problem, chosen: genotype !== null };
  }, [form.info, form.settings, genotype]);
}

export function RetrainSettingsForm({
  form,
  retrain,
  testId,
}: {
  readonly form: KindForm;
  readonly retrain: RetrainSettings;
  readonly testId: string;
}) {
  return (
    <>
      <SettingsForm
        {...form}
        problems={retrain.problems}
        namePrefix={`${form.info.id}-`}
        omit={PICKED}
      />
      {retrain.chosen && retrain.problem && (
        <p className="problem" role="status" data-testid={testId}>
          {retrain.problem}
        </p>
      )}
    </>
  );
}

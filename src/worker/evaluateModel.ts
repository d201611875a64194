/**
 * The lab's evaluation of a trained-model file (`nas-lab.trained-model`) on the built-in
 * held-out images: not a run (nothing steps), so the session hands the message here.
 */
import { toDevice } from '../data/deviceSplit';
import { genotypeToJson } from '../nas/genotype/genotype';
import { evaluateRetrainSplit } from '../nas/retrain/retrainLoop';
import {
  decodeTrainedModel,
  disposeTrainedModel,
  restoreTrainedModel,
} from '../nas/retrain/trainedModel';
import type { BackendSelection } from './backendChoice';
import { selectBackend } from './backendChoice';
import { LabFailure } from './errorMessages';
import { loadEmbeddedTestImages } from './labData';
import type { ToWorker } from './protocol';
import type { SessionHost } from './sessionHost';

/**
 * Evaluates the model in `message` and posts 'evaluated' (after 'backend'); `onBackend` learns
 * the backend chosen, for error messages. Throws what makes the file unusable here.
 */
export async function evaluateModelFile(
  message: Extract<ToWorker, { type: 'evaluateModel' }>,
  host: SessionHost,
  onBackend: (selection: BackendSelection) => void,
): Promise<void> {
  let decoded: ReturnType<typeof decodeTrainedModel>;
  try {
    decoded = decodeTrainedModel(new Uint8Array(message.bytes));
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(
      /^invalid trained model: /,
      '',
    );
    throw new LabFailure(`This file is not a NAS Lab trained model: ${reason}`);
  }
  const selection = await selectBackend(message.backend);
  onBackend(selection);
  host.post({ type: 'backend', backend: selection.backend, reason: selection.reason });
  if (decoded.normalization === null) {
    throw new Error(
      'this model was trained on synthetic images; the lab evaluates on the built-in Fashion-MNIST test images',
    );
  }
  if (decoded.data.channels !== 1 || decoded.data.numClasses !== 10) {
    throw new Error(
      `this model takes ${decoded.data.channels}-channel images in ${decoded.data.numClasses} classes; the built-in test images are 1-channel in 10 classes`,
    );
  }
  const { test } = await loadEmbeddedTestImages(message.testImages, decoded.data.height, () =>
    host.dataSource(message.dataUrl),
  );
  const model = restoreTrainedModel(decoded);
  const split = toDevice(test);
  try {
    const r = await evaluateRetrainSplit(model, split);
    host.post({
      type: 'evaluated',
      testLoss: r.loss,
      testAccuracy: r.accuracy,
      testImages: test.count,
      genotype: genotypeToJson(decoded.genotype),
      savedAccuracy: decoded.training.testAccuracy,
    });
  } finally {
    split.dispose();
    disposeTrainedModel(model);
  }
}

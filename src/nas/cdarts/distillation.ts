/**
 * CDARTS's distillation ("interactive") loss between the search network's ensemble logits (the
 * student) and the evaluation network's (the teacher), as NNI's `cdarts/trainer.py` and Cream's
 * `lib/models/loss.py` compute it:
 *
 * - `kl`: PyTorch's `KLDivLoss()(log_softmax(s/T), softmax(t/T))` with its default
 *   `reduction='mean'`, the mean over all elements (not over the batch), times T².
 *   Σ p·(log p − log q) / (rows · classes), p = softmax(t/T), q = softmax(s/T).
 * - `smoothl1`: `SmoothL1Loss()` (β = 1, mean over all elements) of the raw logits, times T².
 *
 * The teacher is not detached in either code base: gradients reach both networks.
 * The caller multiplies by loss_alpha.
 */
import * as tf from '../tensor/tf';
import type { InteractiveType } from './cdartsConfig';

function checkPair(student: tf.Tensor2D, teacher: tf.Tensor2D): void {
  if (student.shape[0] !== teacher.shape[0] || student.shape[1] !== teacher.shape[1]) {
    throw new Error(
      `distillation needs logits of one shape, got student ${JSON.stringify(student.shape)} and teacher ${JSON.stringify(teacher.shape)}`,
    );
  }
}

function checkTemperature(temperature: number): void {
  if (!Number.isFinite(temperature) || temperature <= 0) {
    throw new Error(`distillation temperature must be a positive number, got ${temperature}`);
  }
}

/** KLDivLoss(log_softmax(student/T), softmax(teacher/T)), mean over all elements, × T². */
export function klDistillation(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  checkPair(student, teacher);
  checkTemperature(temperature);
  return tf.tidy(() => {
    const logQ = tf.logSoftmax(tf.div(student, temperature));
    const logP = tf.logSoftmax(tf.div(teacher, temperature));
    const pointwise = tf.mul(tf.exp(logP), tf.sub(logP, logQ));
    return tf.mul(tf.mean(pointwise), temperature * temperature) as tf.Scalar;
  });
}

/** SmoothL1Loss(student, teacher) with β = 1, mean over all elements, × T². */
export function smoothL1Distillation(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  checkPair(student, teacher);
  checkTemperature(temperature);
  return tf.tidy(() => {
    // 0.5·d² for |d| < 1, |d| − 0.5 beyond: with q = min(|d|, 1), 0.5·q² + (|d| − q).
    const diff = tf.abs(tf.sub(student, teacher));
    const q = tf.minimum(diff, 1);
    const pointwise = tf.add(tf.mul(tf.square(q), 0.5), tf.sub(diff, q));
    return tf.mul(tf.mean(pointwise), temperature * temperature) as tf.Scalar;
  });
}

export function distillationLoss(
  type: InteractiveType,
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  switch (type) {
    case 'kl':
      return klDistillation(student, teacher, temperature);
    case 'smoothl1':
      return smoothL1Distillation(student, teacher, temperature);
    default:
      throw new Error(`unknown interactive type ${JSON.stringify(type)}; known: kl, smoothl1`);
  }
}

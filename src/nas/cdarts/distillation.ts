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

type Pointwise = (student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number) => tf.Tensor;

/** Each loss's elementwise term; the loss is its mean over all elements, times T². */
const POINTWISE: Readonly<Record<InteractiveType, Pointwise>> = {
  /** KLDivLoss(log_softmax(student/T), softmax(teacher/T)): p·(log p − log q). */
  kl: (student, teacher, temperature) => {
    const logQ = tf.logSoftmax(tf.div(student, temperature));
    const logP = tf.logSoftmax(tf.div(teacher, temperature));
    return tf.mul(tf.exp(logP), tf.sub(logP, logQ));
  },
  /** SmoothL1Loss(student, teacher) with β = 1. */
  smoothl1: (student, teacher) => {
    // 0.5·d² for |d| < 1, |d| − 0.5 beyond: with q = min(|d|, 1), 0.5·q² + (|d| − q).
    const diff = tf.abs(tf.sub(student, teacher));
    const q = tf.minimum(diff, 1);
    return tf.add(tf.mul(tf.square(q), 0.5), tf.sub(diff, q));
  },
};

export function distillationLoss(
  type: InteractiveType,
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  const pointwise = Object.hasOwn(POINTWISE, type) ? POINTWISE[type] : undefined;
  if (!pointwise) {
    throw new Error(`unknown interactive type ${JSON.stringify(type)}; known: kl, smoothl1`);
  }
  checkPair(student, teacher);
  checkTemperature(temperature);
  const t2 = temperature * temperature;
  return tf.tidy(() => tf.mul(tf.mean(pointwise(student, teacher, temperature)), t2) as tf.Scalar);
}

/** KLDivLoss(log_softmax(student/T), softmax(teacher/T)), mean over all elements, × T². */
export function klDistillation(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return distillationLoss('kl', student, teacher, temperature);
}

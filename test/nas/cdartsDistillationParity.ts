/**
 * CDARTS's distillation losses, ensemble logits and distillation head against PyTorch
 * (scripts/fixtures/cdarts_ref.py, test/fixtures/cdarts.json), with their gradients; run per
 * backend by cdartsDistillation.<backend>.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { InteractiveType } from '../../src/nas/cdarts/cdartsConfig';
import { distillHead, distillPoolWindow } from '../../src/nas/cdarts/network/distillHead';
import { distillationLoss, klDistillation } from '../../src/nas/cdarts/distillation';
import { ensembleLogits } from '../../src/nas/cdarts/network/ensembleLogits';
import type { TensorMap } from '../../src/nas/tensor/layer';
import { updatingContext } from '../../src/nas/ops/runningStats';
import * as tf from '../../src/nas/tensor/tf';
import type { TensorJson } from '../support/fixtures';
import { loadFixture, relativeError, toTensor, toTensorMap } from '../support/fixtures';

interface DistillationCase {
  type: InteractiveType;
  temperature: number;
  student: TensorJson;
  teacher: TensorJson;
  loss: number;
  gradStudent: TensorJson;
  gradTeacher: TensorJson;
}

interface EnsembleCase {
  type: InteractiveType;
  temperature: number;
  lossAlpha: number;
  studentExits: TensorJson[];
  teacherExits: TensorJson[];
  studentParam: TensorJson;
  teacherParam: TensorJson;
  studentEnsemble: TensorJson;
  teacherEnsemble: TensorJson;
  loss: number;
  gradStudentExits: TensorJson[];
  gradTeacherExits: TensorJson[];
  gradStudentParam: TensorJson;
  gradTeacherParam: TensorJson;
}

interface HeadCase {
  name: string;
  channels: number;
  widths: [number, number];
  classes: number;
  pool: { kernel: number; stride: number };
  input: TensorJson;
  params: Record<string, TensorJson>;
  upstream: TensorJson;
  logits: TensorJson;
  gradInput: TensorJson;
  gradParams: Record<string, TensorJson>;
  runningStats: Record<string, TensorJson>;
}

interface CdartsFixture {
  distillation: DistillationCase[];
  ensemble: EnsembleCase[];
  heads: HeadCase[];
}

const fixture = loadFixture<CdartsFixture>('cdarts.json');
/** The suites on the backend set up by the caller's beforeAll, at relative error `tol`. */
export function describeCdartsDistillationParity(backend: string, tol: number): void {
  describe(`distillation losses against PyTorch on ${backend}`, () => {
    for (const c of fixture.distillation) {
      it(`${c.type} at T = ${c.temperature}: value and gradients w.r.t. both logits`, async () => {
        const student = toTensor(c.student) as tf.Tensor2D;
        const teacher = toTensor(c.teacher) as tf.Tensor2D;
        const { value, grads } = tf.valueAndGrads((s: tf.Tensor, t: tf.Tensor) =>
          distillationLoss(c.type, s as tf.Tensor2D, t as tf.Tensor2D, c.temperature),
        )([student, teacher]);
        const loss = (await value.data())[0] as number;
        expect(Math.abs(loss - c.loss) / Math.abs(c.loss)).toBeLessThan(tol);
        expect(await relativeError(grads[0] as tf.Tensor, c.gradStudent)).toBeLessThan(tol);
        // The teacher is not detached: it receives a gradient too.
        expect(await relativeError(grads[1] as tf.Tensor, c.gradTeacher)).toBeLessThan(tol);
        tf.dispose([student, teacher, value, ...grads]);
      });
    }

    it('KL uses the mean over all elements, not over rows (KLDivLoss reduction "mean")', async () => {
      const c = fixture.distillation.find((d) => d.type === 'kl') as DistillationCase;
      const student = toTensor(c.student) as tf.Tensor2D;
      const teacher = toTensor(c.teacher) as tf.Tensor2D;
      const classes = c.student.shape[1] as number;
      const batchmean = tf.tidy(() => {
        const logQ = tf.logSoftmax(tf.div(student, c.temperature));
        const logP = tf.logSoftmax(tf.div(teacher, c.temperature));
        const rows = c.student.shape[0] as number;
        return tf.mul(
          tf.div(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ))), rows),
          c.temperature ** 2,
        );
      });
      const ours = klDistillation(student, teacher, c.temperature);
      const [b, o] = [(await batchmean.data())[0] as number, (await ours.data())[0] as number];
      expect(b / o).toBeCloseTo(classes, 4);
      tf.dispose([student, teacher, batchmean, ours]);
    });

    it('refuses logits of different shapes, a non-positive temperature and unknown types', () => {
      const a = tf.zeros([4, 3]) as tf.Tensor2D;
      const b = tf.zeros([4, 2]) as tf.Tensor2D;
      expect(() => distillationLoss('kl', a, b, 2)).toThrow(/one shape.*\[4,3\].*\[4,2\]/);
      expect(() => distillationLoss('smoothl1', a, a, 0)).toThrow(/temperature must be a positive/);
      expect(() => distillationLoss('mse' as InteractiveType, a, a, 2)).toThrow(
        /unknown interactive type "mse"/,
      );
      tf.dispose([a, b]);
    });
  });

  describe(`ensemble logits against PyTorch on ${backend}`, () => {
    for (const c of fixture.ensemble) {
      it(`concatenates the weighted exits and distils them (${c.type})`, async () => {
        const sExits = c.studentExits.map(toTensor);
        const tExits = c.teacherExits.map(toTensor);
        const sParam = toTensor(c.studentParam);
        const tParam = toTensor(c.teacherParam);
        const inputs = [...sExits, ...tExits, sParam, tParam];
        let ensembles: tf.Tensor[] = [];
        const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
          const exits = (from: number) =>
            xs.slice(from, from + 3) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const student = ensembleLogits(exits(0), xs[6] as tf.Tensor);
          const teacher = ensembleLogits(exits(3), xs[7] as tf.Tensor);
          ensembles = [tf.keep(student), tf.keep(teacher)];
          return tf.mul(distillationLoss(c.type, student, teacher, c.temperature), c.lossAlpha);
        })(inputs);
        expect(await relativeError(ensembles[0] as tf.Tensor, c.studentEnsemble)).toBeLessThan(tol);
        expect(await relativeError(ensembles[1] as tf.Tensor, c.teacherEnsemble)).toBeLessThan(tol);
        const loss = (await value.data())[0] as number;
        expect(Math.abs(loss - c.loss) / Math.abs(c.loss)).toBeLessThan(tol);
        const expected = [
          ...c.gradStudentExits,
          ...c.gradTeacherExits,
          c.gradStudentParam,
          c.gradTeacherParam,
        ];
        for (const [i, g] of expected.entries()) {
          expect(await relativeError(grads[i] as tf.Tensor, g)).toBeLessThan(tol);
        }
        tf.dispose([...inputs, ...ensembles, value, ...grads]);
      });
    }

    it('refuses an ensemble weight that is not a vector of three', () => {
      const exit = tf.zeros([2, 3]) as tf.Tensor2D;
      const weight = tf.zeros([2]);
      expect(() => ensembleLogits([exit, exit, exit], weight)).toThrow(/shape \[3\], got \[2\]/);
      tf.dispose([exit, weight]);
    });
  });

  describe(`distillation head against PyTorch DistillHeadCIFAR(bn_affine=False) on ${backend}`, () => {
    for (const c of fixture.heads) {
      it(c.name, async () => {
        const [, size] = c.input.shape as [number, number];
        expect(distillPoolWindow(size)).toEqual(c.pool);
        const head = distillHead({
          prefix: 'heads.0',
          inChannels: c.channels,
          numClasses: c.classes,
          widths: c.widths,
        });
        expect(head.params.map((p) => p.name).sort()).toEqual(
          Object.keys(c.params)
            .map((k) => `heads.0.${k}`)
            .sort(),
        );
        const params = toTensorMap(c.params, 'heads.0.');
        const names = Object.keys(params);
        const buffers: Record<string, tf.Variable> = {};
        for (const b of head.buffers) {
          const init = b.name.endsWith('runningVar')
            ? tf.ones(b.shape as number[])
            : tf.zeros(b.shape as number[]);
          buffers[b.name] = tf.variable(init, false);
          init.dispose();
        }
        const ctx = updatingContext(buffers);
        const x = toTensor(c.input) as tf.Tensor4D;
        const upstream = toTensor(c.upstream);
        let logits: tf.Tensor | null = null;
        const { grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => {
          const weights: TensorMap = Object.fromEntries(
            names.map((n, i) => [n, xs[i + 1] as tf.Tensor]),
          );
          const out = head.apply(xs[0] as tf.Tensor4D, weights, ctx);
          logits = tf.keep(out);
          return tf.sum(tf.mul(out, upstream));
        })([x, ...names.map((n) => params[n] as tf.Tensor)]);
        expect(await relativeError(logits as unknown as tf.Tensor, c.logits)).toBeLessThan(tol);
        expect(await relativeError(grads[0] as tf.Tensor, c.gradInput)).toBeLessThan(tol);
        for (const [i, n] of names.entries()) {
          const expected = c.gradParams[n.slice('heads.0.'.length)] as TensorJson;
          expect(await relativeError(grads[i + 1] as tf.Tensor, expected)).toBeLessThan(tol);
        }
        for (const [k, expected] of Object.entries(c.runningStats)) {
          expect(await relativeError(buffers[`heads.0.${k}`] as tf.Tensor, expected)).toBeLessThan(
            tol,
          );
        }
        tf.dispose([
          x,
          upstream,
          logits as unknown as tf.Tensor,
          ...grads,
          ...Object.values(params),
        ]);
        tf.dispose(Object.values(buffers));
      });
    }

    it('refuses a 1-pixel map', () => {
      expect(() => distillPoolWindow(1)).toThrow(/at least 2×2, got 1 pixels/);
    });
  });
}

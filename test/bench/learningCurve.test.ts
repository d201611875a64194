/**
 * The first-minutes benchmark's reading of a log: the alphas' spread off uniform (normalised
 * entropy, strongest op) and the last finished epoch's validation at each minute mark, from
 * the lines a search writes; marks the run did not reach are left out.
 */
import { describe, expect, it } from 'vitest';
import { learningCurve } from '../../bench/learningCurve';
import { alphaSpread } from '../../src/nas/runKind/alphaSpread';

const step = (step: number, seconds: number, softmax: number[][]) =>
  JSON.stringify({
    type: 'step',
    step,
    epoch: 0,
    elapsedMs: seconds * 1000,
    alphas: [{ softmax }],
  });
const epoch = (step: number, valAccuracy: number) =>
  JSON.stringify({ type: 'epoch', step, epoch: 0, metrics: { valAccuracy } });

describe('the learning curve of a log', () => {
  it('measures how far the alphas moved off uniform', () => {
    expect(alphaSpread([{ softmax: [[0.25, 0.25, 0.25, 0.25]] }])).toEqual({
      entropy: 1,
      strongest: 0.25,
    });
    const sharp = alphaSpread([{ softmax: [[1, 0]] }, { softmax: [[0.5, 0.5]] }]);
    expect(sharp.entropy).toBeCloseTo(0.5, 12);
    expect(sharp.strongest).toBeCloseTo(0.75, 12);
  });

  it('takes the last step and the last finished epoch by each minute, and only minutes reached', () => {
    const lines = [
      JSON.stringify({ type: 'config' }),
      step(1, 30, [[0.5, 0.5]]),
      step(2, 59, [[0.6, 0.4]]),
      epoch(2, 0.3),
      step(3, 61, [[0.9, 0.1]]),
      epoch(3, 0.5),
      step(4, 121, [[1, 0]]),
      '',
    ];
    const rows = learningCurve(lines, [60, 120, 180], 'valAccuracy');
    expect(rows.map((r) => [r.seconds, r.step, r.validation])).toEqual([
      [60, 2, 0.3],
      [120, 3, 0.5],
    ]);
    expect(rows[0]?.strongestOp).toBeCloseTo(0.6, 12);
  });
});

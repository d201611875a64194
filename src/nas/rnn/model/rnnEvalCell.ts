/**
 * The recurrent cell of a genotype (`rnn/model.py` DARTSCell), for retraining: s₀ as
 * in the search cell without BatchNorm, then node i reads the one state its gene names,
 *   [c | h̃] = (s_pred ⊙ m_h) · W_i,   s_{i+1} = s_pred + σ(c) ⊙ (f_i(h̃) − s_pred),
 * and the output is the mean of the genotype's concat states.
 */
import * as tf from '../../tensor/tf';
import { applyActivation } from './rnnActivations';
import type { RecurrentCell, RnnStep } from './rnnCell';
import { cellParams, cellWeights, checkCellSizes, gateAndCandidate, initialState } from './rnnCell';
import type { RnnGenotype } from '../genotype/rnnGenotype';
import { rnnGenotypeFromJson } from '../genotype/rnnGenotype';
import { sumAll } from '../../tensor/tensorSum';

export interface RnnEvalCellSpec {
  readonly ninp: number;
  readonly nhid: number;
  readonly genotype: RnnGenotype;
  /** Parameter name prefix (default `cell`). */
  readonly prefix?: string;
}

export interface RnnEvalCell extends RecurrentCell {
  readonly genotype: RnnGenotype;
}

export function rnnEvalCell(spec: RnnEvalCellSpec): RnnEvalCell {
  const { ninp, nhid } = spec;
  const prefix = spec.prefix ?? 'cell';
  checkCellSizes(ninp, nhid);
  // Validated again: a genotype built in code never went through the JSON checks.
  const genotype = rnnGenotypeFromJson({
    recurrent: spec.genotype.recurrent,
    concat: spec.genotype.concat,
  });
  const nodes = genotype.recurrent.length;
  return {
    ninp,
    nhid,
    genotype,
    params: cellParams(prefix, ninp, nhid, nodes),
    buffers: [],
    searchable: false,
    bind(weights, _alpha, _ctx, masks): RnnStep {
      const { w0, ws } = cellWeights(weights, prefix, nodes);
      return (x, hPrev) => {
        const states: tf.Tensor2D[] = [initialState(x, hPrev, w0, nhid, masks)];
        genotype.recurrent.forEach(([op, pred], i) => {
          const sPrev = states[pred] as tf.Tensor2D;
          const read = masks.h ? tf.mul(sPrev, masks.h) : sPrev;
          const { c, h } = gateAndCandidate(read as tf.Tensor2D, ws[i] as tf.Tensor2D, nhid);
          states.push(tf.add(sPrev, tf.mul(c, tf.sub(applyActivation(op, h), sPrev))));
        });
        const out = sumAll(genotype.concat.map((j) => states[j] as tf.Tensor2D));
        return tf.div(out, genotype.concat.length);
      };
    },
  };
}

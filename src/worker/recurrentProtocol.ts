/**
 * The recurrent (DARTS RNN) part of the page ↔ worker protocol: the lab's recurrent settings.
 * Plain data, structured-clone friendly.
 */

/** Which DARTS search space the lab searches: CNN cells on images or an RNN cell on text. */
export type SearchSpace = 'convolutional' | 'recurrent';

/** The recurrent search settings the lab exposes (`rnn/train_search.py`'s names in comments). */
export interface LabRecurrentSettings {
  /** Hidden = embedding size (--emsize = --nhid = --nhidlast). */
  readonly nhid: number;
  /** Segment length of truncated backpropagation through time (--bptt). */
  readonly bptt: number;
  /** --batch_size. */
  readonly batchSize: number;
  readonly epochs: number;
  /** SGD learning rate of the weights (--lr). */
  readonly lr: number;
  /** Adam learning rate of the alphas (--arch_lr). */
  readonly alphaLr: number;
  /**
   * DARTS's order choice: 1 first order, 2 the unrolled alpha gradient (--unrolled). Absent in
   * settings written before the choice existed: first order.
   */
  readonly order?: 1 | 2;
  /** Words or characters as tokens. */
  readonly level: 'word' | 'char';
  /** Most frequent tokens kept (with <eos> and <unk>); the rest become <unk>. */
  readonly maxVocabulary: number;
  /** The first this many tokens of the training text train the weights. */
  readonly trainTokens: number;
  /** The first this many tokens of the validation text train the alphas and are evaluated. */
  readonly validTokens: number;
  readonly seed: number;
}

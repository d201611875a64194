/**
 * What each panel of the lab shows, in words for people who have not read the DARTS paper: the
 * text behind each panel's "?" (layout/Panel.tsx). Kept together so that the explanations read
 * as one voice and the panels stay about drawing.
 */
import type { ReactNode } from 'react';

export interface SearchPanelHelp {
  readonly cells: ReactNode;
  readonly alphas: ReactNode;
  readonly metrics: ReactNode;
  readonly genotype: ReactNode;
  readonly history: ReactNode;
}

const CNN: SearchPanelHelp = {
  cells: (
    <p>
      The cells DARTS would pick if the search stopped now. Each intermediate node keeps its two
      strongest incoming edges (never <code>none</code>); c<sub>k-2</sub> and c<sub>k-1</sub> are
      the outputs of the two previous cells, c<sub>k</sub> concatenates the nodes. The normal cell
      keeps the image size, the reduction cell halves it. Drag the timeline to see an earlier step.
      Colours name the operations everywhere in the lab.
    </p>
  ),
  alphas: (
    <p>
      Every edge (row) mixes all candidate operations (columns) by the softmax of its alphas; the
      number is the operation&apos;s share in percent. Pale squares are near the uniform share; full
      colour means at least twice the uniform share. The outlined square is the operation the edge
      would keep. &ldquo;As a table&rdquo; lists the same numbers.
    </p>
  ),
  metrics: (
    <p>
      Training loss and accuracy of the one-shot network (the weights&apos; step) and on held-out
      validation data (the alphas&apos; step), with each epoch&apos;s evaluation. Faint lines are
      the raw values; the smoothing slider sets the bold lines&apos; exponential moving average.
    </p>
  ),
  genotype: (
    <p>
      The derived cells as text: DARTS&apos;s <code>Genotype</code> (as in{' '}
      <code>cnn/genotypes.py</code>), this lab&apos;s JSON or NNI&apos;s. Download it to retrain it
      here (the Retrain view) or in PyTorch.
    </p>
  ),
  history: (
    <p>
      One small chart per edge: how the softmax of its alphas moved over the steps, one band per
      operation, and the operation it keeps with its share. Drawn only while unfolded.
    </p>
  ),
};

const RNN: SearchPanelHelp = {
  cells: (
    <p>
      The recurrent cell DARTS would pick now: each node takes one earlier node through one
      activation (the strongest but <code>none</code>); the cell&apos;s output averages the nodes,
      as in <code>rnn/model.py</code>. Drag the timeline to see an earlier step.
    </p>
  ),
  alphas: CNN.alphas,
  metrics: (
    <p>
      Perplexity and loss (negative log-likelihood per token) on the training text and, for the
      alphas&apos; step, on the validation text. Lower is better. Faint lines are the raw values.
    </p>
  ),
  genotype: (
    <p>
      The derived cell as text: DARTS&apos;s <code>Genotype(recurrent=…, concat=…)</code> (as in{' '}
      <code>rnn/genotypes.py</code>) or this lab&apos;s JSON, to retrain it.
    </p>
  ),
  history: CNN.history,
};

export const PANEL_HELP: Readonly<Record<'cnn' | 'rnn', SearchPanelHelp>> = { cnn: CNN, rnn: RNN };

export const RETRAIN_HELP: ReactNode = (
  <p>
    Trains a fixed genotype from scratch as an ordinary network (<code>cnn/train.py</code>,{' '}
    <code>rnn/train.py</code>): the search&apos;s current cells, a published genotype or one from a
    file. The charts follow the training; the test accuracy comes at the end. A trained model
    downloads and can be evaluated again.
  </p>
);

export const SETTINGS_HELP: ReactNode = (
  <p>
    What the search runs. The first settings are the ones that matter most; each group unfolds more.
    Every setting&apos;s &ldquo;i&rdquo; says what it means, its name in DARTS or NNI and its
    default in each preset. The address bar keeps the settings: copy it to share the run.
  </p>
);

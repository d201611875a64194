/** The candidate activations of a recurrent edge as tensor functions (`DARTSCell._get_activation`). */
import * as tf from '../../tensor/tf';
import type { RnnActivationName } from './rnnPrimitives';

export function applyActivation<T extends tf.Tensor>(name: RnnActivationName, x: T): T {
  switch (name) {
    case 'tanh':
      return tf.tanh(x);
    case 'relu':
      return tf.relu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'identity':
      return x;
    default:
      throw new Error(`no activation named ${JSON.stringify(name)}`);
  }
}

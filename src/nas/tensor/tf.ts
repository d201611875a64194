/**
 * The one entry point of the core to TensorFlow.js. tfjs-core alone registers no gradients,
 * and its ESM subpath `dist/register_all_gradients` cannot be imported by Node, so the core
 * imports the union package once for its side effect (it registers every gradient, in Node
 * and in bundlers alike) and otherwise uses tfjs-core's functional API only. Which backend
 * runs is the host's choice (worker, CLI, tests), never the core's.
 */
import '@tensorflow/tfjs';

export * from '@tensorflow/tfjs-core';

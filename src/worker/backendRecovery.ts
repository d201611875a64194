/**
 * After a lost GPU device: a fresh instance of the same backend (tfjs keeps one instance per
 * backend name, bound to the lost device), else the next backend in the usual order.
 */
import * as tf from '../nas/tensor/tf';
import type { BackendSelection } from './backendChoice';
import { backendsAfter, selectFirst } from './backendChoice';

/** Replaces the backend's instance by a new one from its factory; false if that fails. */
export async function recreateBackend(name: string): Promise<boolean> {
  const factory = tf.findBackendFactory(name);
  if (!factory) return false;
  try {
    tf.removeBackend(name);
    tf.registerBackend(name, factory);
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** The backend to go on with after `lost` lost its device, and why. */
export async function backendAfterLoss(lost: string): Promise<BackendSelection> {
  if (await recreateBackend(lost)) {
    return {
      backend: lost,
      reason: `${lost} restarted on a new device after the old one was lost`,
    };
  }
  const next = await selectFirst(backendsAfter(lost), false);
  return {
    backend: next.backend,
    reason: `the ${lost} device was lost and could not be recreated; fell back to ${next.backend}`,
  };
}

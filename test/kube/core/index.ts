/**
 * What every part of the emulator shares: the JSON shapes of Kubernetes objects, API errors as metav1.Status, and
 * the clock.
 */
export { type Clock, microTimestamp, systemClock, timestamp } from './clock.ts';
export {
  ApiError,
  Errors,
  type GroupResource,
  qualified,
  type Status,
  type StatusCause,
  type StatusDetails,
} from './errors.ts';
export {
  clone,
  getPath,
  isPlainObject,
  type Json,
  jsonEqual,
  type KubeObject,
  type ManagedFieldsEntry,
  type ObjectMeta,
  type OwnerReference,
} from './types.ts';

/**
 * The control loops the emulator runs beside the API: CRD serving and cleanup, namespaces (default ServiceAccount,
 * deletion), the garbage collector, and the Job controller (with TTL after finished). Each reacts to store events
 * through a work queue and writes through the same API semantics as clients.
 */
export { CrdController } from './crd.ts';
export { recordEvent } from './events.ts';
export { GarbageCollector } from './gc.ts';
export { buildPod, JobController, type JobControllerOptions } from './job.ts';
export { formatIndexes, parseIndexes } from './job-indexes.ts';
export {
  decideJob,
  FAILURE_COUNT_ANNOTATION,
  INDEX_ANNOTATION,
  type JobInput,
  type JobPlan,
  TRACKING_FINALIZER,
} from './job-logic.ts';
export { matchFailurePolicy } from './job-policy.ts';
export { NamespaceController } from './namespace.ts';
export { deleteQuietly, type Logger, mutate, silentLogger, WorkQueue } from './runtime.ts';

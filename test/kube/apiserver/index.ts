/**
 * The API's semantics, independent of HTTP: create, get, list, watch, update, patch (JSON, merge, strategic,
 * server-side apply), delete with propagation and graceful deletion, and the admission chain. The HTTP layer and the
 * emulator's controllers both go through these functions.
 */
export { type Deps, type FieldValidation, internalContext, type WriteContext } from './context.ts';
export {
  type DeleteOptions,
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  type Propagation,
  parseDeleteOptions,
  remove,
} from './delete.ts';
export { pendingFinalizers, readyToRemove, specChanged } from './objects.ts';
export {
  type ListOptions,
  type ListResult,
  list,
  type Matcher,
  matcher,
  translate,
  type WatchEvent,
  type WatchEventType,
  type WatchOptions,
  watch,
} from './reads.ts';
export { checkNamespace, commit, create, get, type PatchType, patch, update } from './writes.ts';

/** What a write needs besides the object: who writes, how unknown fields are handled, dry run, and the warnings out. */
import type { Clock } from '../core/index.ts';
import type { Registry } from '../registry/index.ts';
import type { Store } from '../store/index.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteContext {
  /** The field manager recorded in managedFields (fieldManager parameter or the user agent). */
  manager: string;
  /** Whether the client named the manager (server-side apply requires it). */
  explicitManager?: boolean;
  fieldValidation: FieldValidation;
  dryRun: boolean;
  /** Warnings for the `Warning` response header (299 "..."), appended by the write. */
  warnings: string[];
}

export interface Deps {
  store: Store;
  registry: Registry;
  clock: Clock;
}

/** A write context for the emulator's own controllers. */
export function internalContext(manager: string): WriteContext {
  return { manager, fieldValidation: 'Ignore', dryRun: false, warnings: [] };
}

import { checkpointKeys } from '../output/index.ts';
import {
  type Clock,
  checkKey,
  jsonBytes,
  mapLimit,
  ObjectNotFoundError,
  readJson,
  readJsonIfExists,
  type Store,
  sha256Hex,
  systemClock,
} from '../storage/index.ts';
import { CheckpointError } from './errors.ts';

/** What the model code hands over: its state serialised into named files plus JSON metadata. */
export interface Checkpoint {
  step: number;
  metadata: unknown;
  files: Record<string, Uint8Array>;
}

/** The `COMMITTED` marker of a checkpoint: written after every file, it is what makes the checkpoint exist. */
export interface CheckpointMarker {
  step: number;
  committedAt: string;
  files: Record<string, { bytes: number; sha256: string }>;
  metadataSha256: string;
}

/**
 * A dataset job's claim on a step (`holds/<id>.json`): retention keeps a held step, whatever `keep` says, while the
 * hold is live. A trainer that goes on past a step a dataset job is still sampling from would otherwise delete it
 * under that job. A hold is a lease: its holder renews it while it works and releases it when done, and one not
 * renewed for `holdTtlMs` (a job that failed for good or was deleted) no longer holds anything.
 */
export interface CheckpointHold {
  step: number;
  /** Who holds it: the dataset job's output URI. */
  holder: string;
  heldAt: string;
}

/** Written into a step folder by retention before it reads the holds a last time: a holder that sees it stays off. */
const PRUNING = 'PRUNING';

/** How long a hold lasts without renewal; dataset jobs renew theirs far more often (see worker/stages). */
export const HOLD_TTL_MS = 7 * 24 * 3600_000;

/** The `latest` pointer. */
interface LatestPointer {
  step: number;
  dir: string;
}

export interface CheckpointRef {
  step: number;
  /** Full URI of the checkpoint's folder. */
  uri: string;
  marker: CheckpointMarker;
}

export interface CheckpointStoreOptions {
  clock?: Clock;
  /** Checkpoints kept by retention (spec.training.keepCheckpoints); at least 1. */
  keep?: number;
  /** Files written at once. */
  concurrency?: number;
  /** Holds older than this are ignored by retention (default HOLD_TTL_MS). */
  holdTtlMs?: number;
  /** Told when retention is skipped for a save (the holds could not be read): the trainer logs it. */
  onWarning?: (message: string) => void;
}

const RESERVED = new Set(['metadata.json', 'COMMITTED', PRUNING]);

/**
 * Checkpoints in a folder of any store. A save writes the files and `metadata.json`, then the `COMMITTED` marker
 * (sizes and sha256 of everything), then the `latest` pointer — each a single atomic put — and finally deletes all but
 * the newest `keep` checkpoints (marker first, so a half-deleted one is never taken as committed). A process killed at
 * any point leaves `latest` on the previous committed checkpoint; the torn folder is overwritten by the next save of
 * that step or removed by retention.
 */
export class CheckpointStore {
  private readonly clock: Clock;
  private readonly keep: number;

  constructor(
    private readonly store: Store,
    private readonly opts: CheckpointStoreOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.keep = Math.max(1, opts.keep ?? 3);
  }

  async save(ckpt: Checkpoint): Promise<CheckpointRef> {
    checkCheckpoint(ckpt);
    const existing = await this.marker(ckpt.step);
    if (existing) {
      // Saved before and killed before (or after) the pointer moved: the state of a step is the same, finish the job.
      await this.pointLatest(ckpt.step);
      return this.ref(existing);
    }
    const entries = Object.entries(ckpt.files);
    await mapLimit(entries, this.opts.concurrency ?? 4, ([name, bytes]) =>
      this.store.put(checkpointKeys.file(ckpt.step, name), bytes),
    );
    const metadata = jsonBytes(ckpt.metadata);
    await this.store.put(checkpointKeys.metadata(ckpt.step), metadata, { contentType: 'application/json' });
    const marker: CheckpointMarker = {
      step: ckpt.step,
      committedAt: new Date(this.clock.now()).toISOString(),
      files: Object.fromEntries(entries.map(([name, b]) => [name, { bytes: b.byteLength, sha256: sha256Hex(b) }])),
      metadataSha256: sha256Hex(metadata),
    };
    await this.store.delete(checkpointKeys.file(ckpt.step, PRUNING)); // left by a retention killed mid-way
    await this.store.put(checkpointKeys.marker(ckpt.step), jsonBytes(marker), { contentType: 'application/json' });
    await this.pointLatest(ckpt.step);
    // The checkpoint is committed and latest: a retention that fails (storage trouble) is retried by the next save.
    await this.prune().catch((err: unknown) =>
      this.opts.onWarning?.(`checkpoint retention failed; the next save retries it (${(err as Error).message})`),
    );
    return this.ref(marker);
  }

  /** The checkpoint `latest` points at, or the newest committed one when the pointer is missing; undefined if none. */
  async latest(): Promise<CheckpointRef | undefined> {
    const pointer = await readJsonIfExists<LatestPointer>(this.store, checkpointKeys.latest);
    const marker = pointer ? await this.marker(pointer.step) : undefined;
    if (marker) return this.ref(marker);
    const steps = await this.committedSteps();
    const newest = steps.at(-1);
    return newest === undefined ? undefined : this.ref((await this.marker(newest))!);
  }

  /** Loads a committed checkpoint (the latest by default), verifying every file against its marker. */
  async load(step?: number): Promise<Checkpoint> {
    const ref = step === undefined ? await this.latest() : await this.committedRef(step);
    if (!ref)
      throw new CheckpointError(
        this.store.root,
        `no committed checkpoint${step === undefined ? '' : ` at step ${step}`}`,
      );
    const files: Record<string, Uint8Array> = {};
    await mapLimit(Object.entries(ref.marker.files), this.opts.concurrency ?? 4, async ([name, want]) => {
      const bytes = await this.store.get(checkpointKeys.file(ref.step, name));
      if (bytes.byteLength !== want.bytes || sha256Hex(bytes) !== want.sha256) {
        throw new CheckpointError(this.store.uri(checkpointKeys.file(ref.step, name)), 'checksum mismatch');
      }
      files[name] = bytes;
    });
    const metadata = await this.store.get(checkpointKeys.metadata(ref.step));
    if (sha256Hex(metadata) !== ref.marker.metadataSha256) {
      throw new CheckpointError(this.store.uri(checkpointKeys.metadata(ref.step)), 'checksum mismatch');
    }
    return { step: ref.step, metadata: JSON.parse(Buffer.from(metadata).toString('utf8')), files };
  }

  /** The committed checkpoint of a step, or undefined (missing, or torn by a kill). */
  async committedRef(step: number): Promise<CheckpointRef | undefined> {
    const marker = await this.marker(step);
    return marker && this.ref(marker);
  }

  /** Steps of the committed checkpoints, ascending. */
  async committedSteps(): Promise<number[]> {
    const steps: number[] = [];
    for (const [step, keys] of await this.folders()) if (keys.has('COMMITTED')) steps.push(step);
    return steps.sort((a, b) => a - b);
  }

  /** Keeps `step` from retention while the hold is live; holding again renews it or moves the holder's claim. */
  async hold(step: number, holder: string): Promise<void> {
    const hold: CheckpointHold = { step, holder, heldAt: new Date(this.clock.now()).toISOString() };
    await this.store.put(checkpointKeys.hold(holderId(holder)), jsonBytes(hold), { contentType: 'application/json' });
  }

  async release(holder: string): Promise<void> {
    await this.store.delete(checkpointKeys.hold(holderId(holder)));
  }

  /** The live holds on this store's steps (expired ones left out). See readHolds. */
  async holds(): Promise<CheckpointHold[]> {
    return (await this.readHolds()).live;
  }

  /**
   * The holds, live and expired (keys). A file that does not parse as a hold with a step and a time holds nothing:
   * a stray file must not stop training, nor hold a step for ever. A hold that cannot be read at all throws.
   */
  private async readHolds(): Promise<{ live: CheckpointHold[]; expired: string[] }> {
    const live: CheckpointHold[] = [];
    const expired: string[] = [];
    const oldest = this.clock.now() - (this.opts.holdTtlMs ?? HOLD_TTL_MS);
    for await (const o of this.store.list(checkpointKeys.holds)) {
      let hold: Partial<CheckpointHold> | null;
      try {
        hold = JSON.parse(Buffer.from(await this.store.get(o.key)).toString('utf8')) as Partial<CheckpointHold> | null;
      } catch (err) {
        if (err instanceof SyntaxError || err instanceof ObjectNotFoundError) continue;
        throw err;
      }
      const heldAt = Date.parse(String(hold?.heldAt));
      if (!hold || !Number.isInteger(hold.step) || !Number.isFinite(heldAt)) continue;
      if (heldAt < oldest) expired.push(o.key);
      else live.push(hold as CheckpointHold);
    }
    return { live, expired };
  }

  /**
   * Deletes every checkpoint folder except the newest `keep` committed ones and the held ones (torn folders
   * included), and expired holds. A hold written while this runs is not missed: each doomed step first gets a
   * PRUNING mark, then the holds are read again, and only steps still unheld are deleted (marker first). A holder
   * holds first and then checks for the marker and the mark (holdStep), so one of the two always sees the other.
   * A retention killed mid-way leaves marks that the next one settles; a held step never loses its marker.
   */
  async prune(): Promise<number[]> {
    let holds: Awaited<ReturnType<CheckpointStore['readHolds']>>;
    try {
      holds = await this.readHolds();
    } catch (err) {
      this.opts.onWarning?.(`checkpoint retention skipped: the holds cannot be read (${(err as Error).message})`);
      return [];
    }
    const held = (h: { live: CheckpointHold[] }) => new Set(h.live.map((x) => x.step));
    const latest = (await this.committedSteps()).slice(-this.keep);
    const folders = await this.folders();
    const keepSteps = new Set([...latest, ...held(holds)]);
    // A mark left by a retention killed mid-way on a step that is kept now (held since) is taken back.
    for (const [step, keys] of folders) {
      if (keepSteps.has(step) && keys.has(PRUNING)) await this.store.delete(checkpointKeys.file(step, PRUNING));
    }
    const doomed = [...folders].filter(([step]) => !keepSteps.has(step));
    if (doomed.length === 0) return [];
    for (const [step] of doomed) await this.store.put(checkpointKeys.file(step, PRUNING), '');
    let heldNow: Set<number>;
    try {
      heldNow = held(await this.readHolds());
    } catch (err) {
      // Unsure what is held now: delete nothing; the marks are settled by the next retention.
      this.opts.onWarning?.(`checkpoint retention skipped: the holds cannot be read (${(err as Error).message})`);
      return [];
    }
    const deleted: number[] = [];
    for (const [step, keys] of doomed) {
      if (heldNow.has(step)) {
        await this.store.delete(checkpointKeys.file(step, PRUNING));
        continue;
      }
      if (keys.has('COMMITTED')) await this.store.delete(checkpointKeys.marker(step));
      const rest = [...keys].filter((k) => k !== 'COMMITTED' && k !== PRUNING);
      await mapLimit(rest, 16, (k) => this.store.delete(checkpointKeys.file(step, k)));
      await this.store.delete(checkpointKeys.file(step, PRUNING));
      deleted.push(step);
    }
    await mapLimit(holds.expired, 16, (k) => this.store.delete(k));
    return deleted;
  }

  /**
   * Holds the committed step `step` for `holder`, or says it is gone or going. Hold first, check second: against
   * prune's mark-then-reread-holds, a step this returns true for is not deleted while the hold lives.
   */
  async holdStep(step: number, holder: string): Promise<boolean> {
    await this.hold(step, holder);
    const usable = (await this.committedRef(step)) && !(await this.store.exists(checkpointKeys.file(step, PRUNING)));
    if (usable) return true;
    await this.release(holder);
    return false;
  }

  private async folders(): Promise<Map<number, Set<string>>> {
    const out = new Map<number, Set<string>>();
    for await (const o of this.store.list('')) {
      const slash = o.key.indexOf('/');
      const step = slash < 0 ? undefined : checkpointKeys.stepOf(o.key.slice(0, slash));
      if (step === undefined) continue;
      const set = out.get(step) ?? new Set<string>();
      out.set(step, set.add(o.key.slice(slash + 1)));
    }
    return out;
  }

  private async pointLatest(step: number): Promise<void> {
    const pointer: LatestPointer = { step, dir: checkpointKeys.dir(step) };
    await this.store.put(checkpointKeys.latest, jsonBytes(pointer), { contentType: 'application/json' });
  }

  private async marker(step: number): Promise<CheckpointMarker | undefined> {
    return readJsonIfExists<CheckpointMarker>(this.store, checkpointKeys.marker(step));
  }

  private ref(marker: CheckpointMarker): CheckpointRef {
    return { step: marker.step, uri: this.store.uri(checkpointKeys.dir(marker.step)), marker };
  }
}

/** A holder's key: its URI may hold any character, a key may not. */
function holderId(holder: string): string {
  return sha256Hex(new TextEncoder().encode(holder)).slice(0, 24);
}

function checkCheckpoint(ckpt: Checkpoint): void {
  if (!Number.isInteger(ckpt.step) || ckpt.step < 0) throw new RangeError(`checkpoint step ${ckpt.step} is not ≥ 0`);
  for (const name of Object.keys(ckpt.files)) {
    checkKey(name);
    if (RESERVED.has(name)) throw new RangeError(`checkpoint file name ${name} is reserved`);
  }
}

/** Reads a marker directly, e.g. to report a checkpoint's files. */
export async function readCheckpointMarker(store: Store, step: number): Promise<CheckpointMarker> {
  return readJson<CheckpointMarker>(store, checkpointKeys.marker(step));
}

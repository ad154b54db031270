import { createHash } from 'node:crypto';
import { datasetKeys, type ImageExt, memberNames, sampleKey } from '../../io/output/index.ts';
import { deletePrefix, type Store } from '../../io/storage/index.ts';
import { tarIdentities } from '../../workflow/index.ts';
import { DatasetFormatError } from './errors.ts';
import { encodeJsonl, parseJsonl } from './jsonl.ts';
import { type IndexLine, imageExtOf, parseSidecar, type SampleMeta, sidecarBytes } from './sample.ts';
import { readTar, TAR_END, type TarMember, tarFragment } from './tar.ts';

/** Which tar a writer builds, and the dataset's shape it needs to know when an identity or the tar is complete. */
export interface TarSpec {
  tar: number;
  identitiesPerTar: number;
  identities: number;
  imagesPerIdentity: number;
  format: ImageExt;
}

/** One generated image: its encoded bytes (PNG or JPEG, as `format` says) and its sidecar. */
export interface GeneratedImage {
  meta: SampleMeta;
  bytes: Uint8Array;
}

/** A tar in `shards/`, what the task marker and the dataset card record about it. */
export interface CommittedTar {
  tar: number;
  key: string;
  indexKey: string;
  sha256: string;
  bytes: number;
  images: number;
  identities: [number, number];
}

/**
 * Builds tar k of a dataset image by image, surviving kills. Images are buffered per identity; an identity with all
 * its images is staged as a tar fragment (`staging/shards/k/identity.tar`, one atomic put). `commit` streams the
 * fragments, in identity order, into `shards/k.tar`, then writes `shards/k.jsonl` — the tar counts as committed once
 * its index exists — then deletes the staging. A worker killed at any point leaves no partial tar visible; reopened,
 * the writer reports only the identities still to generate, and the tar's bytes come out the same as in one run.
 */
export class ShardWriter {
  private readonly buffers = new Map<number, Map<number, GeneratedImage>>();
  /** Fragments this process staged, kept so that commit need not download them again (bounded by cacheBytes). */
  private readonly cache = new Map<number, Uint8Array>();
  private cached = 0;

  private constructor(
    private readonly store: Store,
    readonly spec: TarSpec,
    private readonly staged: Set<number>,
    private committedTar: CommittedTar | undefined,
    private readonly cacheBytes = 256 * 1024 * 1024,
  ) {}

  static async open(store: Store, spec: TarSpec, opts: { cacheBytes?: number } = {}): Promise<ShardWriter> {
    const committed = await readCommitted(store, spec);
    if (committed) {
      await deletePrefix(store, datasetKeys.stagingPrefix(spec.tar)); // a kill between commit and clean-up
      return new ShardWriter(store, spec, new Set(), committed, opts.cacheBytes);
    }
    const staged = new Set<number>();
    for await (const o of store.list(datasetKeys.stagingPrefix(spec.tar))) {
      const identity = Number.parseInt(o.key.slice(o.key.lastIndexOf('/') + 1), 10);
      if (Number.isInteger(identity)) staged.add(identity);
    }
    return new ShardWriter(store, spec, staged, undefined, opts.cacheBytes);
  }

  get committed(): CommittedTar | undefined {
    return this.committedTar;
  }

  /** Identities of this tar that still need images, ascending. */
  pendingIdentities(): number[] {
    if (this.committedTar) return [];
    const [first, end] = tarIdentities(this.spec.tar, this.spec.identitiesPerTar, this.spec.identities);
    return Array.from({ length: end - first }, (_, i) => first + i).filter((id) => !this.staged.has(id));
  }

  /** Adds one image; stages its identity when the identity's last image arrives. */
  async add(img: GeneratedImage): Promise<void> {
    const { identity, image } = img.meta;
    this.check(identity, image);
    const buffer = this.buffers.get(identity) ?? new Map<number, GeneratedImage>();
    this.buffers.set(identity, buffer);
    buffer.set(image, img);
    if (buffer.size < this.spec.imagesPerIdentity) return;
    const members = [...buffer.values()]
      .sort((a, b) => a.meta.image - b.meta.image)
      .flatMap((g): TarMember[] => {
        const names = memberNames(identity, g.meta.image, this.spec.format);
        return [
          { name: names.image, data: g.bytes },
          { name: names.meta, data: sidecarBytes(g.meta) },
        ];
      });
    const fragment = await tarFragment(members);
    await this.store.put(datasetKeys.stagedIdentity(this.spec.tar, identity), fragment);
    if (this.cached + fragment.byteLength <= this.cacheBytes) {
      this.cache.set(identity, fragment);
      this.cached += fragment.byteLength;
    }
    this.staged.add(identity);
    this.buffers.delete(identity);
  }

  /** Writes the tar and its index from the staged identities; a no-op returning the same result once committed. */
  async commit(): Promise<CommittedTar> {
    if (this.committedTar) return this.committedTar;
    const pending = this.pendingIdentities();
    if (pending.length > 0) {
      throw new Error(`tar ${this.spec.tar}: identities not generated yet: ${pending.slice(0, 5).join(', ')}…`);
    }
    const key = datasetKeys.tar(this.spec.tar);
    const hash = createHash('sha256');
    const lines: IndexLine[] = [];
    let bytes = 0;
    const identities = tarIdentities(this.spec.tar, this.spec.identitiesPerTar, this.spec.identities);
    const store = this.store;
    const tarNo = this.spec.tar;
    const fragments = this.fragments(identities);
    async function* archive(): AsyncIterable<Uint8Array> {
      for await (const fragment of fragments) {
        lines.push(...(await indexLines(fragment, key, bytes)));
        hash.update(fragment);
        bytes += fragment.byteLength;
        yield fragment;
      }
      hash.update(TAR_END);
      bytes += TAR_END.byteLength;
      yield TAR_END;
    }
    await store.put(key, archive(), { contentType: 'application/x-tar' });
    const indexKey = datasetKeys.tarIndex(tarNo);
    await store.put(indexKey, encodeJsonl(lines), { contentType: 'application/x-ndjson' });
    await deletePrefix(store, datasetKeys.stagingPrefix(tarNo));
    this.cache.clear();
    this.cached = 0;
    const sha256 = hash.digest('hex');
    this.committedTar = { tar: tarNo, key, indexKey, sha256, bytes, images: lines.length, identities };
    return this.committedTar;
  }

  /** The staged fragments in identity order: from the cache, else downloaded one ahead of the consumer. */
  private async *fragments([first, end]: [number, number]): AsyncIterable<Uint8Array> {
    const fetch = (id: number): Promise<Uint8Array> | undefined => {
      if (id >= end) return undefined;
      const hit = this.cache.get(id);
      const p = hit ? Promise.resolve(hit) : this.store.get(datasetKeys.stagedIdentity(this.spec.tar, id));
      p.catch(() => {}); // awaited below; a consumer that stops early must not leave an unhandled rejection
      return p;
    };
    let next = fetch(first);
    for (let id = first; id < end; id++) {
      const current = await next!;
      next = fetch(id + 1);
      yield current;
    }
  }

  private check(identity: number, image: number): void {
    const [first, end] = tarIdentities(this.spec.tar, this.spec.identitiesPerTar, this.spec.identities);
    if (this.committedTar || this.staged.has(identity)) {
      throw new Error(`tar ${this.spec.tar}: identity ${identity} is already written`);
    }
    if (identity < first || identity >= end) throw new Error(`identity ${identity} is not in tar ${this.spec.tar}`);
    if (!Number.isInteger(image) || image < 0 || image >= this.spec.imagesPerIdentity) {
      throw new Error(`image index ${image} is outside [0, ${this.spec.imagesPerIdentity})`);
    }
  }
}

/** Index lines of a fragment whose first byte sits at `base` in the tar. */
async function indexLines(fragment: Uint8Array, tarKey: string, base: number): Promise<IndexLine[]> {
  const members: (TarMember & { offset: number })[] = [];
  for await (const m of readTar([fragment, TAR_END], tarKey)) members.push(m);
  const sidecars = new Map(members.filter((m) => m.name.endsWith('.json')).map((m) => [m.name, m]));
  const lines: IndexLine[] = [];
  for (const m of members) {
    const format = imageExtOf(m.name);
    if (!format) continue;
    const stem = m.name.slice(0, m.name.lastIndexOf('.'));
    const sidecar = sidecars.get(`${stem}.json`);
    if (!sidecar) throw new DatasetFormatError(`${tarKey}/${m.name}`, 'image without a .json sidecar');
    const meta = parseSidecar(sidecar.data, `${tarKey}/${sidecar.name}`);
    lines.push({
      key: sampleKey(meta.identity, meta.image),
      tar: tarKey,
      ...meta,
      offset: base + m.offset,
      size: m.data.byteLength,
      format,
    });
  }
  return lines;
}

/** The committed tar, if its index exists (the commit point); its checksum is recomputed from the stored bytes. */
async function readCommitted(store: Store, spec: TarSpec): Promise<CommittedTar | undefined> {
  const indexKey = datasetKeys.tarIndex(spec.tar);
  if (!(await store.exists(indexKey))) return undefined;
  const lines = parseJsonl<IndexLine>(await store.get(indexKey), store.uri(indexKey));
  const key = datasetKeys.tar(spec.tar);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of await store.getStream(key)) {
    hash.update(chunk as Uint8Array);
    bytes += (chunk as Uint8Array).byteLength;
  }
  const identities = tarIdentities(spec.tar, spec.identitiesPerTar, spec.identities);
  return { tar: spec.tar, key, indexKey, sha256: hash.digest('hex'), bytes, images: lines.length, identities };
}

import { ObjectNotFoundError, type Store } from '../../io/storage/index.ts';
import { DatasetFormatError } from './errors.ts';
import { parseJsonl } from './jsonl.ts';
import type { Attributes } from './sample.ts';
import { imageExtOf } from './sample.ts';

/**
 * Reads an attributes JSONL — one `{"key": …, "age": …, "pitch": …, "yaw": …, "roll": …}` object per image, the
 * format of `attributes.jsonl` in an imagefolder dataset and of `dataset.attributes.uri` — into a map from key to
 * attributes. Keys are image paths relative to the dataset root; an image extension on them is ignored.
 */
export async function readAttributesJsonl(store: Store, key: string): Promise<Map<string, Attributes>> {
  const where = store.uri(key);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(key);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new DatasetFormatError(where, 'attributes file not found', err);
    throw err;
  }
  const map = new Map<string, Attributes>();
  parseJsonl<Record<string, unknown>>(bytes, where).forEach((line, i) => {
    const { key: k, ...rest } = line;
    if (typeof k !== 'string' || k === '') throw new DatasetFormatError(`${where}:${i + 1}`, 'line without a "key"');
    const attrs: Attributes = {};
    for (const [name, v] of Object.entries(rest)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new DatasetFormatError(`${where}:${i + 1}`, `attribute ${name} is not a finite number`);
      }
      attrs[name] = v;
    }
    map.set(stripImageExt(k), attrs);
  });
  return map;
}

/** The flat attributes line for an image key. */
export function attributesLine(key: string, attributes: Attributes): Record<string, unknown> {
  return { key, ...attributes };
}

export function stripImageExt(key: string): string {
  return imageExtOf(key) ? key.slice(0, key.lastIndexOf('.')) : key;
}

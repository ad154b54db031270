/**
 * Reading and writing TensorFlow.js model files (model.json + weight shards) by URI. The loader and the trainer see
 * only the small ModelFiles interface: `storeModelFiles` reads through the storage layer (local paths and s3://), and
 * `localModelFiles` is a plain file-system adapter for scripts.
 */

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../storage/index.ts';

export interface ModelFiles {
  read(uri: string): Promise<Uint8Array>;
  write(uri: string, data: Uint8Array): Promise<void>;
}

function localPath(uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri;
}

export function localModelFiles(): ModelFiles {
  return {
    read: async (uri) => new Uint8Array(await readFile(localPath(uri))),
    write: async (uri, data) => {
      const path = localPath(uri);
      await mkdir(dirname(path), { recursive: true });
      // Write beside, then rename: a reader never sees half a file.
      const tmp = `${path}.tmp-${process.pid}`;
      await writeFile(tmp, data);
      await rename(tmp, path);
    },
  };
}

/** The model.json URI a spec names: the URI itself, or model.json inside it when it names a folder. */
export function modelJsonUri(uri: string): string {
  return uri.endsWith('.json') ? uri : `${uri.replace(/\/+$/, '')}/model.json`;
}

/** A path from a weights manifest, resolved against the folder of the model.json URI. */
export function siblingUri(modelJson: string, path: string): string {
  const cut = modelJson.lastIndexOf('/');
  return cut < 0 ? path : `${modelJson.slice(0, cut + 1)}${path}`;
}

/**
 * ModelFiles over the storage layer: each URI is split into its folder (the store root, opened with `open`, e.g.
 * `(root) => openStore(root, spec.storage)`) and its file name.
 */
export function storeModelFiles(open: (root: string) => Store): ModelFiles {
  const split = (uri: string) => fileInStore(uri, open);
  return {
    read: (uri) => {
      const [store, key] = split(uri);
      return store.get(key);
    },
    write: (uri, data) => {
      const [store, key] = split(uri);
      return store.put(key, data);
    },
  };
}

/** The store of a file URI's folder and the file's key in it. */
export function fileInStore(uri: string, open: (root: string) => Store): [Store, string] {
  const cut = uri.lastIndexOf('/');
  if (cut <= 0 || cut === uri.length - 1) throw new RangeError(`not a file URI: ${uri}`);
  return [open(uri.slice(0, cut)), uri.slice(cut + 1)];
}

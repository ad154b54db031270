import { datasetKeys } from '../../io/output/index.ts';
import type { Store } from '../../io/storage/index.ts';

/**
 * Writes the dataset's `index.jsonl`: the tars' own index files concatenated in tar order (lines stay in identity,
 * image order). Streamed, one tar index in memory at a time. The finalize stage calls it once every tar is marked.
 */
export async function mergeTarIndexes(store: Store, tars: number): Promise<void> {
  async function* lines(): AsyncIterable<Uint8Array> {
    for (let k = 0; k < tars; k++) yield await store.get(datasetKeys.tarIndex(k));
  }
  await store.put(datasetKeys.index, lines(), { contentType: 'application/x-ndjson' });
}

/**
 * Builders for test objects, so that a test states only what it is about:
 *   datasetJob('a').shards(4).suspend(true).obj()
 *   trainingJob('t').set('spec.training.steps', 10).obj()
 */
import { API_VERSION, KIND_DATASET, KIND_TRAINING } from '../api/index.ts';

type Json = Record<string, unknown>;

export class ObjectBuilder {
  constructor(protected readonly o: Json) {}

  /** Sets a value at a dotted path (list items as [i]), creating objects on the way. */
  set(path: string, value: unknown): this {
    const keys = splitPath(path);
    let node: Json = this.o;
    for (const k of keys.slice(0, -1)) {
      if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
      node = node[k] as Json;
    }
    node[keys.at(-1)!] = value;
    return this;
  }

  /** Removes the value at a dotted path. */
  unset(path: string): this {
    const keys = splitPath(path);
    let node: Json | undefined = this.o;
    for (const k of keys.slice(0, -1)) node = node?.[k] as Json | undefined;
    if (node) delete node[keys.at(-1)!];
    return this;
  }

  namespace(ns: string): this {
    return this.set('metadata.namespace', ns);
  }

  suspend(on = true): this {
    return this.set('spec.suspend', on);
  }

  obj(): Json {
    return structuredClone(this.o);
  }
}

function splitPath(path: string): string[] {
  return path.split('.').flatMap((seg) => seg.split(/\[(\d+)\]/).filter((s) => s !== ''));
}

export class DatasetJobBuilder extends ObjectBuilder {
  shards(n: number, parallelism = Math.min(n, 2)): this {
    return this.set('spec.sharding', { shards: n, parallelism });
  }
  identities(n: number, perIdentity = 4): this {
    return this.set('spec.identities', n).set('spec.imagesPerIdentity', perIdentity);
  }
  checkpoint(uri: string): this {
    return this.set('spec.model', { checkpointURI: uri });
  }
  trainingJobRef(name: string): this {
    return this.set('spec.model', { trainingJobRef: { name } });
  }
  output(uri: string, identitiesPerTar = 1): this {
    return this.set('spec.output', { uri, identitiesPerTar });
  }
}

export class TrainingJobBuilder extends ObjectBuilder {
  steps(n: number): this {
    return this.set('spec.training.steps', n);
  }
  output(uri: string): this {
    return this.set('spec.output', { uri });
  }
}

/** A small valid SyntheticDatasetJob (8 identities × 4 images, one identity per tar). */
export function datasetJob(name: string): DatasetJobBuilder {
  return new DatasetJobBuilder({
    apiVersion: API_VERSION,
    kind: KIND_DATASET,
    metadata: { name },
    spec: {
      model: { checkpointURI: 's3://models/id3/checkpoints' },
      identities: 8,
      imagesPerIdentity: 4,
      seed: 1,
      output: { uri: `s3://datasets/${name}`, identitiesPerTar: 1 },
    },
  });
}

/** A small valid ID3TrainingJob. */
export function trainingJob(name: string): TrainingJobBuilder {
  return new TrainingJobBuilder({
    apiVersion: API_VERSION,
    kind: KIND_TRAINING,
    metadata: { name },
    spec: {
      dataset: { uri: 's3://data/faces' },
      encoder: { uri: 's3://models/encoder/model.json' },
      output: { uri: `s3://models/${name}` },
    },
  });
}

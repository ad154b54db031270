/**
 * Model files: `{ metadata, files }`, the shape io/checkpoints stores atomically. Each named group of parameters
 * (raw weights, EMA weights, optimizer moments, …) is one TensorFlow.js weights file (`<group>.bin`, the binary layout
 * of a model.json weight shard) described by its weight-manifest entries in the metadata; float32 bytes round-trip
 * exactly. The metadata is plain JSON: the model config, the manifest, and whatever the caller adds (step, training
 * and diffusion configs, encoder provenance).
 */
import * as tf from '@tensorflow/tfjs';
import { PermanentInputError } from '../../api/index.ts';
import type { ModelConfig } from './config.ts';
import type { ParamSpec, Params } from './params.ts';

export const MODEL_FORMAT = 'id3-model';
export const MODEL_FORMAT_VERSION = 1;

export interface SerializedModel {
  metadata: ModelMetadata;
  files: Record<string, Uint8Array>;
}

export interface ModelMetadata {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  config: ModelConfig;
  /** Group name → its file and TensorFlow.js weight-manifest entries. */
  groups: Record<string, { file: string; weights: tf.io.WeightsManifestEntry[] }>;
  /** Anything else the caller records (JSON). */
  extra: Record<string, unknown>;
}

export class ModelFormatError extends PermanentInputError {
  override readonly name = 'ModelFormatError';
}

export function groupFile(group: string): string {
  return `${group}.bin`;
}

export async function saveModel(input: {
  config: ModelConfig;
  groups: Record<string, Params>;
  extra?: Record<string, unknown>;
}): Promise<SerializedModel> {
  const files: Record<string, Uint8Array> = {};
  const groups: ModelMetadata['groups'] = {};
  for (const [group, params] of Object.entries(input.groups)) {
    if (!/^[A-Za-z0-9._-]+$/.test(group))
      throw new ModelFormatError(`group name ${JSON.stringify(group)} is not a file name`);
    const { data, specs } = await tf.io.encodeWeights(params);
    files[groupFile(group)] = new Uint8Array(data);
    groups[group] = { file: groupFile(group), weights: specs };
  }
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    config: structuredClone(input.config),
    groups,
    extra: structuredClone(input.extra ?? {}),
  };
  return { metadata, files };
}

/** Checks the envelope; returns the metadata typed. */
export function readMetadata(metadata: unknown): ModelMetadata {
  const m = metadata as Partial<ModelMetadata> | undefined;
  if (m?.format !== MODEL_FORMAT)
    throw new ModelFormatError(`not an ${MODEL_FORMAT} file (format ${String(m?.format)})`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(
      `${MODEL_FORMAT} version ${m.formatVersion} is not supported (expected ${MODEL_FORMAT_VERSION})`,
    );
  }
  if (!m.config || !m.groups) throw new ModelFormatError('metadata lacks config or groups');
  return m as ModelMetadata;
}

/**
 * Decodes the named groups (all by default). With `specs`, every group must hold exactly those parameters with
 * those shapes: a checkpoint of another architecture fails here, not inside a forward pass.
 */
export function loadGroups(
  model: { metadata: unknown; files: Record<string, Uint8Array> },
  opts: { groups?: string[]; specs?: readonly ParamSpec[] } = {},
): Record<string, Params> {
  const metadata = readMetadata(model.metadata);
  const names = opts.groups ?? Object.keys(metadata.groups);
  const out: Record<string, Params> = {};
  for (const group of names) {
    const entry = metadata.groups[group];
    if (!entry)
      throw new ModelFormatError(`group ${group} is not in the file (has ${Object.keys(metadata.groups).join(', ')})`);
    const bytes = model.files[entry.file];
    if (!bytes) throw new ModelFormatError(`file ${entry.file} of group ${group} is missing`);
    if (opts.specs) checkSpecs(group, entry.weights, opts.specs);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    out[group] = tf.io.decodeWeights(buffer, entry.weights) as Params;
  }
  return out;
}

function checkSpecs(group: string, weights: tf.io.WeightsManifestEntry[], specs: readonly ParamSpec[]): void {
  const stored = new Map(weights.map((w) => [w.name, w.shape.join('x')]));
  const problems: string[] = [];
  for (const s of specs) {
    const shape = stored.get(s.name);
    if (shape === undefined) problems.push(`missing ${s.name}`);
    else if (shape !== s.shape.join('x')) problems.push(`${s.name} is ${shape}, expected ${s.shape.join('x')}`);
  }
  if (weights.length !== specs.length) problems.push(`${weights.length} tensors, expected ${specs.length}`);
  if (problems.length > 0) {
    throw new ModelFormatError(`group ${group} does not fit the architecture: ${problems.slice(0, 5).join('; ')}`);
  }
}

/**
 * The generic encoder loader: any TensorFlow.js layers or graph model, read through ModelFiles from the URI of its
 * model.json, applied with the input convention of its IdentityEncoderSpec (resize, channel order, mean/std) and
 * L2-normalised. This is the one path every encoder takes, the bundled one and a converted IR-SE50 alike.
 */
import * as tf from '@tensorflow/tfjs';
import type { IdentityEncoderSpec } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { type ModelFiles, modelJsonUri, siblingUri } from '../../io/models/index.ts';
import { onnxEncoder } from './onnx/index.ts';
import { l2Normalize, toEncoderInput } from './preprocess.ts';
import type { EncoderInfo, IdentityEncoder } from './types.ts';

export class EncoderLoadError extends PermanentInputError {
  override readonly name = 'EncoderLoadError';
}

/** The spec fields the loader reads; a full IdentityEncoderSpec fits. */
export type EncoderSpec = Pick<
  IdentityEncoderSpec,
  'uri' | 'format' | 'inputSize' | 'embeddingSize' | 'channelOrder' | 'mean' | 'std'
> & { name?: string };

export async function loadEncoder(spec: EncoderSpec, files: ModelFiles): Promise<IdentityEncoder> {
  if (spec.format === 'onnx') return loadOnnxEncoder(spec, files);
  const handler = modelHandler(modelJsonUri(spec.uri), files);
  const info: EncoderInfo = {
    name: spec.name ?? spec.uri,
    inputSize: spec.inputSize,
    embeddingSize: spec.embeddingSize,
    channelOrder: spec.channelOrder,
    mean: spec.mean,
    std: spec.std,
  };
  let model: tf.LayersModel | tf.GraphModel;
  try {
    model = spec.format === 'graph' ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
  } catch (err) {
    if (err instanceof EncoderLoadError) throw err;
    throw new EncoderLoadError(`cannot load the ${spec.format} model at ${spec.uri}: ${String(err)}`, { cause: err });
  }
  const encoder = modelEncoder(model, info);
  checkShape(encoder, spec);
  return encoder;
}

/**
 * An ONNX file as an encoder (onnx/): the spec's input convention applies, and its inputSize must be the graph's
 * when the graph fixes one. Storage errors pass through as they are (a transient one may be retried).
 */
async function loadOnnxEncoder(spec: EncoderSpec, files: ModelFiles): Promise<IdentityEncoder> {
  const bytes = await files.read(spec.uri);
  let encoder: IdentityEncoder;
  try {
    const { inputSize, channelOrder, mean, std } = spec;
    encoder = onnxEncoder(bytes, { name: spec.name ?? spec.uri, inputSize, channelOrder, mean, std });
  } catch (err) {
    throw new EncoderLoadError(`cannot load the ONNX model at ${spec.uri}: ${(err as Error).message}`, { cause: err });
  }
  checkShape(encoder, spec);
  return encoder;
}

/** Wraps a loaded (or freshly trained) model as an IdentityEncoder: input convention, inference mode, unit rows. */
export function modelEncoder(model: tf.LayersModel | tf.GraphModel, info: EncoderInfo): IdentityEncoder {
  const run = (x: tf.Tensor4D): tf.Tensor =>
    model instanceof tf.GraphModel
      ? (model.execute(x) as tf.Tensor)
      : (model.apply(x, { training: false }) as tf.Tensor);
  return {
    info,
    embed: (images) =>
      tf.tidy(() => {
        const out = run(toEncoderInput(images, info));
        return l2Normalize(out.reshape([out.shape[0]!, -1]) as tf.Tensor2D);
      }),
    dispose: () => model.dispose(),
  };
}

/** One probe through the model, so a wrong inputSize or embeddingSize fails at load, not mid-training. */
function checkShape(encoder: IdentityEncoder, spec: EncoderSpec): void {
  let got: number[];
  try {
    got = tf.tidy(() => encoder.embed(tf.zeros([1, spec.inputSize, spec.inputSize, 3])).shape);
  } catch (err) {
    encoder.dispose();
    throw new EncoderLoadError(`the model at ${spec.uri} does not take ${spec.inputSize}×${spec.inputSize} RGB input`, {
      cause: err,
    });
  }
  if (got[1] !== spec.embeddingSize) {
    encoder.dispose();
    throw new EncoderLoadError(
      `the model at ${spec.uri} embeds to ${got[1]} values, but the spec says embeddingSize ${spec.embeddingSize}`,
    );
  }
}

/** A tfjs IOHandler that reads model.json and its weight shards through ModelFiles. */
export function modelHandler(modelJson: string, files: ModelFiles): tf.io.IOHandler {
  return {
    load: async () => {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(new TextDecoder().decode(await files.read(modelJson))) as tf.io.ModelJSON;
      } catch (err) {
        throw new EncoderLoadError(`cannot read ${modelJson}: ${String(err)}`, { cause: err });
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const shards: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const path of group.paths) shards.push(await files.read(siblingUri(modelJson, path)));
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        userDefinedMetadata: json.userDefinedMetadata,
        signature: json.signature,
        modelInitializer: json.modelInitializer,
        weightSpecs: specs,
        weightData: concat(shards),
      };
    },
  };
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

/** Saves a layers model as model.json + weights.bin beside it (one shard), through ModelFiles. */
export async function saveLayersModel(
  model: tf.LayersModel,
  modelJson: string,
  files: ModelFiles,
  metadata?: Record<string, unknown>,
): Promise<void> {
  await model.save({
    save: async (artifacts) => {
      const data = artifacts.weightData ?? new ArrayBuffer(0);
      const weights = new Uint8Array(Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data);
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'id3-operator',
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        ...(metadata ? { userDefinedMetadata: metadata as NonNullable<tf.io.ModelJSON['userDefinedMetadata']> } : {}),
      };
      await files.write(siblingUri(modelJson, 'weights.bin'), weights);
      await files.write(modelJson, new TextEncoder().encode(JSON.stringify(json)));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
}

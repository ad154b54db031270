/**
 * A small IR-style face-recognition network (the improved residual unit of ArcFace's IResNet: BN → conv → BN → PReLU →
 * conv(stride) → BN, plus a projection shortcut), built with tf.layers so it saves and loads as a plain TensorFlow.js
 * layers model with no custom layers. Its output is the raw embedding: L2 normalisation is applied by whoever loads
 * it (the generic loader), exactly as for a converted IR-SE50.
 */
import * as tf from '@tensorflow/tfjs';

export interface IrNetConfig {
  inputSize: number;
  embeddingSize: number;
  /** Channels of the stem convolution. */
  stem: number;
  /** Stride of the stem: 2 halves the resolution before the first stage, quartering the cost of the largest maps. */
  stemStride: number;
  /** Output channels of each stage; every stage halves the resolution. */
  stages: number[];
  /** Residual units per stage (the first one strides). */
  units: number[];
  /** Dropout before the embedding layer, during training only. */
  dropout: number;
}

export function defaultIrNetConfig(): IrNetConfig {
  return {
    inputSize: 32,
    embeddingSize: 128,
    stem: 12,
    stemStride: 1,
    stages: [24, 48, 96],
    units: [1, 2, 1],
    dropout: 0.2,
  };
}

/** Input in the encoder's normalised space, [B, inputSize, inputSize, 3]; output [B, embeddingSize], not normalised. */
export function buildIrNet(config: IrNetConfig, seed = 1): tf.LayersModel {
  if (config.stages.length !== config.units.length) throw new RangeError('stages and units must have the same length');
  const down = config.stemStride * 2 ** config.stages.length;
  if (config.inputSize % down !== 0) throw new RangeError(`inputSize must be a multiple of ${down}`);
  let n = 0;
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + n++ });
  const input = tf.input({ shape: [config.inputSize, config.inputSize, 3], name: 'image' });
  let x = tf.layers
    .conv2d({
      filters: config.stem,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: init(),
      name: 'stem_conv',
    })
    .apply(input) as tf.SymbolicTensor;
  x = bn('stem_bn').apply(x) as tf.SymbolicTensor;
  x = prelu('stem_prelu').apply(x) as tf.SymbolicTensor;
  let channels = config.stem;
  config.stages.forEach((out, s) => {
    for (let u = 0; u < config.units[s]!; u++) {
      x = residualUnit(x, channels, out, u === 0 ? 2 : 1, `s${s + 1}u${u + 1}`, init);
      channels = out;
    }
  });
  x = bn('out_bn').apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: config.dropout, seed, name: 'out_dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'out_flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({
      units: config.embeddingSize,
      kernelInitializer: tf.initializers.glorotNormal({ seed }),
      name: 'embedding',
    })
    .apply(x) as tf.SymbolicTensor;
  const output = bn('embedding_bn').apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'ir_net' });
}

function residualUnit(
  x: tf.SymbolicTensor,
  cin: number,
  cout: number,
  stride: number,
  name: string,
  init: () => ReturnType<typeof tf.initializers.heNormal>,
): tf.SymbolicTensor {
  const conv = (filters: number, kernelSize: number, strides: number, suffix: string) =>
    tf.layers.conv2d({
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: init(),
      name: `${name}_${suffix}`,
    });
  let r = bn(`${name}_bn1`).apply(x) as tf.SymbolicTensor;
  r = conv(cout, 3, 1, 'conv1').apply(r) as tf.SymbolicTensor;
  r = bn(`${name}_bn2`).apply(r) as tf.SymbolicTensor;
  r = prelu(`${name}_prelu`).apply(r) as tf.SymbolicTensor;
  r = conv(cout, 3, stride, 'conv2').apply(r) as tf.SymbolicTensor;
  r = bn(`${name}_bn3`).apply(r) as tf.SymbolicTensor;
  let shortcut = x;
  if (cin !== cout || stride !== 1) {
    shortcut = conv(cout, 1, stride, 'short').apply(x) as tf.SymbolicTensor;
    shortcut = bn(`${name}_short_bn`).apply(shortcut) as tf.SymbolicTensor;
  }
  return tf.layers.add({ name: `${name}_add` }).apply([r, shortcut]) as tf.SymbolicTensor;
}

function bn(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name });
}

function prelu(name: string): tf.layers.Layer {
  return tf.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: tf.initializers.constant({ value: 0.25 }), name });
}

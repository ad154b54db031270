/**
 * An IdentityEncoder over an ONNX face-recognition model (insightface's ArcFace ONNX files, a torch.onnx.export of
 * IR-SE50). The input size comes from the graph when its input shape is static; the input convention (channel order,
 * mean/std) from the caller, defaulting as insightface's own ArcFaceONNX does (model_zoo/arcface_onnx.py):
 *
 *   - images read by OpenCV (BGR) are fed through cv2.dnn.blobFromImages(..., swapRB=True): the network takes RGB;
 *   - (pixel − 127.5) / 127.5, i.e. mean 0.5 and std 0.5 on [0, 1] pixels; except for models converted from MXNet,
 *     recognised by a Sub and a Mul among their first 8 node names (normalisation built into the graph), which take
 *     raw [0, 255] pixels: mean 0, std 1/255.
 *
 * Output: the first graph output, flattened per image and L2-normalised, like every encoder here.
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalize, toEncoderInput } from '../preprocess.ts';
import type { EncoderInfo, EncoderInput, IdentityEncoder } from '../types.ts';
import { OnnxUnsupportedError } from './errors.ts';
import type { OnnxGraph } from './model.ts';
import { loadOnnx, type OnnxProgram } from './program.ts';

export interface OnnxEncoderOptions extends Partial<EncoderInput> {
  /** Recorded in checkpoints and dataset cards; 'onnx' by default. */
  name?: string;
}

/** The image input: its layout and its side when the graph fixes it. */
interface ImageInput {
  channelsLast: boolean;
  size: number | null;
}

/** The graph's one input, which must be an image batch of 3 channels (NCHW as exported, or NHWC as tf2onnx writes). */
export function imageInput(graph: OnnxGraph): ImageInput {
  if (graph.inputs.length !== 1) {
    const names = graph.inputs.map((i) => `'${i.name}'`).join(', ');
    throw new OnnxUnsupportedError([
      `${graph.inputs.length} graph inputs (${names}); an encoder takes one image batch`,
    ]);
  }
  const { name, dims } = graph.inputs[0]!;
  if (dims && dims.length !== 4) {
    throw new OnnxUnsupportedError([`graph input '${name}' of rank ${dims.length}; an encoder takes [N, 3, H, W]`]);
  }
  const channelsLast = dims?.[3] === 3 && dims[1] !== 3;
  const [h, w] = channelsLast ? [dims?.[1], dims?.[2]] : [dims?.[2], dims?.[3]];
  if (h && w && h !== w) throw new OnnxUnsupportedError([`graph input '${name}' takes ${h}×${w} images (not square)`]);
  return { channelsLast, size: h ?? w ?? null };
}

/** insightface's input convention for this model (see the module comment). */
export function insightfaceInput(graph: OnnxGraph): Pick<EncoderInput, 'channelOrder' | 'mean' | 'std'> {
  const first = graph.nodes.slice(0, 8).map((n) => n.name);
  const sub = first.some((n) => n.startsWith('Sub') || n.startsWith('_minus'));
  const mul = first.some((n) => n.startsWith('Mul') || n.startsWith('_mul'));
  const [mean, std] = sub && mul ? [0, 1 / 255] : [0.5, 0.5];
  return { channelOrder: 'RGB', mean: [mean, mean, mean], std: [std, std, std] };
}

/** Loads an ONNX model as an encoder. Throws OnnxFormatError / OnnxUnsupportedError / OnnxRunError. */
export function onnxEncoder(bytes: Uint8Array, options: OnnxEncoderOptions = {}): IdentityEncoder {
  const program = loadOnnx(bytes);
  try {
    const input = imageInput(program.graph);
    const inputSize = input.size ?? options.inputSize;
    if (!inputSize) {
      throw new OnnxUnsupportedError(['an image input of unknown size: give the encoder its inputSize']);
    }
    if (input.size && options.inputSize && options.inputSize !== input.size) {
      throw new OnnxUnsupportedError([
        `an input size of ${input.size} px, but ${options.inputSize} px was asked for: set inputSize to ${input.size}`,
      ]);
    }
    const defaults = insightfaceInput(program.graph);
    const info: EncoderInfo = {
      name: options.name ?? 'onnx',
      inputSize,
      embeddingSize: 0,
      channelOrder: options.channelOrder ?? defaults.channelOrder,
      mean: options.mean ?? defaults.mean,
      std: options.std ?? defaults.std,
    };
    return probed(program, info, input.channelsLast);
  } catch (err) {
    program.dispose();
    throw err;
  }
}

/** The encoder, after one run on a blank image: it finds the embedding size and refuses a graph that cannot run. */
function probed(program: OnnxProgram, info: EncoderInfo, channelsLast: boolean): IdentityEncoder {
  const embed = (images: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      // toEncoderInput gives NHWC: a logical NCHW input takes it as it is, flagged, with no transpose.
      const x = toEncoderInput(images, info);
      const [out] = program.run([x], { nhwc: [!channelsLast] });
      return l2Normalize(out!.reshape([out!.shape[0]!, -1]) as tf.Tensor2D);
    });
  const size = info.inputSize;
  const probe = tf.tidy(() => embed(tf.zeros([1, size, size, 3])).shape);
  const encoder: IdentityEncoder = {
    info: { ...info, embeddingSize: probe[1]! },
    embed,
    dispose: () => program.dispose(),
  };
  return encoder;
}

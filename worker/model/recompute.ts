/**
 * Gradients through the U-Net in bounded memory, by recomputation (gradient checkpointing at block granularity).
 *
 * tfjs keeps every tensor a backward pass needs until the whole gradient is done, and also every intermediate
 * gradient (tape.ts never frees them), so one gradient through a 64 px U-Net needs ~1 GB per image: wasm's 4 GB heap
 * fits two. Here the forward pass keeps only the feature map between blocks; the backward pass walks the blocks in
 * reverse, recomputing one block under its own small gradient (a top-level tf.grads, whose tape is freed when it
 * returns) and chaining the gradients by hand:
 *
 *   h₀ = input(x), h_{i+1} = block_i(h_i [, skip], temb, c), ε = output(h_L), L = lossOf(ε, x)
 *   ∂L/∂h_i  = J_{block_i}(h_i)ᵀ·∂L/∂h_{i+1}     one block at a time, with dy = ∂L/∂h_{i+1}
 *   ∂L/∂temb, ∂L/∂c accumulate over blocks, then flow through the head (time embedding, conditioning MLP)
 *   ∂L/∂x = ∂lossOf/∂x + J_input(x)ᵀ·∂L/∂h₀
 * Memory: the block boundaries plus one block's tape. Cost: one extra forward pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { ForwardOptions } from './layers.ts';
import type { Params } from './params.ts';
import type { Conditioning, Stage, UNet, UNetInputs } from './unet.ts';

/** Feature-map elements (batch × pixels × base channels) above which a CPU backend recomputes (64 px × 2 images). */
const RECOMPUTE_ABOVE = 1 << 20;

/**
 * Whether to take gradients by recomputation: as asked, or with 'auto' on the CPU backends (wasm's heap is 4 GB)
 * when the batch's activations would be large. GPU backends keep the tape: memory is plentiful, time is not.
 */
export function shouldRecompute(
  choice: boolean | 'auto' | undefined,
  unet: UNet,
  batch: number,
  backend: string = tf.getBackend(),
): boolean {
  if (choice !== undefined && choice !== 'auto') return choice;
  const u = unet.config.unet;
  const cpu = backend === 'wasm' || backend === 'cpu';
  return cpu && batch * u.resolution * u.resolution * u.channels > RECOMPUTE_ABOVE;
}

export interface GradientRequest {
  /** The scalar to differentiate, from ε and x (x may be ignored). */
  lossOf: (eps: tf.Tensor4D, x: tf.Tensor4D) => tf.Scalar;
  /** Differentiate with respect to the input image (identity guidance). */
  wrtInput: boolean;
  /** Differentiate with respect to the parameters (training). */
  wrtParams: boolean;
}

export interface GradientResult {
  eps: tf.Tensor4D;
  loss: tf.Scalar;
  dx?: tf.Tensor4D;
  dParams?: Params;
}

/** Σ_k ⟨dy_k, f(inputs)_k⟩ differentiated with respect to `inputs` (a vector-Jacobian product). */
function vjp(f: (...xs: tf.Tensor[]) => tf.Tensor[], inputs: tf.Tensor[], dys: tf.Tensor[]): tf.Tensor[] {
  return tf.grads((...xs: tf.Tensor[]) => {
    const ys = f(...xs);
    return tf.addN(ys.map((y, k) => y.mul(dys[k]!).sum())) as tf.Scalar;
  })(inputs);
}

/** The parameters a segment reads: names under its prefixes. */
function namesUnder(P: Params, prefixes: string[]): string[] {
  return Object.keys(P).filter((n) => prefixes.some((p) => n.startsWith(`${p}.`)));
}

function withParams(P: Params, names: string[], values: tf.Tensor[]): Params {
  const local = { ...P };
  names.forEach((n, i) => {
    local[n] = values[i]!;
  });
  return local;
}

/** Adds `t` into `acc[key]`, releasing what it replaces. */
function accumulate<K extends string>(acc: Partial<Record<K, tf.Tensor>>, key: K, t: tf.Tensor): void {
  const prev = acc[key];
  acc[key] = prev ? tf.tidy(() => prev.add(t)) : t.clone();
  prev?.dispose();
  t.dispose();
}

interface Forward {
  c: Conditioning;
  /** Input of every stage (index-aligned with unet.stages), and the final feature map. */
  inputs: tf.Tensor4D[];
  /** Skip tensor each pop stage concatenates (index-aligned; undefined elsewhere). */
  popped: (tf.Tensor4D | undefined)[];
  last: tf.Tensor4D;
}

function forward(unet: UNet, P: Params, inp: UNetInputs, opts: ForwardOptions): Forward {
  const c = tf.tidy(() => unet.head(P, inp.t, inp.cond, opts));
  let h = tf.tidy(() => unet.input(P, inp.x, opts));
  const skips: tf.Tensor4D[] = [h];
  const inputs: tf.Tensor4D[] = [];
  const popped: (tf.Tensor4D | undefined)[] = [];
  for (const stage of unet.stages) {
    inputs.push(h);
    popped.push(undefined);
    if (stage.kind === 'push') {
      skips.push(h);
      continue;
    }
    const input = h;
    if (stage.kind === 'pop') {
      const skip = skips.pop()!;
      popped[popped.length - 1] = skip;
      h = tf.tidy(() => tf.concat([input, skip], 3) as tf.Tensor4D);
    } else {
      h = tf.tidy(() => unet.block(P, stage, input, c, opts));
    }
  }
  return { c, inputs, popped, last: h };
}

/** Backward through one block stage: gradients for its input, temb, c and (optionally) its parameters. */
function blockBackward(
  unet: UNet,
  P: Params,
  stage: Extract<Stage, { name: string }>,
  h: tf.Tensor4D,
  c: Conditioning,
  dh: tf.Tensor4D,
  wrtParams: boolean,
  opts: ForwardOptions,
): { dh: tf.Tensor4D; dTemb?: tf.Tensor; dContext?: tf.Tensor; dParams: Params } {
  const names = wrtParams ? namesUnder(P, [stage.name]) : [];
  // Only what the block reads may be differentiated (tf.grads rejects inputs a result does not depend on).
  const usesTemb = stage.kind === 'res';
  const usesContext = stage.kind === 'attn';
  const extra = [...(usesTemb ? [c.tembAct] : []), ...(usesContext ? [c.context] : [])];
  const f = (hIn: tf.Tensor, ...rest: tf.Tensor[]) => {
    const cond = {
      tembAct: (usesTemb ? rest[0] : c.tembAct) as tf.Tensor2D,
      context: (usesContext ? rest[0] : c.context) as tf.Tensor3D,
    };
    return [unet.block(withParams(P, names, rest.slice(extra.length)), stage, hIn as tf.Tensor4D, cond, opts)];
  };
  const [dIn, ...more] = vjp(f, [h, ...extra, ...names.map((n) => P[n]!)], [dh]);
  const dCond = more.slice(0, extra.length);
  const dPs = more.slice(extra.length);
  const dTemb = usesTemb ? dCond[0] : undefined;
  const dContext = usesContext ? dCond[0] : undefined;
  const dParams: Params = {};
  names.forEach((n, i) => {
    dParams[n] = dPs[i]!;
  });
  return { dh: dIn as tf.Tensor4D, dTemb, dContext, dParams };
}

/** L = lossOf(ε_θ(x, t, c), x) and its gradients, holding one block's activations at a time. */
export function unetGradient(
  unet: UNet,
  P: Params,
  inp: UNetInputs,
  req: GradientRequest,
  opts: ForwardOptions = {},
): GradientResult {
  const fwd = forward(unet, P, inp, opts);
  const outNames = req.wrtParams ? namesUnder(P, ['out']) : [];
  const eps = tf.tidy(() => unet.output(P, fwd.last, opts));
  // ∂lossOf/∂x only when asked: in training the loss does not read x, and tf.grads rejects unused inputs.
  const [loss, dEps, dxDirect] = tf.tidy(() => {
    if (!req.wrtInput) {
      const { value, grad } = tf.valueAndGrad((e: tf.Tensor) => req.lossOf(e as tf.Tensor4D, inp.x))(eps);
      return [value, grad, undefined];
    }
    const { value, grads } = tf.valueAndGrads((e: tf.Tensor, x: tf.Tensor) =>
      req.lossOf(e as tf.Tensor4D, x as tf.Tensor4D),
    )([eps, inp.x]);
    return [value, grads[0]!, grads[1]!];
  });
  const dParams: Params = {};
  const [dLast, ...dOut] = vjp(
    (h, ...ps) => [unet.output(withParams(P, outNames, ps), h as tf.Tensor4D, opts)],
    [fwd.last, ...outNames.map((n) => P[n]!)],
    [dEps],
  );
  outNames.forEach((n, i) => {
    dParams[n] = dOut[i]!;
  });
  dEps.dispose();
  const acc: Partial<Record<'temb' | 'context', tf.Tensor>> = {};
  // Gradients waiting for the skip a push stage stored: stack of pending ∂L/∂skip (pops push, pushes pop).
  const pendingSkips: tf.Tensor4D[] = [];
  let dh = dLast as tf.Tensor4D;
  for (let i = unet.stages.length - 1; i >= 0; i--) {
    const stage = unet.stages[i]!;
    if (stage.kind === 'push') {
      const dSkip = pendingSkips.pop()!;
      const sum = tf.tidy(() => dh.add(dSkip)) as tf.Tensor4D;
      tf.dispose([dh, dSkip]);
      dh = sum;
      continue;
    }
    if (stage.kind === 'pop') {
      const ch = fwd.inputs[i]!.shape[3];
      const skipCh = fwd.popped[i]!.shape[3];
      const [dIn, dSkip] = tf.split(dh, [ch, skipCh], 3) as [tf.Tensor4D, tf.Tensor4D];
      dh.dispose();
      dh = dIn;
      pendingSkips.push(dSkip);
      continue;
    }
    const g = blockBackward(unet, P, stage, fwd.inputs[i]!, fwd.c, dh, req.wrtParams, opts);
    dh.dispose();
    dh = g.dh;
    if (g.dTemb) accumulate(acc, 'temb', g.dTemb);
    if (g.dContext) accumulate(acc, 'context', g.dContext);
    Object.assign(dParams, g.dParams);
  }
  // The input convolution: h₀ is also the first skip, whose gradient is the last one pending.
  const dSkip0 = pendingSkips.pop()!;
  const dh0 = tf.tidy(() => dh.add(dSkip0)) as tf.Tensor4D;
  tf.dispose([dh, dSkip0]);
  const inNames = req.wrtParams ? namesUnder(P, ['in']) : [];
  const [dxNet, ...dIn] = vjp(
    (x, ...ps) => [unet.input(withParams(P, inNames, ps), x as tf.Tensor4D, opts)],
    [inp.x, ...inNames.map((n) => P[n]!)],
    [dh0],
  );
  inNames.forEach((n, i) => {
    dParams[n] = dIn[i]!;
  });
  dh0.dispose();
  if (req.wrtParams) {
    const headNames = namesUnder(P, ['time', 'cond']);
    const dHead = vjp(
      (...ps) => {
        const c = unet.head(withParams(P, headNames, ps), inp.t, inp.cond, opts);
        return [c.tembAct, c.context];
      },
      headNames.map((n) => P[n]!),
      [acc.temb!, acc.context!],
    );
    headNames.forEach((n, i) => {
      dParams[n] = dHead[i]!;
    });
  }
  tf.dispose([
    acc.temb!,
    acc.context!,
    fwd.c.tembAct,
    fwd.c.context,
    fwd.last,
    ...fwd.inputs.filter((t, i) => fwd.inputs.indexOf(t) === i),
  ]);
  const dx = req.wrtInput ? (tf.tidy(() => dxNet!.add(dxDirect!)) as tf.Tensor4D) : undefined;
  tf.dispose([dxNet!, ...(dxDirect ? [dxDirect] : [])]);
  return { eps, loss: loss as tf.Scalar, dx, dParams: req.wrtParams ? dParams : undefined };
}

// Convolutions (1-D and 2-D, plain and transposed), the unfold/fold pair and F.pad's modes, each
// forward beside its backward. A convolution runs as PyTorch's slow path does: the image's
// patches are gathered by the backend's im2col into a matrix [C*kh*kw, N*L], and one matrix
// product per group with the weight [O, C*kh*kw] gives the output; the backward is the same two
// steps read the other way (col2im, the adjoint of im2col, puts gradients back into the image).
// A 1-D convolution is a 2-D one of height 1.
import type { ConvGeometry } from "../backend/backend.js";
import { int64 } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { anyNeedsGrad, type Grad, record, withGradMode } from "./node.js";
import { tracer } from "./trace.js";
import { backendOf, checkDevices } from "./util.js";
import { rawView } from "./view.js";

export type SizeArg = number | readonly number[];
export type PaddingArg = SizeArg | "same" | "valid";

export interface ConvOptions {
  stride?: SizeArg;
  padding?: PaddingArg;
  dilation?: SizeArg;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: SizeArg;
  padding?: SizeArg;
  outputPadding?: SizeArg;
  groups?: number;
  dilation?: SizeArg;
}

const SCALAR_TYPE: Record<string, string> = { float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" };

/** A size argument expanded to one entry per spatial dim (PyTorch's _single / _pair). */
export function expandSize(v: SizeArg, n: number, name: string): number[] {
  if (typeof v === "number") return new Array<number>(n).fill(v);
  if (v.length === 1 && n > 1) return new Array<number>(n).fill(v[0]);
  if (v.length !== n) throw new RangeError(`expected ${name} to be a single integer value or a list of ${n} values to match the convolution dimensions, but got ${name}=[${v.join(", ")}]`);
  return [...v];
}

function listOf(v: readonly number[]): string {
  return `[${v.join(", ")}]`;
}

/** Input rank check with unbatched input allowed, as PyTorch's batchify. */
function batchify(x: Tensor, nd: number, op: string): boolean {
  const d = x.dim();
  if (d !== nd + 1 && d !== nd + 2) {
    throw new RangeError(`Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${op}, but got input of size: ${formatShape(x.shape)}`);
  }
  return d === nd + 2;
}

function checkFloat(x: Tensor, w: Tensor, b: Tensor | null): void {
  if (x.dtype !== w.dtype) {
    throw new TypeError(`expected scalar type ${SCALAR_TYPE[x.dtype.name]} but found ${SCALAR_TYPE[w.dtype.name]}`);
  }
  if (b !== null && b.dtype !== x.dtype) {
    throw new TypeError(`expected scalar type ${SCALAR_TYPE[x.dtype.name]} but found ${SCALAR_TYPE[b.dtype.name]}`);
  }
  if (!x.dtype.isFloatingPoint) throw new TypeError(`"slow_conv2d_cpu" not implemented for '${SCALAR_TYPE[x.dtype.name]}'`);
  checkDevices("convolution", x, w);
  if (b !== null) checkDevices("convolution", x, b);
}

// ------------------------------------------------------------------------------ the kernels

interface Plan {
  n: number;
  groups: number;
  /** Geometry of im2col over the image side (the input of a convolution, the output of a transposed one). */
  geom: ConvGeometry;
}

/**
 * The per-group products as one batched product: a [G, M, K] @ b [G, K, N] (views given by their
 * strides into contiguous matrices), giving the groups' results stacked as a contiguous [G*M, N].
 */
function groupedProduct(groups: number, m: number, k: number, n: number, a: Tensor, aStrides: [number, number], b: Tensor, bStrides: [number, number]): Tensor {
  const av = rawView(a, [groups, m, k], [m * k, aStrides[0], aStrides[1]], a.offset);
  const bv = rawView(b, [groups, k, n], [k * n, bStrides[0], bStrides[1]], b.offset);
  const out = backendOf(a).matmul(av, bv);
  return rawView(out, [groups * m, n], [n, 1], out.offset);
}

/** A [R, N, L] contiguous result as [N, R, ...spatial] contiguous (a transposing copy). */
function batchFirst(t: Tensor, r: number, n: number, l: number, spatial: number[]): Tensor {
  const v = rawView(t, [n, r, l], [l, n * l, 1], t.offset);
  // One image: [R, 1, L] is already [1, R, L].
  const c = n === 1 ? t : backendOf(t).copy(v, t.dtype);
  return new Tensor(c.storage, [n, r, ...spatial], [r * l, l, ...spatialStrides(spatial)], c.offset, c.dtype);
}

/** x [N, C, H, W] (any strides) as a contiguous [C, N*H*W] (a transposing copy). */
function channelsFirst(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape;
  const [s0, s1, s2, s3] = x.strides;
  const t = backendOf(x).copy(rawView(x, [c, n, h, w], [s1, s0, s2, s3], x.offset), x.dtype);
  return rawView(t, [c, n * h * w], [n * h * w, 1], t.offset);
}

function spatialStrides(spatial: number[]): number[] {
  return spatial.length === 2 ? [spatial[1], 1] : [1];
}

/** Weight [O, Cg, kh, kw] (or the transposed [Cin, Og, kh, kw]) as a contiguous matrix [rows, cols]. */
function weightMatrix(w: Tensor, rows: number, cols: number): Tensor {
  // A contiguous weight (every parameter) is read in place: the copy was ResNet-18's whole 47 MB
  // of weights on every forward. The products only read it.
  const c = w.isContiguous() ? w : backendOf(w).copy(w, w.dtype);
  return rawView(c, [rows, cols], [cols, 1], c.offset);
}

/** y [N, O, oh, ow] = conv(x [N, C, H, W], w [O, C/g, kh, kw]) without bias. */
function convForward(x: Tensor, w: Tensor, p: Plan): Tensor {
  const { n, groups, geom } = p;
  const be = backendOf(x);
  const o = w.shape[0];
  const og = o / groups;
  const ckg = w.shape[1] * geom.kernelH * geom.kernelW;
  const l = geom.outH * geom.outW;
  const wm = weightMatrix(w, o, ckg);
  const pointwise = isPointwise(x, geom);
  if (pointwise && groups === 1 && (n === 1 || l >= 64)) {
    // A 1x1 stride-1 convolution is a plain product over channels: x itself is the patch matrix
    // (per image [C, L]), read in place; no im2col. The same values, so the same sums.
    const [s0, s1] = x.strides;
    const y = be.matmul(rawView(wm, [n, o, ckg], [0, ckg, 1], wm.offset), rawView(x, [n, ckg, l], [s0, s1, 1], x.offset));
    return new Tensor(y.storage, [n, o, geom.outH, geom.outW], [o * l, l, geom.outW, 1], y.offset, y.dtype);
  }
  const cols = be.im2col(x, geom);
  if (groups === 1 && n > 1 && l >= 64) {
    // One product per image, the weight shared (batch stride 0), writes y as [N, O, L] directly:
    // no transposing copy of the output. Each element is the same chain over k as in the one wide
    // product [O, K] @ [K, N*L] (both matmul kernels sum an element independently of its column).
    // Below ~64 output positions per image the per-image products are too narrow (the weight is
    // packed again for each image: 20x slower at L = 1, measured), and the copy is small anyway.
    const y = be.matmul(rawView(wm, [n, o, ckg], [0, ckg, 1], wm.offset), rawView(cols, [n, ckg, l], [l, n * l, 1], cols.offset));
    return new Tensor(y.storage, [n, o, geom.outH, geom.outW], [o * l, l, geom.outW, 1], y.offset, y.dtype);
  }
  const y = groupedProduct(groups, og, ckg, n * l, wm, [ckg, 1], cols, [n * l, 1]);
  return batchFirst(y, o, n, l, [geom.outH, geom.outW]);
}

/** The gradients of convForward: input [N, C, H, W] and weight [O, Cg*kh*kw] (as a matrix). */
function convBackward(x: Tensor, w: Tensor, gy: Tensor, p: Plan, needX: boolean, needW: boolean): [Tensor | null, Tensor | null] {
  const { n, groups, geom } = p;
  const be = backendOf(x);
  const o = w.shape[0];
  const og = o / groups;
  const ckg = w.shape[1] * geom.kernelH * geom.kernelW;
  const l = geom.outH * geom.outW;
  const gyc = channelsFirst(gy);
  let gx: Tensor | null = null;
  let gw: Tensor | null = null;
  if (needX) {
    const wm = weightMatrix(w, o, ckg);
    const gcols = groupedProduct(groups, ckg, og, n * l, wm, [1, ckg], gyc, [n * l, 1]);
    gx = be.col2im(rawView(gcols, [groups * ckg, n, l], [n * l, l, 1], gcols.offset), geom);
  }
  if (needW) {
    // One image through a 1x1 stride-1 kernel: x [C, L] is the patch matrix, read in place.
    const cols = n === 1 && groups === 1 && isPointwise(x, geom) ? x : be.im2col(x, geom);
    const cs = cols === x ? x.strides[1] : n * l;
    gw = groupedProduct(groups, og, n * l, ckg, gyc, [n * l, 1], cols, [1, cs]);
  }
  return [gx, gw];
}

/** Whether im2col would only copy x: a 1x1 kernel, stride 1, no padding, rows of x contiguous. */
function isPointwise(x: Tensor, g: ConvGeometry): boolean {
  return (
    g.kernelH === 1 && g.kernelW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0 &&
    g.outH === g.height && g.outW === g.width && x.strides[3] === 1 && x.strides[2] === g.width && x.strides[0] >= 0 && x.strides[1] >= 0
  );
}

/** y [N, O, H', W'] = conv_transpose(x [N, Cin, H, W], w [Cin, O/g, kh, kw]) without bias; geom is over y. */
function convTransposeForward(x: Tensor, w: Tensor, p: Plan): Tensor {
  const { n, groups, geom } = p;
  const be = backendOf(x);
  const cin = w.shape[0];
  const cg = cin / groups;
  const okg = w.shape[1] * geom.kernelH * geom.kernelW;
  const l = geom.outH * geom.outW;
  const xc = channelsFirst(x);
  const wm = weightMatrix(w, cin, okg);
  const cols = groupedProduct(groups, okg, cg, n * l, wm, [1, okg], xc, [n * l, 1]);
  return be.col2im(rawView(cols, [groups * okg, n, l], [n * l, l, 1], cols.offset), geom);
}

function convTransposeBackward(x: Tensor, w: Tensor, gy: Tensor, p: Plan, needX: boolean, needW: boolean): [Tensor | null, Tensor | null] {
  const { n, groups, geom } = p;
  const be = backendOf(x);
  const cin = w.shape[0];
  const cg = cin / groups;
  const okg = w.shape[1] * geom.kernelH * geom.kernelW;
  const l = geom.outH * geom.outW;
  const gcols = be.im2col(gy, geom);
  let gx: Tensor | null = null;
  let gw: Tensor | null = null;
  if (needX) {
    const wm = weightMatrix(w, cin, okg);
    const gxc = groupedProduct(groups, cg, okg, n * l, wm, [okg, 1], gcols, [n * l, 1]);
    gx = batchFirst(gxc, cin, n, l, [geom.outH, geom.outW]);
  }
  if (needW) {
    const xc = channelsFirst(x);
    gw = groupedProduct(groups, cg, n * l, okg, xc, [n * l, 1], gcols, [1, n * l]);
  }
  return [gx, gw];
}

// ------------------------------------------------------------------------------ the op

interface ConvArgs {
  nd: number;
  transposed: boolean;
  stride: number[];
  /** Padding before (top/left) and after (bottom/right) each spatial dim. */
  padBefore: number[];
  padAfter: number[];
  dilation: number[];
  outputPadding: number[];
  groups: number;
}

/** A 3-D (1-D conv) tensor read as 4-D with height 1, or the 4-D tensor itself; no history. */
function as4d(t: Tensor): Tensor {
  if (t.dim() === 4) return t;
  return rawView(t, [t.shape[0], t.shape[1], 1, t.shape[2]], [t.strides[0], t.strides[1], 0, t.strides[2]], t.offset);
}

function checkShapes(x: Tensor, w: Tensor, b: Tensor | null, a: ConvArgs): void {
  const k = a.nd + 2;
  if (w.dim() !== k) {
    // PyTorch reads the number of spatial dims off the weight and finds the stride list too long or short.
    throw new RangeError(
      `expected stride to be a single integer value or a list of ${Math.max(w.dim() - 2, 0)} values to match the convolution dimensions, but got stride=${listOf(a.stride)}`,
    );
  }
  if (x.dim() !== w.dim()) {
    throw new RangeError(`Expected ${w.dim()}-dimensional input for ${w.dim()}-dimensional weight ${listOf(w.shape)}, but got ${x.dim()}-dimensional input of size ${listOf(x.shape)} instead`);
  }
  if (a.padBefore.some((v) => v < 0) || a.padAfter.some((v) => v < 0)) throw new RangeError("negative padding is not supported");
  if (a.outputPadding.some((v) => v < 0)) throw new RangeError("negative output_padding is not supported");
  if (a.stride.some((v) => v <= 0)) throw new RangeError("non-positive stride is not supported");
  if (a.dilation.some((v) => v <= 0)) throw new RangeError("dilation should be greater than zero");
  if (a.groups <= 0) throw new RangeError("non-positive groups is not supported");
  if (w.shape[0] % a.groups !== 0) {
    throw new RangeError(`Given groups=${a.groups}, expected weight to be divisible by ${a.groups} at dimension 0, but got weight of size [${listOf(w.shape)}] instead`);
  }
  if (!a.transposed) {
    if (x.shape[1] !== w.shape[1] * a.groups) {
      throw new RangeError(
        `Given groups=${a.groups}, weight of size ${listOf(w.shape)}, expected input${listOf(x.shape)} to have ${w.shape[1] * a.groups} channels, but got ${x.shape[1]} channels instead`,
      );
    }
    if (b !== null && (b.dim() !== 1 || b.shape[0] !== w.shape[0])) {
      throw new RangeError(`Given weight of size ${listOf(w.shape)}, expected bias to be 1-dimensional with ${w.shape[0]} elements, but got bias of size ${listOf(b.shape)} instead`);
    }
    const padded: number[] = [];
    const kernel: number[] = [];
    for (let d = 0; d < a.nd; d++) {
      padded.push(x.shape[d + 2] + a.padBefore[d] + a.padAfter[d]);
      kernel.push((w.shape[d + 2] - 1) * a.dilation[d] + 1);
    }
    if (padded.some((v, d) => v < kernel[d])) {
      throw new RangeError(`Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${kernel.join(" x ")}). Kernel size can't be greater than actual input size`);
    }
  } else {
    if (x.shape[1] !== w.shape[0]) {
      throw new RangeError(
        `Given transposed=1, weight of size ${listOf(w.shape)}, expected input${listOf(x.shape)} to have ${w.shape[0]} channels, but got ${x.shape[1]} channels instead`,
      );
    }
    const oc = w.shape[1] * a.groups;
    if (b !== null && (b.dim() !== 1 || b.shape[0] !== oc)) {
      throw new RangeError(`Given transposed=1, weight of size ${listOf(w.shape)}, expected bias to be 1-dimensional with ${oc} elements, but got bias of size ${listOf(b.shape)} instead`);
    }
    for (let d = 0; d < a.nd; d++) {
      if (a.outputPadding[d] >= a.stride[d] && a.outputPadding[d] >= a.dilation[d]) {
        throw new RangeError("output padding must be smaller than either stride or dilation");
      }
    }
  }
}

/** The convolution (or transposed convolution) of a batched input, recorded as ConvolutionBackward0. */
function convolution(x: Tensor, w: Tensor, b: Tensor | null, a: ConvArgs): Tensor {
  checkFloat(x, w, b);
  checkShapes(x, w, b, a);
  const x4 = as4d(x);
  const w4 = as4d(w);
  const two = a.nd === 2;
  const n = x.shape[0];
  const kh = w4.shape[2];
  const kw = w4.shape[3];
  const s = two ? a.stride : [1, a.stride[0]];
  const d = two ? a.dilation : [1, a.dilation[0]];
  const pb = two ? a.padBefore : [0, a.padBefore[0]];
  const pa = two ? a.padAfter : [0, a.padAfter[0]];
  let plan: Plan;
  if (!a.transposed) {
    const [h, wd] = [x4.shape[2], x4.shape[3]];
    const outH = Math.floor((h + pb[0] + pa[0] - d[0] * (kh - 1) - 1) / s[0]) + 1;
    const outW = Math.floor((wd + pb[1] + pa[1] - d[1] * (kw - 1) - 1) / s[1]) + 1;
    plan = {
      n,
      groups: a.groups,
      geom: { channels: x4.shape[1], height: h, width: wd, kernelH: kh, kernelW: kw, strideH: s[0], strideW: s[1], padH: pb[0], padW: pb[1], dilationH: d[0], dilationW: d[1], outH, outW },
    };
  } else {
    const op = two ? a.outputPadding : [0, a.outputPadding[0]];
    const [h, wd] = [x4.shape[2], x4.shape[3]];
    const height = (h - 1) * s[0] - 2 * pb[0] + d[0] * (kh - 1) + op[0] + 1;
    const width = (wd - 1) * s[1] - 2 * pb[1] + d[1] * (kw - 1) + op[1] + 1;
    if (height <= 0 || width <= 0) {
      const sizes = two ? `${height}, ${width}` : `${width}`;
      throw new RangeError(`Given input size per channel: (${x.shape.slice(2).join(" x ")}). Calculated output size per channel: (${two ? `${height} x ${width}` : width}). Output size is too small (${sizes})`);
    }
    plan = {
      n,
      groups: a.groups,
      geom: {
        channels: w4.shape[1] * a.groups,
        height,
        width,
        kernelH: kh,
        kernelW: kw,
        strideH: s[0],
        strideW: s[1],
        padH: pb[0],
        padW: pb[1],
        dilationH: d[0],
        dilationW: d[1],
        outH: h,
        outW: wd,
      },
    };
  }
  let y4 = a.transposed ? convTransposeForward(x4, w4, plan) : convForward(x4, w4, plan);
  if (b !== null) y4 = withGradMode(false, () => y4.add(b.detach().view([1, -1, 1, 1])));
  const outShape = two ? y4.shape : [y4.shape[0], y4.shape[1], y4.shape[3]];
  const y = two ? y4 : rawView(y4, outShape, [y4.strides[0], y4.strides[1], y4.strides[3]], y4.offset);
  const out = new Tensor(y.storage, outShape, y.strides, y.offset, y.dtype);
  if (anyNeedsGrad([x, w, b])) {
    record(
      "ConvolutionBackward0",
      [x, w, b],
      out,
      (gy): Grad[] => {
        const g4 = as4d(gy);
        const needX = x.requiresGrad;
        const needW = w.requiresGrad;
        const [gx, gw] = withGradMode(false, () => (a.transposed ? convTransposeBackward(x4, w4, g4, plan, needX, needW) : convBackward(x4, w4, g4, plan, needX, needW)));
        const gb = b?.requiresGrad ? withGradMode(false, () => gy.sum(two ? [0, 2, 3] : [0, 2])) : null;
        return [gx === null ? null : gx.view(x.shape), gw === null ? null : gw.contiguous().view(w.shape), gb];
      },
      [x, w],
    );
  }
  return out;
}

/** Resolves "same" / "valid" / numbers into padding before and after each dim. */
function resolvePadding(padding: PaddingArg, w: Tensor, nd: number, stride: number[], dilation: number[]): [number[], number[]] {
  if (padding === "valid") return [new Array<number>(nd).fill(0), new Array<number>(nd).fill(0)];
  if (padding === "same") {
    if (stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
    const before: number[] = [];
    const after: number[] = [];
    for (let d = 0; d < nd; d++) {
      const total = dilation[d] * (w.shape[d + 2] - 1);
      const left = Math.floor(total / 2);
      before.push(left);
      after.push(total - left);
    }
    return [before, after];
  }
  if (typeof padding === "string") throw new RangeError(`Invalid padding string '${padding}', should be one of {'same', 'valid'}`);
  const p = expandSize(padding, nd, "padding");
  return [p, p.slice()];
}

function convNd(input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions, nd: number, op: string): Tensor {
  const batched = batchify(input, nd, op);
  const stride = expandSize(opts.stride ?? 1, nd, "stride");
  const dilation = expandSize(opts.dilation ?? 1, nd, "dilation");
  const [padBefore, padAfter] = resolvePadding(opts.padding ?? 0, weight, nd, stride, dilation);
  const x = batched ? input : input.unsqueeze(0);
  const y = convolution(x, weight, bias ?? null, { nd, transposed: false, stride, padBefore, padAfter, dilation, outputPadding: new Array<number>(nd).fill(0), groups: opts.groups ?? 1 });
  return batched ? y : y.squeeze(0);
}

function convTransposeNd(input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvTransposeOptions, nd: number, op: string): Tensor {
  const batched = batchify(input, nd, op);
  const stride = expandSize(opts.stride ?? 1, nd, "stride");
  const dilation = expandSize(opts.dilation ?? 1, nd, "dilation");
  const padding = expandSize(opts.padding ?? 0, nd, "padding");
  const outputPadding = expandSize(opts.outputPadding ?? 0, nd, "output_padding");
  const x = batched ? input : input.unsqueeze(0);
  const y = convolution(x, weight, bias ?? null, { nd, transposed: true, stride, padBefore: padding, padAfter: padding, dilation, outputPadding, groups: opts.groups ?? 1 });
  return batched ? y : y.squeeze(0);
}

/** torch.nn.functional.conv1d: input [N, C, L] (or unbatched [C, L]), weight [O, C/groups, k]. */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("conv1d", conv1d, [input, weight, bias, opts]);
  return convNd(input, weight, bias, opts, 1, "conv1d");
}

/** torch.nn.functional.conv2d: input [N, C, H, W] (or unbatched [C, H, W]), weight [O, C/groups, kh, kw]. */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("conv2d", conv2d, [input, weight, bias, opts]);
  return convNd(input, weight, bias, opts, 2, "conv2d");
}

/** torch.nn.functional.conv_transpose1d: weight [Cin, O/groups, k]. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("convTranspose1d", convTranspose1d, [input, weight, bias, opts]);
  return convTransposeNd(input, weight, bias, opts, 1, "conv_transpose1d");
}

/** torch.nn.functional.conv_transpose2d: weight [Cin, O/groups, kh, kw]. */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("convTranspose2d", convTranspose2d, [input, weight, bias, opts]);
  return convTransposeNd(input, weight, bias, opts, 2, "conv_transpose2d");
}

// ------------------------------------------------------------------------------ unfold / fold

export interface UnfoldOptions {
  dilation?: SizeArg;
  padding?: SizeArg;
  stride?: SizeArg;
}

function foldGeometry(kernelSize: SizeArg, opts: UnfoldOptions, channels: number, h: number, w: number): ConvGeometry {
  const [kh, kw] = expandSize(kernelSize, 2, "kernel_size");
  const [dh, dw] = expandSize(opts.dilation ?? 1, 2, "dilation");
  const [ph, pw] = expandSize(opts.padding ?? 0, 2, "padding");
  const [sh, sw] = expandSize(opts.stride ?? 1, 2, "stride");
  if (kh <= 0 || kw <= 0) throw new RangeError(`kernel size should be greater than zero, but got kernel_height: ${kh} kernel_width: ${kw}`);
  if (dh <= 0 || dw <= 0) throw new RangeError(`dilation should be greater than zero, but got dilation_height: ${dh} dilation_width: ${dw}`);
  if (ph < 0 || pw < 0) throw new RangeError(`padding should be non-negative, but got pad_height: ${ph} pad_width: ${pw}`);
  if (sh <= 0 || sw <= 0) throw new RangeError(`stride should be greater than zero, but got stride_height: ${sh} stride_width: ${sw}`);
  const outH = Math.floor((h + 2 * ph - (dh * (kh - 1) + 1)) / sh) + 1;
  const outW = Math.floor((w + 2 * pw - (dw * (kw - 1) + 1)) / sw) + 1;
  return { channels, height: h, width: w, kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw, outH, outW };
}

/** torch.nn.functional.unfold (im2col): input [N, C, H, W] (or [C, H, W]) to [N, C*kh*kw, L]. */
export function unfold(input: Tensor, kernelSize: SizeArg, opts: UnfoldOptions = {}): Tensor {
  const d = input.dim();
  if (d !== 3 && d !== 4) throw new RangeError(`Input Error: Only 3D or 4D input Tensors are supported (got ${d}D)`);
  const x = d === 4 ? input : rawView(input, [1, ...input.shape], [0, ...input.strides], input.offset);
  const [n, c, h, w] = x.shape;
  const g = foldGeometry(kernelSize, opts, c, h, w);
  if (g.outH < 1 || g.outW < 1) {
    throw new RangeError(
      `Given input with spatial size (${h}, ${w}), kernel_size=(${g.kernelH}, ${g.kernelW}), dilation=(${g.dilationH}, ${g.dilationW}), padding=(${g.padH}, ${g.padW}), calculated shape of the array of sliding blocks as (${g.outH}, ${g.outW}), but its components must be at least one.`,
    );
  }
  const rows = c * g.kernelH * g.kernelW;
  const l = g.outH * g.outW;
  const cols = backendOf(x).im2col(x, g);
  const y = batchFirst(cols, rows, n, l, [l]);
  const out = d === 4 ? y : new Tensor(y.storage, [rows, l], [l, 1], y.offset, y.dtype);
  if (anyNeedsGrad([input])) {
    record("Im2ColBackward0", [input], out, (gy) => {
      const g3 = gy.dim() === 3 ? gy : rawView(gy, [1, ...gy.shape], [0, ...gy.strides], gy.offset);
      const gcols = rawView(g3, [rows, n, l], [g3.strides[1], g3.strides[0], g3.strides[2]], g3.offset);
      const gx = backendOf(gy).col2im(gcols, g);
      return [gx.view(input.shape)];
    });
  }
  return out;
}

/** torch.nn.functional.fold (col2im): input [N, C*kh*kw, L] (or [C*kh*kw, L]) summed into [N, C, H, W]. */
export function fold(input: Tensor, outputSize: SizeArg, kernelSize: SizeArg, opts: UnfoldOptions = {}): Tensor {
  const d = input.dim();
  if (d !== 2 && d !== 3) throw new RangeError(`Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ${d}D)`);
  const x = d === 3 ? input : rawView(input, [1, ...input.shape], [0, ...input.strides], input.offset);
  const [n, rows, l] = x.shape;
  const [h, w] = expandSize(outputSize, 2, "output_size");
  const [kh, kw] = expandSize(kernelSize, 2, "kernel_size");
  if (rows % (kh * kw) !== 0) {
    throw new RangeError(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${rows} and kernel_size=(${kh}, ${kw})`);
  }
  const g = foldGeometry(kernelSize, opts, rows / (kh * kw), h, w);
  if (g.outH * g.outW !== l) {
    throw new RangeError(
      `Given output_size=(${h}, ${w}), kernel_size=(${kh}, ${kw}), dilation=(${g.dilationH}, ${g.dilationW}), padding=(${g.padH}, ${g.padW}), stride=(${g.strideH}, ${g.strideW}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${g.outH} * ${g.outW} = ${g.outH * g.outW}, but got input.size(2)=${l}.`,
    );
  }
  const cols = rawView(x, [rows, n, l], [x.strides[1], x.strides[0], x.strides[2]], x.offset);
  const y = backendOf(x).col2im(cols, g);
  const out = d === 3 ? y : new Tensor(y.storage, y.shape.slice(1), y.strides.slice(1), y.offset, y.dtype);
  if (anyNeedsGrad([input])) {
    record("Col2ImBackward0", [input], out, (gy) => {
      const g4 = gy.dim() === 4 ? gy : rawView(gy, [1, ...gy.shape], [0, ...gy.strides], gy.offset);
      const gcols = backendOf(gy).im2col(g4, g);
      const r = batchFirst(gcols, rows, n, l, [l]);
      return [r.view(input.shape)];
    });
  }
  return out;
}

// ------------------------------------------------------------------------------ pad

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/** For one padded dim of size n: the source index of each output position (reflect, replicate, circular). */
function sourceIndices(mode: PadMode, n: number, left: number, right: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n + left + right; i++) {
    let j = i - left;
    if (mode === "reflect") {
      if (j < 0) j = -j;
      if (j >= n) j = 2 * (n - 1) - j;
    } else if (mode === "replicate") {
      j = Math.min(Math.max(j, 0), n - 1);
    } else {
      // Circular: negative amounts crop first, and the wrap reads from what is left (as PyTorch).
      const start = Math.max(-left, 0);
      const len = n - start - Math.max(-right, 0);
      j = start + ((((i - Math.max(left, 0)) % len) + len) % len);
    }
    out.push(j);
  }
  return out;
}

const PAD_NAMES: Record<string, string> = { reflect: "ReflectionPad", replicate: "ReplicationPad" };

/** torch.nn.functional.pad: `pad` lists (left, right) pairs from the last dim backwards. */
export function pad(input: Tensor, padding: readonly number[], opts: { mode?: PadMode; value?: number } = {}): Tensor {
  // Reported here as well as in F.pad: Conv1d/Conv2d pad through this one for their non-zeros padding modes.
  if (tracer !== null && tracer.depth === 0) return tracer.call("pad", pad, [input, padding, opts]);
  const mode = opts.mode ?? "constant";
  if (padding.length % 2 !== 0) throw new RangeError("Padding length must be divisible by 2");
  const k = padding.length / 2;
  if (k > input.dim()) throw new RangeError("Padding length too large");
  if (mode === "constant") return constantPad(input, padding, opts.value ?? 0);
  if (mode !== "reflect" && mode !== "replicate" && mode !== "circular") {
    throw new RangeError(`Unrecognised padding mode ${mode as string}`);
  }
  if (opts.value !== undefined && opts.value !== 0) throw new RangeError(`Padding mode "${mode}" doesn't take in value argument`);
  if (k > 3 || (input.dim() !== k + 1 && input.dim() !== k + 2)) {
    throw new RangeError(`Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now`);
  }
  const nd = input.dim();
  const maps: Array<{ dim: number; index: Tensor }> = [];
  for (let i = 0; i < k; i++) {
    const dim = nd - 1 - i;
    const size = input.shape[dim];
    const [l, r] = [padding[2 * i], padding[2 * i + 1]];
    if (mode === "reflect" && (l >= size || r >= size)) {
      throw new RangeError(
        `Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${dim} of input ${input.dim()}`,
      );
    }
    if (mode === "circular" && (l > size || r > size)) throw new RangeError("Padding value causes wrapping around more than once.");
    if (mode === "replicate" && size === 0) throw new RangeError(`input tensor must have a non-empty dimension ${dim}`);
    if (size + l + r <= 0) {
      throw new RangeError(`input (${input.shape.slice(nd - k).join(", ")}) is too small. Calculated output ${input.shape.slice(nd - k).map((s, j) => s + padding[2 * (k - 1 - j)] + padding[2 * (k - 1 - j) + 1]).join("x")}`);
    }
    const idx = sourceIndices(mode, size, l, r);
    maps.push({ dim, index: Tensor.make([idx.length], int64, Float64Array.from(idx), input.device) });
  }
  const be = backendOf(input);
  let out = input;
  for (const m of maps) out = be.indexSelect(out, m.dim, m.index);
  if (anyNeedsGrad([input])) {
    const name = mode === "circular" ? "CopySlices" : `${PAD_NAMES[mode]}${k}DBackward0`;
    const shapes: number[][] = [];
    let s = input.shape.slice();
    for (const m of maps) {
      shapes.push(s);
      s = s.slice();
      s[m.dim] = m.index.shape[0];
    }
    record(name, [input], out, (gy) => {
      let g = gy;
      for (let i = maps.length - 1; i >= 0; i--) {
        const bg = backendOf(g);
        g = bg.indexAdd(Tensor.make(shapes[i].slice(), g.dtype, undefined, g.device), maps[i].dim, maps[i].index, g);
      }
      return [g];
    });
  }
  return out;
}

/** Constant padding (negative amounts crop), recorded as ConstantPadNdBackward0. */
function constantPad(input: Tensor, padding: readonly number[], value: number): Tensor {
  const nd = input.dim();
  const k = padding.length / 2;
  const shape = input.shape.slice();
  // The window of the input kept (crops), and where it lands in the output.
  const srcStart = new Array<number>(nd).fill(0);
  const dstStart = new Array<number>(nd).fill(0);
  const len = input.shape.slice();
  for (let i = 0; i < k; i++) {
    const dim = nd - 1 - i;
    const [l, r] = [padding[2 * i], padding[2 * i + 1]];
    shape[dim] = input.shape[dim] + l + r;
    if (shape[dim] < 0 || (shape[dim] === 0 && input.shape[dim] > 0 && l + r < 0)) {
      throw new RangeError(
        `The input size ${input.shape[dim]}, plus negative padding ${Math.min(l, 0)} and ${Math.min(r, 0)} resulted in a negative output size, which is invalid. Check dimension ${dim} of your input.`,
      );
    }
    srcStart[dim] = Math.max(-l, 0);
    dstStart[dim] = Math.max(l, 0);
    len[dim] = Math.max(input.shape[dim] - Math.max(-l, 0) - Math.max(-r, 0), 0);
  }
  const be = backendOf(input);
  const out = Tensor.make(shape, input.dtype, undefined, input.device);
  if (value !== 0) be.assign(out, value);
  const win = (t: Tensor, start: number[]) => {
    let off = t.offset;
    for (let d = 0; d < nd; d++) off += start[d] * t.strides[d];
    return rawView(t, len.slice(), t.strides.slice(), off);
  };
  if (len.every((v) => v > 0)) be.assign(win(out, dstStart), win(input, srcStart));
  if (anyNeedsGrad([input])) {
    record("ConstantPadNdBackward0", [input], out, (gy) => {
      const g = Tensor.make(input.shape.slice(), gy.dtype, undefined, gy.device);
      if (len.every((v) => v > 0)) backendOf(gy).assign(win(g, srcStart), win(gy, dstStart));
      return [g];
    });
  }
  return out;
}

// nn.TransformerEncoderLayer / TransformerDecoderLayer, the TransformerEncoder / TransformerDecoder
// stacks (deep copies of one layer, as PyTorch's _get_clones) and nn.Transformer, with PyTorch's
// parameter names, initialisation order, dropout placement and reprs.
import { full } from "../../ops/creation.js";
import { triu } from "../../ops/triangular.js";
import type { DType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./container.js";
import { Dropout } from "./dropout.js";
import { type PositionalOr, trailing } from "../functional/args.js";
import { type FactoryOptions, Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";

/** The feed-forward activation: "relu", "gelu", a function of a tensor, or a module. */
export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

export interface TransformerLayerOptions extends FactoryOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: TransformerActivation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}

type LayerArgs = PositionalOr<[number, number, TransformerActivation, number, boolean, boolean], TransformerLayerOptions>;

// nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout) is how PyTorch's own tutorial builds it
function layerOptions(rest: readonly unknown[]): TransformerLayerOptions {
  return trailing<TransformerLayerOptions>(["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst"], rest);
}

function activationOf(a: TransformerActivation | undefined): ((x: Tensor) => Tensor) | Module {
  if (a === undefined || a === "relu") return F.relu;
  if (a === "gelu") return F.gelu;
  if (typeof a === "string") throw new RangeError(`activation should be relu/gelu, not ${a}`);
  return a;
}

function applyActivation(a: ((x: Tensor) => Tensor) | Module, x: Tensor): Tensor {
  return a instanceof Module ? a.forward(x) : a(x);
}

/**
 * A deep copy of a module, as Python's copy.deepcopy makes one: new parameters, buffers and
 * submodules holding copies of the values (shared tensors stay shared within the copy), the
 * same training mode, and no draw from the random generator.
 */
export function deepCopyModule<M extends Module>(m: M, memo: Map<unknown, unknown> = new Map()): M {
  const seen = memo.get(m);
  if (seen) return seen as M;
  const copy = Reflect.construct(Module, [], m.constructor) as M;
  memo.set(m, copy);
  const persistent = new Set(Object.keys(m.stateDict({ keepVars: true })));
  const buffers = new Set<string>();
  for (const [name, buf] of m.namedBuffers({ recurse: false })) {
    buffers.add(name);
    copy.registerBuffer(name, copyValue(buf, memo) as Tensor, { persistent: persistent.has(name) });
  }
  const src = m as unknown as Record<string, unknown>;
  const dst = copy as unknown as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    if (buffers.has(key)) continue;
    dst[key] = copyValue(src[key], memo);
  }
  copy.training = m.training;
  return copy;
}

function copyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== "object") return v;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  let out: unknown;
  if (v instanceof Module) return deepCopyModule(v, memo);
  if (v instanceof Parameter) out = new Parameter(v.detach().clone(), v.requiresGrad);
  else if (v instanceof Tensor) {
    const c = v.detach().clone();
    out = v.requiresGrad ? c.requiresGrad_() : c;
  } else if (Array.isArray(v)) out = v.map((x) => copyValue(x, memo));
  else if (Object.getPrototypeOf(v) === Object.prototype) out = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyValue(x, memo)]));
  else out = v;
  memo.set(v, out);
  return out;
}

export interface EncoderLayerForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * Self-attention and a feed-forward block, each with dropout, a residual connection and a
 * LayerNorm (after the sum, or before the block with normFirst), as PyTorch's layer.
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;

  /** (dModel, nhead, dimFeedforward?, dropout?, activation?, layerNormEps?, batchFirst?, normFirst?), any trailing run as one options object. */
  constructor(dModel: number, nhead: number, ...rest: LayerArgs) {
    super();
    const opts = layerOptions(rest);
    const f = { dtype: opts.dtype, device: opts.device };
    const p = opts.dropout ?? 0.1;
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst ?? false, ...f });
    this.linear1 = new Linear(dModel, opts.dimFeedforward ?? 2048, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(opts.dimFeedforward ?? 2048, dModel, f);
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activationOf(opts.activation);
  }

  /** forward(src, srcMask?, srcKeyPaddingMask?) in PyTorch's order, or forward(src, { srcMask, srcKeyPaddingMask }). */
  override forward(src: Tensor, srcMask?: MaskArg<EncoderLayerForwardOptions>, srcKeyPaddingMask?: MaskArg<EncoderLayerForwardOptions>): Tensor {
    const opts = trailing<EncoderLayerForwardOptions>(["srcMask", "srcKeyPaddingMask"], [srcMask, srcKeyPaddingMask]);
    const mask = opts.srcMask ?? null;
    const kpm = opts.srcKeyPaddingMask ?? null;
    let x = src;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.forward(x), mask, kpm));
      x = x.add(this.ffBlock(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.saBlock(x, mask, kpm)));
      x = this.norm2.forward(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.self_attn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1.forward(y);
  }

  private ffBlock(x: Tensor): Tensor {
    const y = this.linear2.forward(this.dropout.forward(applyActivation(this.activation, this.linear1.forward(x))));
    return this.dropout2.forward(y);
  }
}

export interface DecoderLayerForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

/**
 * A mask given positionally, or the options object that stands in for it and the masks after
 * it. Ported code passes masks positionally (`self.transformer.decoder(tgt, memory, tgt_mask)`);
 * taking only an options object would read a mask tensor as empty options and silently attend
 * everywhere.
 */
export type MaskArg<O> = Tensor | null | O;
export type DecoderMaskArgs = [MaskArg<DecoderLayerForwardOptions>?, MaskArg<DecoderLayerForwardOptions>?, MaskArg<DecoderLayerForwardOptions>?, MaskArg<DecoderLayerForwardOptions>?];

function decoderOptions(masks: DecoderMaskArgs): Partial<DecoderLayerForwardOptions> {
  return trailing<DecoderLayerForwardOptions>(["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"], masks);
}

/** Self-attention, attention over the encoder's memory, and a feed-forward block, as PyTorch's layer. */
export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;

  /** (dModel, nhead, dimFeedforward?, dropout?, activation?, layerNormEps?, batchFirst?, normFirst?), any trailing run as one options object. */
  constructor(dModel: number, nhead: number, ...rest: LayerArgs) {
    super();
    const opts = layerOptions(rest);
    const f = { dtype: opts.dtype, device: opts.device };
    const p = opts.dropout ?? 0.1;
    const eps = opts.layerNormEps ?? 1e-5;
    const batchFirst = opts.batchFirst ?? false;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, ...f });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, ...f });
    this.linear1 = new Linear(dModel, opts.dimFeedforward ?? 2048, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(opts.dimFeedforward ?? 2048, dModel, f);
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, ...f });
    this.norm3 = new LayerNorm(dModel, { eps, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activationOf(opts.activation);
  }

  /** forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?) in PyTorch's order, or an options object for any trailing run. */
  override forward(tgt: Tensor, memory: Tensor, ...masks: DecoderMaskArgs): Tensor {
    const opts = decoderOptions(masks);
    const tgtMask = opts.tgtMask ?? null;
    const memoryMask = opts.memoryMask ?? null;
    const tgtKpm = opts.tgtKeyPaddingMask ?? null;
    const memKpm = opts.memoryKeyPaddingMask ?? null;
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.forward(x), tgtMask, tgtKpm));
      x = x.add(this.mhaBlock(this.norm2.forward(x), memory, memoryMask, memKpm));
      x = x.add(this.ffBlock(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.saBlock(x, tgtMask, tgtKpm)));
      x = this.norm2.forward(x.add(this.mhaBlock(x, memory, memoryMask, memKpm)));
      x = this.norm3.forward(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.self_attn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1.forward(y);
  }

  private mhaBlock(x: Tensor, mem: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    const [y] = this.multihead_attn.forward(x, mem, mem, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout2.forward(y);
  }

  private ffBlock(x: Tensor): Tensor {
    const y = this.linear2.forward(this.dropout.forward(applyActivation(this.activation, this.linear1.forward(x))));
    return this.dropout3.forward(y);
  }
}

function clones<M extends Module>(layer: M, n: number): ModuleList<M> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`num_layers must be a non-negative integer, got ${n}`);
  return new ModuleList(Array.from({ length: n }, () => deepCopyModule(layer)));
}

function checkKeyPaddingMask(mask: Tensor | null | undefined): void {
  if (mask && mask.dtype.name !== "bool" && !mask.dtype.isFloatingPoint) throw new TypeError("only bool and floating types of key_padding_mask are supported");
}

export interface EncoderForwardOptions {
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

/** numLayers deep copies of an encoder layer run in turn (equal parameters at the start), then an optional norm. */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  numLayers: number;
  norm: Module | null;

  /** new TransformerEncoder(encoderLayer, numLayers, norm?, enableNestedTensor?), or { norm } for the rest. */
  constructor(
    encoderLayer: TransformerEncoderLayer,
    numLayers: number,
    ...rest: PositionalOr<[Module | null, boolean], { norm?: Module | null; enableNestedTensor?: boolean }>
  ) {
    super();
    const opts = trailing<{ norm?: Module | null; enableNestedTensor?: boolean }>(["norm", "enableNestedTensor"], rest);
    this.layers = clones(encoderLayer, numLayers);
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /** forward(src, mask?, srcKeyPaddingMask?) in PyTorch's order, or forward(src, { mask, srcKeyPaddingMask }). */
  override forward(src: Tensor, mask?: MaskArg<EncoderForwardOptions>, srcKeyPaddingMask?: MaskArg<EncoderForwardOptions>): Tensor {
    const opts = trailing<EncoderForwardOptions>(["mask", "srcKeyPaddingMask"], [mask, srcKeyPaddingMask]);
    checkKeyPaddingMask(opts.srcKeyPaddingMask);
    let output = src;
    for (const mod of this.layers) output = mod.forward(output, { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null });
    if (this.norm) output = this.norm.forward(output);
    return output;
  }
}

/** numLayers deep copies of a decoder layer run in turn, then an optional norm. */
export class TransformerDecoder extends Module {
  layers: ModuleList<TransformerDecoderLayer>;
  numLayers: number;
  norm: Module | null;

  /** new TransformerDecoder(decoderLayer, numLayers, norm?), or { norm }. */
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, ...rest: PositionalOr<[Module | null], { norm?: Module | null }>) {
    super();
    const opts = trailing<{ norm?: Module | null }>(["norm"], rest);
    this.layers = clones(decoderLayer, numLayers);
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /** forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?) in PyTorch's order, or an options object for any trailing run. */
  override forward(tgt: Tensor, memory: Tensor, ...masks: DecoderMaskArgs): Tensor {
    const opts = decoderOptions(masks);
    let output = tgt;
    for (const mod of this.layers) output = mod.forward(output, memory, opts);
    if (this.norm) output = this.norm.forward(output);
    return output;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  customEncoder?: Module | null;
  customDecoder?: Module | null;
}

export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

/**
 * The encoder-decoder Transformer of "Attention Is All You Need": an encoder and a decoder
 * stack, each ending in a LayerNorm; every parameter with more than one dim is re-drawn with
 * xavier_uniform_, in parameter order, as PyTorch's _reset_parameters does.
 */
export class Transformer extends Module {
  /** The encoder stack (or the customEncoder given, which must take the same forward arguments). */
  encoder: TransformerEncoder;
  /** The decoder stack (or the customDecoder given). */
  decoder: TransformerDecoder;
  dModel: number;
  nhead: number;
  batchFirst: boolean;

  /**
   * new Transformer(dModel?, nhead?, numEncoderLayers?, numDecoderLayers?, dimFeedforward?, dropout?,
   * activation?, customEncoder?, customDecoder?, layerNormEps?, batchFirst?, normFirst?), any
   * trailing run as one options object (new Transformer({ dModel: 512, nhead: 8 })).
   */
  constructor(
    ...rest: PositionalOr<
      [number, number, number, number, number, number, TransformerActivation, Module | null, Module | null, number, boolean, boolean],
      TransformerOptions
    >
  ) {
    super();
    const opts = trailing<TransformerOptions>(
      ["dModel", "nhead", "numEncoderLayers", "numDecoderLayers", "dimFeedforward", "dropout", "activation", "customEncoder", "customDecoder", "layerNormEps", "batchFirst", "normFirst"],
      rest,
    );
    const dModel = opts.dModel ?? 512;
    const nhead = opts.nhead ?? 8;
    const f = { dtype: opts.dtype, device: opts.device };
    const eps = opts.layerNormEps ?? 1e-5;
    const layerOpts: TransformerLayerOptions = {
      dimFeedforward: opts.dimFeedforward ?? 2048,
      dropout: opts.dropout ?? 0.1,
      activation: opts.activation,
      layerNormEps: eps,
      batchFirst: opts.batchFirst ?? false,
      normFirst: opts.normFirst ?? false,
      ...f,
    };
    if (opts.customEncoder) this.encoder = opts.customEncoder as TransformerEncoder;
    else {
      const layer = new TransformerEncoderLayer(dModel, nhead, layerOpts);
      this.encoder = new TransformerEncoder(layer, opts.numEncoderLayers ?? 6, { norm: new LayerNorm(dModel, { eps, ...f }) });
    }
    if (opts.customDecoder) this.decoder = opts.customDecoder as TransformerDecoder;
    else {
      const layer = new TransformerDecoderLayer(dModel, nhead, layerOpts);
      this.decoder = new TransformerDecoder(layer, opts.numDecoderLayers ?? 6, { norm: new LayerNorm(dModel, { eps, ...f }) });
    }
    this.resetParameters();
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = opts.batchFirst ?? false;
  }

  /** xavier_uniform_ on every parameter with more than one dim, in parameters() order. */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.dim() > 1) init.xavierUniform_(p);
  }

  /**
   * forward(src, tgt, srcMask?, tgtMask?, memoryMask?, srcKeyPaddingMask?, tgtKeyPaddingMask?,
   * memoryKeyPaddingMask?) in PyTorch's order, or an options object for any trailing run.
   */
  override forward(src: Tensor, tgt: Tensor, ...masks: MaskArg<TransformerForwardOptions>[]): Tensor {
    const opts = trailing<TransformerForwardOptions>(
      ["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask"],
      masks,
    );
    const isBatched = src.dim() === 3;
    if (!this.batchFirst && isBatched && src.shape[1] !== tgt.shape[1]) throw new RangeError("the batch number of src and tgt must be equal");
    if (this.batchFirst && isBatched && src.shape[0] !== tgt.shape[0]) throw new RangeError("the batch number of src and tgt must be equal");
    if (src.shape[src.dim() - 1] !== this.dModel || tgt.shape[tgt.dim() - 1] !== this.dModel) {
      throw new RangeError("the feature number of src and tgt must be equal to d_model");
    }
    const memory = this.encoder.forward(src, { mask: opts.srcMask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null });
    return this.decoder.forward(tgt, memory, {
      tgtMask: opts.tgtMask ?? null,
      memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
    });
  }

  /** An additive causal mask: 0 on and below the diagonal, -inf above it (float32 unless dtype says otherwise). */
  static generateSquareSubsequentMask(size: number, opts: { device?: string; dtype?: DType } = {}): Tensor {
    return triu(full([size, size], Number.NEGATIVE_INFINITY, { device: opts.device, dtype: opts.dtype }), 1);
  }
}

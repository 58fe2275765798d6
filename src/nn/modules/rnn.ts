// Recurrent layers (RNN, LSTM with projections, GRU) and their cells, with PyTorch 1.13's
// parameter names, initialisation order, dropout draws, reprs and error messages.
//
// Each layer and direction runs as PyTorch's CPU implementation does: the input projection of
// all time steps is one matrix product, then every step is one product with the hidden state
// plus the gates' pointwise kernel (src/ops/recurrent.ts). Padded input runs as a packed
// sequence whose batch never shrinks, so both share one loop.
import { empty, zeros } from "../../ops/creation.js";
import { gruCellPointwise, lstmCellPointwise, lstmLayer } from "../../ops/recurrent.js";
import { tracer } from "../../ops/trace.js";
import { cat, stack } from "../../ops/view.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, pyBool, pyFloat } from "../module.js";
import { Parameter } from "../parameter.js";
import { PackedSequence } from "../utils/rnn.js";
import type { FactoryOptions } from "./linear.js";
import { type PositionalOr, trailing } from "../functional/args.js";

export type RNNMode = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";

export interface RNNBaseOptions extends FactoryOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
  projSize?: number;
}

function tupleStr(s: readonly number[]): string {
  return `(${s.join(", ")}${s.length === 1 ? "," : ""})`;
}
function listStr(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** What an RNN module reports to the ONNX tracer besides its tensors (see runModule; read by src/onnx/mappings.ts). */
export interface RNNTraceSpec {
  mode: RNNMode;
  numLayers: number;
  hiddenSize: number;
  bidirectional: boolean;
  batchFirst: boolean;
  bias: boolean;
  projSize: number;
  /** The dropout between layers that this run applies (0 in eval mode). */
  dropout: number;
}

/** One layer-direction's weights. */
interface LayerWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  wHr: Tensor | null;
}

/** The state one direction of one layer carries: h, and c for an LSTM. */
interface State {
  h: Tensor;
  c: Tensor | null;
}

/** The shared machinery of RNN, LSTM and GRU (PyTorch's RNNBase). */
export class RNNBase extends Module {
  /** The parameters by PyTorch's names: weight_ih_l0, weight_hh_l1_reverse, weight_hr_l0, ... */
  [name: `weight_${string}`]: Parameter;
  /** bias_ih_l0, bias_hh_l0_reverse, ... (absent when built with { bias: false }). */
  [name: `bias_${string}`]: Parameter;
  mode: RNNMode;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
  projSize: number;

  constructor(mode: RNNMode, inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    super();
    const numLayers = opts.numLayers ?? 1;
    const dropout = opts.dropout ?? 0;
    const projSize = opts.projSize ?? 0;
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = opts.bidirectional ?? false;
    this.projSize = projSize;
    const numDirections = this.bidirectional ? 2 : 1;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
      throw new RangeError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    }
    if (dropout > 0 && numLayers === 1) {
      console.warn(
        `UserWarning: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${dropout} and num_layers=${numLayers}`,
      );
    }
    if (projSize < 0) throw new RangeError("proj_size should be a positive integer or zero to disable projections");
    if (projSize >= hiddenSize) throw new RangeError("proj_size has to be smaller than hidden_size");
    const gateSize = mode === "LSTM" ? 4 * hiddenSize : mode === "GRU" ? 3 * hiddenSize : hiddenSize;
    const f = { dtype: opts.dtype, device: opts.device };
    const self = this as unknown as Record<string, Parameter>;
    for (let layer = 0; layer < numLayers; layer++) {
      for (let direction = 0; direction < numDirections; direction++) {
        const realHidden = projSize > 0 ? projSize : hiddenSize;
        const layerInput = layer === 0 ? inputSize : realHidden * numDirections;
        const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
        self[`weight_ih${suffix}`] = new Parameter(empty([gateSize, layerInput], f));
        self[`weight_hh${suffix}`] = new Parameter(empty([gateSize, realHidden], f));
        if (this.bias) {
          self[`bias_ih${suffix}`] = new Parameter(empty([gateSize], f));
          self[`bias_hh${suffix}`] = new Parameter(empty([gateSize], f));
        }
        if (projSize > 0) self[`weight_hr${suffix}`] = new Parameter(empty([projSize, hiddenSize], f));
      }
    }
    this.resetParameters();
  }

  /** Every parameter uniform on +-1/sqrt(hiddenSize), in registration order, as PyTorch draws them. */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /** PyTorch packs cuDNN's weights into one buffer here; the CPU kernels need nothing, so this does nothing. */
  flattenParameters(): void {}

  /** The parameter names in registration order, layer by layer (PyTorch's _flat_weights_names). */
  get flatWeightsNames(): string[] {
    return this.namedParameters().map(([n]) => n);
  }

  /** The parameters' lists per layer (PyTorch's all_weights). */
  get allWeights(): Parameter[][] {
    const out: Parameter[][] = [];
    const self = this as unknown as Record<string, Parameter>;
    const numDirections = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let direction = 0; direction < numDirections; direction++) {
        const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
        const names = ["weight_ih", "weight_hh", ...(this.bias ? ["bias_ih", "bias_hh"] : []), ...(this.projSize > 0 ? ["weight_hr"] : [])];
        out.push(names.map((n) => self[`${n}${suffix}`]));
      }
    }
    return out;
  }

  private weights(layer: number, direction: number): LayerWeights {
    const self = this as unknown as Record<string, Tensor | undefined>;
    const suffix = `_l${layer}${direction === 1 ? "_reverse" : ""}`;
    return {
      wIh: self[`weight_ih${suffix}`]!,
      wHh: self[`weight_hh${suffix}`]!,
      bIh: self[`bias_ih${suffix}`] ?? null,
      bHh: self[`bias_hh${suffix}`] ?? null,
      wHr: self[`weight_hr${suffix}`] ?? null,
    };
  }

  protected checkInput(input: Tensor, batchSizes: number[] | null): void {
    const expected = batchSizes !== null ? 2 : 3;
    if (input.dim() !== expected) throw new RangeError(`input must have ${expected} dimensions, got ${input.dim()}`);
    if (this.inputSize !== input.shape[input.dim() - 1]) {
      throw new RangeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.dim() - 1]}`);
    }
  }

  protected expectedHiddenSize(input: Tensor, batchSizes: number[] | null): number[] {
    const miniBatch = batchSizes !== null ? batchSizes[0] : this.batchFirst ? input.shape[0] : input.shape[1];
    const numDirections = this.bidirectional ? 2 : 1;
    return [this.numLayers * numDirections, miniBatch, this.projSize > 0 ? this.projSize : this.hiddenSize];
  }

  protected checkHiddenSize(hx: Tensor, expected: number[], msg = "Expected hidden size"): void {
    if (!sameShape(hx.shape, expected)) throw new RangeError(`${msg} ${tupleStr(expected)}, got ${listStr(hx.shape)}`);
  }

  /**
   * Runs the layers over a packed input: data [N, I] and its batch sizes; hx [L * D, B, Hr]
   * (cx [L * D, B, H] for an LSTM). Returns the output data [N, D * Hr] and the final states.
   */
  protected runLayers(data: Tensor, batchSizes: number[], hx: Tensor, cx: Tensor | null): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    const numDirections = this.bidirectional ? 2 : 1;
    const h0s = hx.unbind(0);
    const c0s = cx ? cx.unbind(0) : null;
    const finalH: Tensor[] = [];
    const finalC: Tensor[] = [];
    let layerInput = data;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let direction = 0; direction < numDirections; direction++) {
        const k = layer * numDirections + direction;
        const state: State = { h: h0s[k], c: c0s ? c0s[k] : null };
        const run = direction === 0 ? this.forwardDirection(layerInput, batchSizes, state, this.weights(layer, direction)) : this.reverseDirection(layerInput, batchSizes, state, this.weights(layer, direction));
        outs.push(run.output);
        finalH.push(run.final.h);
        if (run.final.c) finalC.push(run.final.c);
      }
      layerInput = numDirections === 1 ? outs[0] : cat(outs, 1);
      // PyTorch draws one mask over each inner layer's whole output (both directions), in order.
      if (this.dropout !== 0 && this.training && layer < this.numLayers - 1) layerInput = F.dropout(layerInput, this.dropout, true);
    }
    return { output: layerInput, hN: stack(finalH, 0), cN: cx ? stack(finalC, 0) : null };
  }

  /** One step of this module's cell: the new state from the step's input gates and the state. */
  private step(ig: Tensor, s: State, w: LayerWeights): State {
    const hg = F.linear(s.h, w.wHh, w.bHh);
    switch (this.mode) {
      case "LSTM": {
        const [h, c] = lstmCellPointwise(ig, hg, s.c!);
        return { h: w.wHr ? F.linear(h, w.wHr) : h, c };
      }
      case "GRU":
        return { h: gruCellPointwise(ig, hg, s.h), c: null };
      case "RNN_TANH":
        return { h: hg.add(ig).tanh(), c: null };
      default:
        return { h: hg.add(ig).relu(), c: null };
    }
  }

  /** An LSTM direction over a batch that never shrinks, as one node (src/ops/recurrent.ts), or null. */
  private lstmFast(x: Tensor, batchSizes: number[], state: State, w: LayerWeights, reverse: boolean): { output: Tensor; final: State } | null {
    if (this.mode !== "LSTM" || batchSizes.some((b) => b !== batchSizes[0]) || state.h.shape[0] !== batchSizes[0]) return null;
    const r = lstmLayer(F.linear(x, w.wIh, w.bIh), batchSizes.length, batchSizes[0], state.h, state.c!, w.wHh, w.bHh, w.wHr, reverse);
    return r && { output: r.output, final: { h: r.hN, c: r.cN } };
  }

  private forwardDirection(x: Tensor, batchSizes: number[], state: State, w: LayerWeights): { output: Tensor; final: State } {
    const fast = this.lstmFast(x, batchSizes, state, w, false);
    if (fast) return fast;
    const steps = F.linear(x, w.wIh, w.bIh).split(batchSizes, 0);
    const finals: State[] = [];
    const outs: Tensor[] = [];
    let s = state;
    let last = batchSizes[0];
    for (let t = 0; t < batchSizes.length; t++) {
      const bs = batchSizes[t];
      if (bs < last) {
        // Sequences that ended: their last state is final.
        finals.push({ h: s.h.narrow(0, bs, last - bs), c: s.c ? s.c.narrow(0, bs, last - bs) : null });
        s = { h: s.h.narrow(0, 0, bs), c: s.c ? s.c.narrow(0, 0, bs) : null };
      }
      last = bs;
      s = this.step(steps[t], s, w);
      outs.push(s.h);
    }
    finals.push(s);
    finals.reverse();
    const final: State =
      finals.length === 1
        ? s
        : { h: cat(finals.map((f) => f.h), 0), c: s.c ? cat(finals.map((f) => f.c!), 0) : null };
    return { output: outs.length === 1 ? outs[0] : cat(outs, 0), final };
  }

  private reverseDirection(x: Tensor, batchSizes: number[], state: State, w: LayerWeights): { output: Tensor; final: State } {
    const fast = this.lstmFast(x, batchSizes, state, w, true);
    if (fast) return fast;
    const steps = F.linear(x, w.wIh, w.bIh).split(batchSizes, 0);
    const T = batchSizes.length;
    const outs: Tensor[] = new Array(T);
    let last = batchSizes[T - 1];
    const full = state;
    let s: State = last === full.h.shape[0] ? full : { h: full.h.narrow(0, 0, last), c: full.c ? full.c.narrow(0, 0, last) : null };
    for (let t = T - 1; t >= 0; t--) {
      const bs = batchSizes[t];
      if (bs > last) {
        // Sequences that start here (counting backwards) join with their initial state.
        s = {
          h: cat([s.h, full.h.narrow(0, last, bs - last)], 0),
          c: s.c ? cat([s.c, full.c!.narrow(0, last, bs - last)], 0) : null,
        };
      }
      last = bs;
      s = this.step(steps[t], s, w);
      outs[t] = s.h;
    }
    return { output: T === 1 ? outs[0] : cat(outs, 0), final: s };
  }

  /** Runs the module on a padded or packed input with its initial states (already checked and batched). */
  protected runModule(
    input: Tensor | PackedSequence,
    hx: Tensor | null,
    cx: Tensor | null,
  ): { output: Tensor | PackedSequence; hN: Tensor; cN: Tensor | null; isBatched: boolean } {
    if (tracer !== null && tracer.depth === 0 && !(input instanceof PackedSequence)) {
      // ONNX has RNN, GRU and LSTM ops of its own: the whole run reports as one op, with the
      // weights (layer by layer, direction by direction, in registration order) and the settings
      // the mapping needs to build those nodes.
      const spec: RNNTraceSpec = {
        mode: this.mode,
        numLayers: this.numLayers,
        hiddenSize: this.hiddenSize,
        bidirectional: this.bidirectional,
        batchFirst: this.batchFirst,
        bias: this.bias,
        projSize: this.projSize,
        dropout: this.training ? this.dropout : 0,
      };
      const run = (x: Tensor, h: Tensor | null, c: Tensor | null): Tensor[] => {
        const r = this.runModule(x, h, c);
        return r.cN ? [r.output as Tensor, r.hN, r.cN] : [r.output as Tensor, r.hN];
      };
      const outs = tracer.call("rnn", run, [input, hx, cx, this.allWeights.flat(), spec]);
      return { output: outs[0], hN: outs[1], cN: outs[2] ?? null, isBatched: input.dim() === 3 };
    }
    const numDirections = this.bidirectional ? 2 : 1;
    const realHidden = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const isLstm = this.mode === "LSTM";
    if (input instanceof PackedSequence) {
      const batchSizes = input.batchSizesArray();
      const data = input.data;
      const maxBatch = batchSizes[0];
      let h = hx ?? zeros([this.numLayers * numDirections, maxBatch, realHidden], { dtype: data.dtype, device: data.device });
      let c = isLstm ? (cx ?? zeros([this.numLayers * numDirections, maxBatch, this.hiddenSize], { dtype: data.dtype, device: data.device })) : null;
      if (hx !== null && input.sortedIndices !== null) {
        h = h.indexSelect(1, input.sortedIndices);
        if (c && cx) c = c.indexSelect(1, input.sortedIndices);
      }
      this.checkForward(data, h, c, batchSizes);
      const r = this.runLayers(data, batchSizes, h, c);
      let hN = r.hN;
      let cN = r.cN;
      if (input.unsortedIndices !== null) {
        hN = hN.indexSelect(1, input.unsortedIndices);
        if (cN) cN = cN.indexSelect(1, input.unsortedIndices);
      }
      return { output: new PackedSequence(r.output, input.batchSizes, input.sortedIndices, input.unsortedIndices), hN, cN, isBatched: true };
    }
    let x = input;
    const isBatched = x.dim() === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    if (!isBatched) x = x.unsqueeze(batchDim);
    let h = hx;
    let c = cx;
    if (h === null) {
      const maxBatch = this.batchFirst ? x.shape[0] : x.shape[1];
      h = zeros([this.numLayers * numDirections, maxBatch, realHidden], { dtype: x.dtype, device: x.device });
      if (isLstm) c = zeros([this.numLayers * numDirections, maxBatch, this.hiddenSize], { dtype: x.dtype, device: x.device });
    } else if (isLstm) {
      if (isBatched) {
        if (h.dim() !== 3 || c!.dim() !== 3) {
          throw new RangeError(`For batched 3-D input, hx and cx should also be 3-D but got (${h.dim()}-D, ${c!.dim()}-D) tensors`);
        }
      } else {
        if (h.dim() !== 2 || c!.dim() !== 2) {
          throw new RangeError(`For unbatched 2-D input, hx and cx should also be 2-D but got (${h.dim()}-D, ${c!.dim()}-D) tensors`);
        }
        h = h.unsqueeze(1);
        c = c!.unsqueeze(1);
      }
    } else if (isBatched) {
      if (h.dim() !== 3) throw new RangeError(`For batched 3-D input, hx should also be 3-D but got ${h.dim()}-D tensor`);
    } else {
      if (h.dim() !== 2) throw new RangeError(`For unbatched 2-D input, hx should also be 2-D but got ${h.dim()}-D tensor`);
      h = h.unsqueeze(1);
    }
    this.checkForward(x, h, c, null);
    // Time-major [T, B, I], flattened to the packed layout of a batch that never shrinks.
    const tm = this.batchFirst ? x.transpose(0, 1) : x;
    const [T, B] = tm.shape;
    if (T === 0) throw new RangeError("Expected sequence length to be larger than 0 in RNN");
    const r = this.runLayers(tm.reshape([T * B, this.inputSize]), new Array<number>(T).fill(B), h, c);
    let output = r.output.view([T, B, numDirections * realHidden]);
    if (this.batchFirst) output = output.transpose(0, 1);
    let hN = r.hN;
    let cN = r.cN;
    if (!isBatched) {
      output = output.squeeze(batchDim);
      hN = hN.squeeze(1);
      if (cN) cN = cN.squeeze(1);
    }
    return { output, hN, cN, isBatched };
  }

  private checkForward(input: Tensor, h: Tensor, c: Tensor | null, batchSizes: number[] | null): void {
    this.checkInput(input, batchSizes);
    const expected = this.expectedHiddenSize(input, batchSizes);
    if (this.mode === "LSTM") {
      this.checkHiddenSize(h, expected, "Expected hidden[0] size");
      this.checkHiddenSize(c!, [expected[0], expected[1], this.hiddenSize], "Expected hidden[1] size");
    } else {
      this.checkHiddenSize(h, expected);
    }
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst !== false) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

// RNNBase's positional parameters after hidden_size (nn.LSTM(10, 20, 2) is a two-layer LSTM)
type RNNPositional = [number, boolean, boolean, number, boolean];
const RNN_POSITIONAL = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional"] as const;

export interface RNNOptions extends Omit<RNNBaseOptions, "projSize"> {
  nonlinearity?: "tanh" | "relu";
}

/** An Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu). */
export class RNN extends RNNBase {
  nonlinearity: "tanh" | "relu";
  /** new RNN(inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?), any trailing run as one options object (nonlinearity is by name only, as in PyTorch). */
  constructor(inputSize: number, hiddenSize: number, ...rest: PositionalOr<RNNPositional, RNNOptions>) {
    const opts = trailing<RNNOptions>(RNN_POSITIONAL, rest);
    if ((opts as RNNBaseOptions).projSize !== undefined) throw new RangeError("proj_size argument is only supported for LSTM, not RNN or GRU");
    const nonlinearity = opts.nonlinearity ?? "tanh";
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new RangeError(`Unknown nonlinearity '${nonlinearity}'`);
    super(nonlinearity === "tanh" ? "RNN_TANH" : "RNN_RELU", inputSize, hiddenSize, opts);
    this.nonlinearity = nonlinearity;
  }

  /** [output, hN]; output is a PackedSequence when the input is one. */
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const r = this.runModule(input, hx ?? null, null);
    return [r.output, r.hN];
  }
}

/** A gated recurrent unit layer. */
export class GRU extends RNNBase {
  /** new GRU(inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?), any trailing run as one options object. */
  constructor(inputSize: number, hiddenSize: number, ...rest: PositionalOr<RNNPositional, Omit<RNNBaseOptions, "projSize">>) {
    const opts = trailing<Omit<RNNBaseOptions, "projSize">>(RNN_POSITIONAL, rest);
    if ((opts as RNNBaseOptions).projSize !== undefined) throw new RangeError("proj_size argument is only supported for LSTM, not RNN or GRU");
    super("GRU", inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const r = this.runModule(input, hx ?? null, null);
    return [r.output, r.hN];
  }
}

/** A long short-term memory layer, optionally with projected hidden states (projSize). */
export class LSTM extends RNNBase {
  /** new LSTM(inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?, projSize?), any trailing run as one options object. */
  constructor(inputSize: number, hiddenSize: number, ...rest: PositionalOr<[...RNNPositional, number], RNNBaseOptions>) {
    super("LSTM", inputSize, hiddenSize, trailing<RNNBaseOptions>([...RNN_POSITIONAL, "projSize"], rest));
  }

  /** [output, [hN, cN]]; output is a PackedSequence when the input is one. */
  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx: readonly [Tensor, Tensor] | null = null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const r = this.runModule(input, hx ? hx[0] : null, hx ? hx[1] : null);
    return [r.output, [r.hN, r.cN!]];
  }
}

// ---------------------------------------------------------------- cells

/** The shared parts of RNNCell, LSTMCell and GRUCell (PyTorch's RNNCellBase). */
export class RNNCellBase extends Module {
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  /** Null when built with { bias: false }. */
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, bias: boolean, numChunks: number, opts: FactoryOptions = {}) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight_ih = new Parameter(empty([numChunks * hiddenSize, inputSize], f));
    this.weight_hh = new Parameter(empty([numChunks * hiddenSize, hiddenSize], f));
    this.bias_ih = null;
    this.bias_hh = null;
    if (bias) {
      this.bias_ih = new Parameter(empty([numChunks * hiddenSize], f));
      this.bias_hh = new Parameter(empty([numChunks * hiddenSize], f));
    } else {
      this.registerParameter("bias_ih", null);
      this.registerParameter("bias_hh", null);
    }
    this.resetParameters();
  }

  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  protected prepare(name: string, input: Tensor): { x: Tensor; isBatched: boolean } {
    if (input.dim() !== 1 && input.dim() !== 2) throw new RangeError(`${name}: Expected input to be 1-D or 2-D but received ${input.dim()}-D tensor`);
    const isBatched = input.dim() === 2;
    const x = isBatched ? input : input.unsqueeze(0);
    if (x.shape[1] !== this.inputSize) throw new RangeError(`input has inconsistent input_size: got ${x.shape[1]} expected ${this.inputSize}`);
    return { x, isBatched };
  }

  protected checkHidden(x: Tensor, h: Tensor, label: number): void {
    if (x.shape[0] !== h.shape[0]) throw new RangeError(`Input batch size ${x.shape[0]} doesn't match hidden${label} batch size ${h.shape[0]}`);
    if (h.shape[1] !== this.hiddenSize) throw new RangeError(`hidden${label} has inconsistent hidden_size: got ${h.shape[1]}, expected ${this.hiddenSize}`);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias !== true) s += `, bias=${pyBool(this.bias)}`;
    const nl = (this as unknown as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== "tanh") s += `, nonlinearity=${nl}`;
    return s;
  }
}

/** One step of an Elman RNN. */
export class RNNCell extends RNNCellBase {
  nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: "tanh" | "relu" } & FactoryOptions = {}) {
    super(inputSize, hiddenSize, opts.bias ?? true, 1, opts);
    this.nonlinearity = opts.nonlinearity ?? "tanh";
  }

  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { x, isBatched } = this.prepare("RNNCell", input);
    const h = hx === null ? zeros([x.shape[0], this.hiddenSize], { dtype: x.dtype, device: x.device }) : isBatched ? hx : hx.unsqueeze(0);
    this.checkHidden(x, h, 0);
    const pre = F.linear(h, this.weight_hh, this.bias_hh).add(F.linear(x, this.weight_ih, this.bias_ih));
    let ret: Tensor;
    if (this.nonlinearity === "tanh") ret = pre.tanh();
    else if (this.nonlinearity === "relu") ret = pre.relu();
    else throw new RangeError(`Unknown nonlinearity: ${this.nonlinearity}`);
    return isBatched ? ret : ret.squeeze(0);
  }
}

/** One step of an LSTM: forward(x, [h, c]?) returns [h', c']. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super(inputSize, hiddenSize, opts.bias ?? true, 4, opts);
  }

  override forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const { x, isBatched } = this.prepare("LSTMCell", input);
    let h: Tensor;
    let c: Tensor;
    if (hx === null) {
      h = zeros([x.shape[0], this.hiddenSize], { dtype: x.dtype, device: x.device });
      c = zeros([x.shape[0], this.hiddenSize], { dtype: x.dtype, device: x.device });
    } else {
      [h, c] = isBatched ? [hx[0], hx[1]] : [hx[0].unsqueeze(0), hx[1].unsqueeze(0)];
    }
    this.checkHidden(x, h, 0);
    this.checkHidden(x, c, 0);
    const [hy, cy] = lstmCellPointwise(F.linear(x, this.weight_ih, this.bias_ih), F.linear(h, this.weight_hh, this.bias_hh), c);
    return isBatched ? [hy, cy] : [hy.squeeze(0), cy.squeeze(0)];
  }
}

/** One step of a GRU. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super(inputSize, hiddenSize, opts.bias ?? true, 3, opts);
  }

  override forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { x, isBatched } = this.prepare("GRUCell", input);
    const h = hx === null ? zeros([x.shape[0], this.hiddenSize], { dtype: x.dtype, device: x.device }) : isBatched ? hx : hx.unsqueeze(0);
    this.checkHidden(x, h, 0);
    const hy = gruCellPointwise(F.linear(x, this.weight_ih, this.bias_ih), F.linear(h, this.weight_hh, this.bias_hh), h);
    return isBatched ? hy : hy.squeeze(0);
  }
}

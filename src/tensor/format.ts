// str(tensor) as PyTorch 1.13 writes it: a port of torch/_tensor_str.py for dense strided tensors.
//
// The element widths, the switch to scientific notation, line wrapping, summarisation and the
// suffixes follow that file step by step, so that a printed tensor reads character for character
// as PyTorch's. Values arrive flat in row-major order, already as the dtype stores them.

import { bool, type DType, float32, getDefaultDtype, int64 } from "./dtype.js";
import { getPrintoptions, type PrintOptions } from "./print-options.js";
import { formatExponential, formatFixed } from "./python-format.js";

export interface FormatExtras {
  /** Printed as device='...' when not "cpu". */
  device?: string;
  /** The backward node's name, as PyTorch's type(t.grad_fn).__name__, e.g. "SigmoidBackward0". */
  gradFn?: string | null;
  /** Printed as requires_grad=True for a leaf (no gradFn) that requires grad. */
  requiresGrad?: boolean;
}

const PREFIX = "tensor(";

/** What str(t) / repr(t) gives in PyTorch for a tensor holding `values` in this shape and dtype. */
export function formatTensor(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType,
  extras: FormatExtras = {},
): string {
  const opts = getPrintoptions();
  const indent = PREFIX.length;
  const suffixes: string[] = [];
  const device = extras.device ?? "cpu";
  if (device !== "cpu") suffixes.push(`device='${device}'`);

  const numel = shape.reduce((n, s) => n * s, 1);
  let body: string;
  if (numel === 0) {
    // PyTorch shows the shape unless it is (0,), and the dtype whenever it is not the default
    // float type: with no elements, nothing else says an empty tensor holds integers.
    if (shape.length !== 1) suffixes.push(`size=${pythonTuple(shape)}`);
    if (dtype !== getDefaultDtype()) suffixes.push(`dtype=${dtype}`);
    body = "[]";
  } else {
    if (dtype !== getDefaultDtype() && dtype !== int64 && dtype !== bool) suffixes.push(`dtype=${dtype}`);
    body = tensorBody(values, shape, dtype, indent, opts);
  }

  if (extras.gradFn) suffixes.push(`grad_fn=<${extras.gradFn}>`);
  else if (extras.requiresGrad) suffixes.push("requires_grad=True");

  return addSuffixes(PREFIX + body, suffixes, indent, opts.linewidth);
}

/** Python's str(tuple(shape)): (3,) for one element, (2, 0) for more. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function addSuffixes(text: string, suffixes: string[], indent: number, linewidth: number): string {
  const parts = [text];
  // Python's rfind gives -1 when there is no newline; the +1 is PyTorch's, kept for identical wrapping.
  let lastLineLength = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > linewidth) {
      parts.push(`,\n${" ".repeat(indent)}${suffix}`);
      lastLineLength = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLength += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

/** The element formatter of _tensor_str.py: one width and one notation for the whole tensor. */
class ElementFormatter {
  readonly floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(
    sample: readonly number[],
    private readonly dtype: DType,
    private readonly opts: PrintOptions,
  ) {
    this.floating = dtype.isFloatingPoint;
    if (!this.floating) {
      for (const v of sample) this.maxWidth = Math.max(this.maxWidth, this.plain(v).length);
      return;
    }
    const finite = sample.filter((v) => Number.isFinite(v) && v !== 0);
    // PyTorch returns early here, before the sciMode print option is applied.
    if (finite.length === 0) return;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const v of finite) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
    }
    for (const v of finite) {
      if (v !== Math.ceil(v)) {
        this.intMode = false;
        break;
      }
    }
    const precision = opts.precision;
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatExponential(v, precision).length);
      } else {
        // the trailing "." marks a float tensor whose values are all integral
        for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatExponential(v, precision).length);
    } else {
      for (const v of finite) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, precision).length);
    }
    if (opts.sciMode !== null) this.sciMode = opts.sciMode;
  }

  /** Python's "{}".format of an integer or bool element. */
  private plain(v: number): string {
    if (this.dtype === bool) return v ? "True" : "False";
    return String(v);
  }

  format(v: number): string {
    let text: string;
    if (!this.floating) text = this.plain(v);
    else if (this.sciMode) text = formatExponential(v, this.opts.precision);
    else if (this.intMode) {
      text = formatFixed(v, 0);
      if (Number.isFinite(v)) text += ".";
    } else text = formatFixed(v, this.opts.precision);
    return text.length < this.maxWidth ? " ".repeat(this.maxWidth - text.length) + text : text;
  }
}

function tensorBody(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType,
  indent: number,
  opts: PrintOptions,
): string {
  // a float32 tensor's elements are printed from their float32 value, as PyTorch's item() gives them
  const read = dtype === float32 ? (i: number) => Math.fround(values[i]) : (i: number) => values[i];
  const numel = shape.reduce((n, s) => n * s, 1);
  const summarize = numel > opts.threshold;
  const edge = opts.edgeitems;
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }

  // Python's self[-edgeitems:] with edgeitems 0 is the whole dimension; kept for the same output.
  const tailStart = (n: number) => (edge === 0 ? 0 : n - edge);

  // get_summarized_data: the elements the formatter measures (only those that will be shown).
  const sample: number[] = [];
  const gather = (offset: number, d: number): void => {
    if (d === shape.length) {
      sample.push(read(offset));
      return;
    }
    const n = shape[d];
    const stride = strides[d];
    if (summarize && n > 2 * edge) {
      if (d < shape.length - 1 && edge === 0) throw new RangeError("stack expects a non-empty TensorList");
      for (let i = 0; i < edge; i++) gather(offset + i * stride, d + 1);
      for (let i = tailStart(n); i < n; i++) gather(offset + i * stride, d + 1);
    } else {
      for (let i = 0; i < n; i++) gather(offset + i * stride, d + 1);
    }
  };
  gather(0, 0);
  const formatter = new ElementFormatter(sample, dtype, opts);

  const vector = (offset: number, n: number, indentHere: number): string => {
    const elementLength = formatter.maxWidth + 2;
    const perLine = Math.max(1, Math.floor((opts.linewidth - indentHere) / elementLength));
    const items: string[] = [];
    const last = shape.length - 1;
    if (summarize && n > 2 * edge) {
      for (let i = 0; i < edge; i++) items.push(formatter.format(read(offset + i * strides[last])));
      items.push(" ...");
      for (let i = tailStart(n); i < n; i++) items.push(formatter.format(read(offset + i * strides[last])));
    } else {
      for (let i = 0; i < n; i++) items.push(formatter.format(read(offset + i * strides[last])));
    }
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
    return `[${lines.join(`,\n${" ".repeat(indentHere + 1)}`)}]`;
  };

  const block = (offset: number, d: number, indentHere: number): string => {
    const dims = shape.length - d;
    if (dims === 0) return formatter.format(read(offset));
    if (dims === 1) return vector(offset, shape[d], indentHere);
    const n = shape[d];
    const stride = strides[d];
    const slices: string[] = [];
    if (summarize && n > 2 * edge) {
      for (let i = 0; i < edge; i++) slices.push(block(offset + i * stride, d + 1, indentHere + 1));
      slices.push("...");
      for (let i = n - edge; i < n; i++) slices.push(block(offset + i * stride, d + 1, indentHere + 1));
    } else {
      for (let i = 0; i < n; i++) slices.push(block(offset + i * stride, d + 1, indentHere + 1));
    }
    return `[${slices.join(`,${"\n".repeat(dims - 1)}${" ".repeat(indentHere + 1)}`)}]`;
  };

  return block(0, 0, indent);
}

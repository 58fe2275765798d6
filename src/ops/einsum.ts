// torch.einsum: Einstein summation over labelled dims ("bij,bjk->bik", "i,i->", "...ij->...ji"),
// built from differentiable views, sums and batched matrix products, so gradients come for free.
// Operands are contracted left to right; each pairwise contraction is one (batched) matmul.
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { eye } from "./creation.js";
import { matmul } from "./linalg.js";

/** A labelled operand: its tensor and one label per dim (ellipsis dims get labels "0", "1", ...). */
interface Term {
  t: Tensor;
  labels: string[];
}

function parseSubscripts(spec: string, rank: number, ellRank: number, which: number): string[] {
  const labels: string[] = [];
  let i = 0;
  let sawEllipsis = false;
  const explicit = spec.replace("...", "").length;
  while (i < spec.length) {
    if (spec.startsWith("...", i)) {
      if (sawEllipsis) throw new RangeError(`einsum(): found '.' for operand ${which} that is not part of any ellipsis`);
      sawEllipsis = true;
      const n = rank - explicit;
      if (n < 0) throw new RangeError(`einsum(): the number of subscripts in the equation (${explicit}) is more than the number of dimensions (${rank}) for operand ${which}`);
      // Ellipsis dims are aligned from the right across operands (broadcasting).
      for (let k = ellRank - n; k < ellRank; k++) labels.push(String(k));
      i += 3;
      continue;
    }
    const c = spec[i];
    if (!/[a-zA-Z]/.test(c)) throw new RangeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
    labels.push(c);
    i++;
  }
  if (!sawEllipsis && labels.length !== rank) {
    throw new RangeError(`einsum(): the number of subscripts in the equation (${labels.length}) does not match the number of dimensions (${rank}) for operand ${which} and no ellipsis was given`);
  }
  return labels;
}

/** Sums out dim positions (highest first so indices stay valid). */
function sumDims(term: Term, drop: number[]): Term {
  if (drop.length === 0) return term;
  return { t: term.t.sum(drop), labels: term.labels.filter((_, i) => !drop.includes(i)) };
}

/** Takes the diagonal over a label repeated within one operand ("ii->i"). */
function diagonalize(term: Term): Term {
  let { t, labels } = term;
  for (;;) {
    const dup = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (dup < 0) return { t, labels };
    const first = labels.indexOf(labels[dup]);
    const n = t.shape[first];
    if (t.shape[dup] !== n) {
      throw new RangeError(`einsum(): subscript ${labels[dup]} is repeated for operand but the sizes don't match, ${t.shape[dup]} != ${n}`);
    }
    // x * I over the two dims, summed over the second: the diagonal, differentiably.
    const shape = t.shape.map(() => 1);
    shape[first] = n;
    shape[dup] = n;
    const mask = eye(n, { dtype: t.dtype }).reshape(shape);
    t = t.mul(mask).sum(dup);
    labels = labels.filter((_, i) => i !== dup);
  }
}

/** Contracts two terms, keeping the labels in `keep` (needed by the output or a later operand). */
function contract(a: Term, b: Term, keep: Set<string>): Term {
  const sizeOf = new Map<string, number>();
  for (const term of [a, b]) {
    term.labels.forEach((l, i) => {
      const s = term.t.shape[i];
      const prev = sizeOf.get(l);
      if (prev === undefined || prev === 1) sizeOf.set(l, s);
      else if (s !== 1 && s !== prev) {
        throw new RangeError(`einsum(): operands do not broadcast with remapped shapes (original->remapped): ${formatShape(a.t.shape)} and ${formatShape(b.t.shape)}`);
      }
    });
  }
  const inA = new Set(a.labels);
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const left = a.labels.filter((l) => !inB.has(l));
  const right = b.labels.filter((l) => !inA.has(l));
  const sizes = (ls: string[]) => ls.map((l) => sizeOf.get(l)!);
  const prodOf = (ls: string[]) => sizes(ls).reduce((p, q) => p * q, 1);
  const arrange = (term: Term, order: string[]) => {
    const perm = order.map((l) => term.labels.indexOf(l));
    const t = term.t.permute(perm);
    const want = sizes(order);
    return t.shape.every((s, i) => s === want[i]) ? t : t.expand(want);
  };
  const a3 = arrange(a, [...batch, ...left, ...summed]).reshape([prodOf(batch), prodOf(left), prodOf(summed)]);
  const b3 = arrange(b, [...batch, ...summed, ...right]).reshape([prodOf(batch), prodOf(summed), prodOf(right)]);
  const r = matmul(a3, b3).reshape([...sizes(batch), ...sizes(left), ...sizes(right)]);
  return { t: r, labels: [...batch, ...left, ...right] };
}

/**
 * torch.einsum(equation, ...operands). Operands may also be passed as one array. Without "->",
 * the output holds the labels that appear once, in alphabetical order (ellipsis dims first).
 */
export function einsum(equation: string, ...operands: Array<Tensor | readonly Tensor[]>): Tensor {
  const ops: Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? [...(operands[0] as Tensor[])] : (operands as Tensor[]);
  if (typeof equation !== "string") throw new TypeError("einsum(): the equation must be a string");
  for (const [i, t] of ops.entries()) if (!(t instanceof Tensor)) throw new TypeError(`einsum(): operand ${i} must be a Tensor`);
  const eq = equation.replace(/\s+/g, "");
  const arrow = eq.indexOf("->");
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const specs = lhs.split(",");
  if (specs.length !== ops.length) throw new RangeError(`einsum(): more operands were provided than specified in the equation`.replace("more", specs.length < ops.length ? "more" : "fewer"));
  if (ops.length === 0) throw new RangeError("einsum(): must provide at least one operand");
  const ellRank = Math.max(0, ...specs.map((s, i) => (s.includes("...") ? ops[i].dim() - s.replace("...", "").length : 0)));
  const parsed = specs.map((s, i) => parseSubscripts(s, ops[i].dim(), ellRank, i));
  let terms: Term[] = parsed.map((labels, i) => diagonalize({ t: ops[i], labels }));
  let out: string[];
  if (arrow >= 0) {
    const rhs = eq.slice(arrow + 2);
    out = parseSubscripts(rhs, rhs.replace("...", "").length + (rhs.includes("...") ? ellRank : 0), ellRank, -1);
    const all = new Set(terms.flatMap((t) => t.labels));
    for (const l of out) {
      if (!all.has(l)) throw new RangeError(`einsum(): output subscript ${l} does not appear in the equation for any input operand`);
    }
    if (new Set(out).size !== out.length) throw new RangeError("einsum(): output subscript appears more than once in the output");
  } else {
    const counts = new Map<string, number>();
    for (const labels of parsed) for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const ell = [...counts.keys()].filter((l) => /^\d+$/.test(l)).sort((p, q) => Number(p) - Number(q));
    const letters = [...counts.keys()].filter((l) => !/^\d+$/.test(l) && counts.get(l) === 1).sort();
    out = [...ell, ...letters];
  }
  const outSet = new Set(out);
  // Labels needed after operand i: the output's and those of operands after i.
  const neededAfter = (i: number) => {
    const s = new Set(outSet);
    for (let k = i + 1; k < terms.length; k++) for (const l of terms[k].labels) s.add(l);
    return s;
  };
  // Sum out labels no other operand or the output uses, before any product.
  terms = terms.map((term, i) => {
    const others = new Set(outSet);
    terms.forEach((o, k) => {
      if (k !== i) for (const l of o.labels) others.add(l);
    });
    return sumDims(term, term.labels.flatMap((l, d) => (others.has(l) ? [] : [d])));
  });
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) acc = contract(acc, terms[i], neededAfter(i));
  acc = sumDims(acc, acc.labels.flatMap((l, d) => (outSet.has(l) ? [] : [d])));
  const perm = out.map((l) => acc.labels.indexOf(l));
  const result = perm.every((p, i) => p === i) && perm.length === acc.t.dim() ? acc.t : acc.t.permute(perm);
  return result;
}

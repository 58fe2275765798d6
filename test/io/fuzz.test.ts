// Seeded mutations of valid files. Every corrupted input must either decode or throw a
// FileFormatError (a deliberate, explained refusal): never a TypeError/RangeError from deep
// inside, never a hang, and a successful decode never holds more memory than twice the input.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FileFormatError } from "../../src/io/format-error.js";
import { OrderedDict } from "../../src/io/pickle.js";
import { encodePt } from "../../src/io/pt.js";
import { type RawTensor, isRawTensor } from "../../src/io/raw-tensor.js";
import { detectFormat, loadBuffer } from "../../src/io/serialize.js";
import { readZip, writeZip } from "../../src/io/zip.js";
import { fixture } from "./expected.js";

/** mulberry32: a small deterministic generator, so every run tries the same inputs. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}
type Rng = ReturnType<typeof generator>;

const interesting = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000, 64, 1000];

function flip(bytes: Uint8Array, rng: Rng, count: number, from = 0, to = bytes.length): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < count && to > from; i++) out[from + rng.int(to - from)] = rng.int(256);
  return out;
}

function setWord(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice();
  if (out.length < 4) return out;
  const at = rng.int(out.length - 3);
  new DataView(out.buffer).setUint32(at, rng.pick(interesting) >>> 0, true);
  return out;
}

function splice(bytes: Uint8Array, rng: Rng): Uint8Array {
  const at = rng.int(bytes.length + 1);
  if (rng.next() < 0.5) {
    const n = 1 + rng.int(16);
    return new Uint8Array([...bytes.subarray(0, at), ...Array.from({ length: n }, () => rng.int(256)), ...bytes.subarray(at)]);
  }
  return new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(Math.min(bytes.length, at + 1 + rng.int(16)))]);
}

/** Edits the JSON header of a safetensors file and rewrites the length, so the edit reaches validation. */
function editHeader(bytes: Uint8Array, rng: Rng): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  const entry = header[rng.pick(names)];
  const edits = [
    () => (entry.data_offsets[rng.int(2)] += rng.pick([-8, -4, -1, 1, 2, 4, 8, 1000, 2 ** 40])),
    () => (entry.shape = rng.next() < 0.5 ? [...entry.shape, rng.pick([0, 1, 2, 3, 2 ** 31])] : entry.shape.slice(1)),
    () => (entry.shape[0] = rng.pick([-1, 0.5, "3", null, 2 ** 53, 1e300])),
    () => (entry.dtype = rng.pick(["F32", "F64", "I64", "I32", "U8", "BOOL", "F16", "XX", 3])),
    () => (entry.data_offsets = rng.pick([[0], [0, 1, 2], "0,1", null, [1e300, 1e301]])),
    () => (header.__metadata__ = rng.pick([{ a: 1 }, [1], "x", { b: "c" }, null])),
    () => delete header[rng.pick(names)],
  ];
  rng.pick(edits)();
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + (bytes.length - 8 - n));
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(bytes.subarray(8 + n), 8 + text.length);
  return out;
}

/** Mutates records inside a .pt archive and rewrites it with fresh CRCs, so pickle and storage checks are reached. */
function editArchive(bytes: Uint8Array, rng: Rng): Uint8Array {
  const records = readZip(bytes).map((r): { name: string; data: Uint8Array } => ({ name: r.name, data: r.data.slice() }));
  const rec = rng.next() < 0.7 ? records.find((r) => r.name.endsWith("data.pkl"))! : rng.pick(records);
  const edits = [
    () => flip(rec.data, rng, 1 + rng.int(3)),
    () => setWord(rec.data, rng),
    () => splice(rec.data, rng),
    () => rec.data.subarray(0, rng.int(rec.data.length)),
  ];
  rec.data = rng.pick(edits)();
  if (rng.next() < 0.1) records.splice(rng.int(records.length), 1);
  return writeZip(records);
}

function heldBytes(value: unknown): number {
  const buffers = new Set<ArrayBufferLike>();
  let total = 0;
  const seen = new Set<unknown>();
  const work = [value];
  while (work.length > 0) {
    const v = work.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (isRawTensor(v)) {
      if (!buffers.has(v.data.buffer)) total += v.data.buffer.byteLength;
      buffers.add(v.data.buffer);
    } else if (Array.isArray(v)) work.push(...v);
    else if (v instanceof Map) {
      for (const [k, x] of v) work.push(k, x);
      if (v instanceof OrderedDict && v.attributes) work.push(...v.attributes.values());
    }
  }
  return total;
}

function tryDecode(bytes: Uint8Array, label: string): "ok" | "refused" {
  try {
    const value = loadBuffer(bytes);
    assert.ok(heldBytes(value) <= 2 * bytes.length + 64, `${label}: decoded value holds more than twice the input`);
    return "ok";
  } catch (e) {
    if (e instanceof FileFormatError) {
      assert.ok(e.message.length > 10, `${label}: empty message`);
      return "refused";
    }
    throw new Error(`${label}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

const sample: RawTensor = { dtype: "int64", shape: [2, 2], data: new Float64Array([1, -2, 3, 2 ** 40]) };
const seeds: [string, Uint8Array][] = [
  ["state_dict.pt", fixture("state_dict.pt")],
  ["checkpoint.pt", fixture("checkpoint.pt")],
  ["views.pt", fixture("views.pt")],
  ["state_dict.safetensors", fixture("state_dict.safetensors")],
  ["dtypes.safetensors", fixture("dtypes.safetensors")],
  ["kindling.pt", encodePt({ t: sample, l: [1, 2.5, "s", null, true], n: new Map([[0, sample]]) })],
];

test("4000 seeded corruptions: each decodes or is refused with a FileFormatError", { timeout: 120_000 }, (t) => {
  const rng = generator(20240607);
  const counts = { ok: 0, refused: 0 };
  const mutators: [string, (b: Uint8Array, name: string) => Uint8Array][] = [
    ["truncate", (b) => b.subarray(0, rng.int(b.length))],
    ["flip", (b) => flip(b, rng, 1 + rng.int(8))],
    ["flip-start", (b) => flip(b, rng, 1 + rng.int(3), 0, Math.min(b.length, 160))],
    ["flip-end", (b) => flip(b, rng, 1 + rng.int(3), Math.max(0, b.length - 200))],
    ["word", (b) => setWord(b, rng)],
    ["splice", (b) => splice(b, rng)],
    ["structure", (b, name) => (name.endsWith(".pt") ? editArchive(b, rng) : editHeader(b, rng))],
    ["structure", (b, name) => (name.endsWith(".pt") ? editArchive(b, rng) : editHeader(b, rng))],
  ];
  for (let i = 0; i < 4000; i++) {
    const [name, bytes] = seeds[i % seeds.length]!;
    const [kind, mutate] = rng.pick(mutators);
    const mutated = mutate(bytes, name);
    counts[tryDecode(mutated, `case ${i} (${kind} of ${name})`)]++;
  }
  // Both outcomes occur: the mutations reach past the first check, and the checks do refuse.
  assert.ok(counts.refused > 1000, JSON.stringify(counts));
  assert.ok(counts.ok > 50, JSON.stringify(counts));
  t.diagnostic(`mutations: 4000 cases, ${counts.ok} loaded, ${counts.refused} clear errors (FileFormatError), 0 crashes`);
});

test("every truncation of every fixture is refused cleanly", () => {
  for (const [name, bytes] of seeds) {
    for (let n = 0; n < bytes.length; n++) {
      assert.equal(tryDecode(bytes.subarray(0, n), `${name} cut to ${n}`), "refused");
    }
  }
});

// ---- issue 11: structured pickles, every safetensors header length, cross-format confusion ----

const pklHead = [0x80, 0x02];
const archiveOf = (pkl: number[] | Uint8Array) =>
  writeZip([
    { name: "f/data.pkl", data: Uint8Array.from(pkl) },
    { name: "f/version", data: new Uint8Array([0x33, 0x0a]) },
  ]);

/**
 * A random pickle of lists, tuples and dicts that shares values through the memo (BINPUT/BINGET,
 * sometimes of a container still being built: a recursive structure), nests deeply, and repeats
 * itself (x = [x, x]), as Python's pickler writes them.
 */
function structuredPickle(rng: Rng): number[] {
  const ops = [...pklHead];
  let memo = 0;
  const depth = rng.pick([1, 5, 60, 1000, 20_000]);
  const shape = rng.int(4);
  if (shape === 0) {
    // laughs: EMPTY_LIST, then `depth` times [x, x] through the memo
    ops.push(0x5d, 0x71, memo++);
    for (let i = 0; i < Math.min(depth, 60); i++, memo++) ops.push(0x5d, 0x71, memo, 0x28, 0x68, memo - 1, 0x68, memo - 1, 0x65);
  } else if (shape === 1) {
    // deep nesting of one kind: lists (APPEND), tuples (TUPLE1) or dicts (SETITEM)
    const kind = rng.int(3);
    if (kind === 0) ops.push(...new Array(depth).fill(0x5d), ...new Array(depth - 1).fill(0x61));
    else if (kind === 1) ops.push(0x29, ...new Array(depth - 1).fill(0x85));
    else {
      ops.push(0x7d);
      for (let i = 1; i < depth; i++) ops.push(0x4b, i & 0xff, 0x7d);
      for (let i = 1; i < depth; i++) ops.push(0x73);
    }
  } else if (shape === 2) {
    // recursive: a list that contains itself, directly or through a dict
    ops.push(0x5d, 0x71, 0x00);
    if (rng.next() < 0.5) ops.push(0x68, 0x00, 0x61);
    else ops.push(0x7d, 0x8c, 0x01, 0x78, 0x68, 0x00, 0x73, 0x61);
  } else {
    // random mixture: shared items appended to a root list
    ops.push(0x5d, 0x71, memo++);
    for (let i = 0; i < 1 + rng.int(40); i++) {
      const choice = rng.int(5);
      if (choice === 0) ops.push(0x4b, rng.int(256));
      else if (choice === 1) ops.push(0x5d, 0x71, memo++);
      else if (choice === 2) ops.push(0x7d, 0x71, memo++);
      else if (choice === 3) ops.push(0x68, rng.int(memo));
      else ops.push(0x29);
      ops.push(0x61);
    }
    return [...ops, 0x2e];
  }
  ops.push(0x2e);
  return ops;
}

test("structured pickles (shared, recursive, deeply nested) and their mutations load or are refused; counts recorded", { timeout: 120_000 }, (t) => {
  const rng = generator(11);
  const counts = { ok: 0, refused: 0 };
  for (let i = 0; i < 600; i++) {
    const pkl = structuredPickle(rng);
    const bytes = rng.next() < 0.5 ? archiveOf(pkl) : archiveOf(i % 3 === 0 ? splice(Uint8Array.from(pkl), rng) : flip(Uint8Array.from(pkl), rng, 1 + rng.int(3)));
    counts[tryDecode(bytes, `structured pickle ${i}`)]++;
  }
  assert.ok(counts.ok > 100 && counts.refused > 50, JSON.stringify(counts));
  t.diagnostic(`structured pickles: 600 cases, ${counts.ok} loaded, ${counts.refused} clear errors (FileFormatError), 0 crashes`);
});

test("the detector: every safetensors header length 0..65,536, with and without a '{' and room for it", (t) => {
  const rng = generator(65536);
  const counts = { cases: 0, safetensors: 0, ok: 0, refused: 0 };
  const buf = new Uint8Array(64);
  for (let n = 0; n <= 65536; n++) {
    new DataView(buf.buffer).setBigUint64(0, BigInt(n), true);
    for (let i = 8; i < buf.length; i++) buf[i] = rng.int(256);
    if (n % 2 === 0) buf[8] = 0x7b;
    const length = 8 + rng.int(56);
    const bytes = buf.subarray(0, length);
    const format = detectFormat(bytes);
    const fits = n >= 1 && n <= length - 8 && bytes[8] === 0x7b;
    assert.equal(format === "safetensors", fits, `header length ${n} in ${length} bytes`);
    if (fits) counts.safetensors++;
    counts[tryDecode(bytes, `header length ${n}`)]++;
    counts.cases++;
  }
  t.diagnostic(`detector: ${counts.cases} header lengths, ${counts.safetensors} read as safetensors, ${counts.ok} loaded, ${counts.refused} clear errors, 0 crashes`);
});

test("cross-format confusion: one format's bytes named, framed or spliced as the other's", (t) => {
  const rng = generator(3);
  const pt = fixture("state_dict.pt");
  const st = fixture("state_dict.safetensors");
  const pkl = readZip(pt).find((r) => r.name.endsWith("data.pkl"))!.data;
  const u64 = (n: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
    return b;
  };
  const cat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, (at += p.length) - p.length);
    return out;
  };
  const cases: [string, Uint8Array][] = [
    ["a bare data.pkl", pkl],
    ["a data.pkl behind a safetensors length", cat(u64(pkl.length), pkl)],
    ["a zip behind a safetensors length", cat(u64(pt.length), pt)],
    ["a zip inside a safetensors header", cat(u64(pt.length + 2), new Uint8Array([0x7b]), pt, new Uint8Array([0x7d]))],
    ["safetensors bytes inside a zip record", writeZip([{ name: "a/data.pkl", data: st }])],
    ["safetensors starting with PK\x03\x04", cat(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), st.subarray(4))],
    ["a pickle header on safetensors", cat(new Uint8Array([0x80, 0x02]), st.subarray(2))],
    ["the safetensors header alone", st.subarray(0, 8 + Number(new DataView(st.buffer, st.byteOffset).getBigUint64(0, true)))],
  ];
  for (let i = 0; i < 400; i++) {
    const [a, b] = rng.next() < 0.5 ? [pt, st] : [st, pt];
    const cut = rng.int(Math.min(a.length, b.length));
    cases.push([`splice ${i}`, cat(a.subarray(0, cut), b.subarray(cut))]);
  }
  const counts = { ok: 0, refused: 0 };
  for (const [label, bytes] of cases) counts[tryDecode(bytes, label)]++;
  assert.ok(counts.refused > cases.length / 2, JSON.stringify(counts));
  t.diagnostic(`cross-format: ${cases.length} cases, ${counts.ok} loaded, ${counts.refused} clear errors, 0 crashes`);
});

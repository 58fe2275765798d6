// Seeded mutations of valid files. Every corrupted input must either decode or throw a
// FileFormatError (a deliberate, explained refusal): never a TypeError/RangeError from deep
// inside, never a hang, and a successful decode never holds more memory than twice the input.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FileFormatError } from "../../src/io/format-error.js";
import { OrderedDict } from "../../src/io/pickle.js";
import { encodePt } from "../../src/io/pt.js";
import { type RawTensor, isRawTensor } from "../../src/io/raw-tensor.js";
import { loadBuffer } from "../../src/io/serialize.js";
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

test("4000 seeded corruptions: each decodes or is refused with a FileFormatError", { timeout: 120_000 }, () => {
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
});

test("every truncation of every fixture is refused cleanly", () => {
  for (const [name, bytes] of seeds) {
    for (let n = 0; n < bytes.length; n++) {
      assert.equal(tryDecode(bytes.subarray(0, n), `${name} cut to ${n}`), "refused");
    }
  }
});

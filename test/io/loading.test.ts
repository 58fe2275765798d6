// Issue 11, loading: every valid file loads and a hostile one is refused, never a crash.
//   1. safetensors headers whose length starts with the byte 0x80 (a pickle's PROTO) load as safetensors;
//   2. the memo-shared "laughs" pickles load in milliseconds and keep their sharing;
//   3. 200,000 nested lists load (no call-stack overflow);
//   4. bytes that are neither format say so.
// Files come from scripts/fixtures/io_loading.py (PyTorch 1.13); see loading.json for what it checked.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { FileFormatError } from "../../src/io/format-error.js";
import { OrderedDict } from "../../src/io/pickle.js";
import type { RawTensor } from "../../src/io/raw-tensor.js";
import { detectFormat, loadBuffer } from "../../src/io/serialize.js";
import { writeZip } from "../../src/io/zip.js";
import { assertMatches, fixtureDir } from "./expected.js";

const dir = new URL("loading/", fixtureDir);
const path = (name: string) => fileURLToPath(new URL(name, dir));
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const expected = JSON.parse(readFileSync(new URL("loading.json", dir), "utf8"));

/** A torch.save archive around a hand-written data.pkl. */
function archive(pkl: Uint8Array): Uint8Array {
  return writeZip([
    { name: "a/data.pkl", data: pkl },
    { name: "a/version", data: new Uint8Array([0x33, 0x0a]) },
  ]);
}

/** A safetensors file whose header is exactly `n` bytes: one U8 tensor, padded with spaces (n >= 52). */
function safetensorsWithHeaderLength(buf: Uint8Array, n: number, name: string, value: number): Uint8Array {
  const text = `{"${name}":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`;
  new DataView(buf.buffer).setBigUint64(0, BigInt(n), true);
  buf.fill(0x20, 8, 8 + n);
  new TextEncoder().encodeInto(text, buf.subarray(8));
  buf[8 + n] = value;
  return buf.subarray(0, 8 + n + 1);
}

test("1. Linear state dicts written in the reference safetensors layout load (header length 128 starts with 0x80)", () => {
  for (const [name, info] of Object.entries(expected.linear) as [string, { headerLength: number; state_dict: unknown }][]) {
    const bytes = bytesOf(name);
    assert.equal(bytes[0], info.headerLength & 0xff);
    assert.equal(bytes[0], 0x80, `${name}: the case the old detector took for a pickle`);
    assert.equal(detectFormat(bytes), "safetensors", name);
    const back = loadBuffer(bytes) as OrderedDict<string, RawTensor>;
    assert.ok(back instanceof OrderedDict);
    const pairs = (info.state_dict as { ordereddict: [string, unknown][] }).ordereddict;
    assert.deepEqual([...back.keys()].sort(), pairs.map(([k]) => k).sort());
    for (const [k, d] of pairs) assertMatches(back.get(k), d, `${name}.${k}`);
    // and through torch.load as Tensors
    const loaded = torch.load(path(name));
    assert.deepEqual(Object.keys(loaded).sort(), ["bias", "weight"]);
  }
});

test("1. kindling's own Linear(10, 10), (784, 10), (3, 8) safetensors files load back", () => {
  for (const [i, o] of [
    [10, 10],
    [784, 10],
    [3, 8],
  ]) {
    const sd = new torch.nn.Linear(i!, o!).stateDict();
    const bytes = torch.saveBuffer(sd, { format: "safetensors" });
    const back = torch.loadBuffer(bytes);
    for (const k of ["weight", "bias"]) assert.deepEqual(back[k].tolist(), sd[k]!.tolist(), `Linear(${i}, ${o}).${k}`);
  }
});

test("1. every safetensors header length from 0 to 65,536 round-trips (or, below 52 bytes, is refused clearly)", { timeout: 120_000 }, () => {
  const buf = new Uint8Array(8 + 65536 + 1);
  let loaded = 0;
  let ownWriter = 0;
  for (let n = 0; n <= 65536; n++) {
    if (n < 52) {
      // Too short for a tensor entry: "{}" and spaces is an empty state dict; shorter is not a header.
      new DataView(buf.buffer).setBigUint64(0, BigInt(n), true);
      buf.fill(0x20, 8, 8 + n);
      if (n >= 2) buf.set([0x7b, 0x7d], 8);
      const bytes = buf.subarray(0, 8 + n);
      if (n >= 2) {
        assert.deepEqual([...(loadBuffer(bytes) as Map<string, unknown>).keys()], [], `header length ${n}`);
        loaded++;
      } else {
        assert.throws(() => loadBuffer(bytes), (e: Error) => e instanceof FileFormatError && /not a PyTorch or safetensors file|header is not valid JSON/.test(e.message), `header length ${n}`);
      }
      continue;
    }
    const name = "w".repeat(Math.min(n - 52, 200));
    const bytes = safetensorsWithHeaderLength(buf, n, name, n & 0xff);
    assert.equal(detectFormat(bytes), "safetensors", `header length ${n}`);
    const back = loadBuffer(bytes) as Map<string, RawTensor>;
    assert.equal(back.get(name)?.data[0], n & 0xff, `header length ${n}`);
    loaded++;
    // kindling's writer pads its headers to a multiple of 8: for those lengths, its own files too
    if (n % 8 === 0 && n <= 4096) {
      const long = "w".repeat(n - 52); // the writer's entry is the same 52 bytes around the name
      const own = torch.saveBuffer({ [long]: torch.tensor([n & 0xff], { dtype: torch.uint8 }) }, { format: "safetensors" });
      assert.equal(Number(new DataView(own.buffer, own.byteOffset).getBigUint64(0, true)), n);
      assert.equal(torch.loadBuffer(own)[long].item(), n & 0xff);
      ownWriter++;
    }
  }
  assert.equal(loaded, 65537 - 2);
  assert.equal(ownWriter, (4096 - 56) / 8 + 1);
});

test("2. the 813-byte 'laughs' pickles (60 levels of [x, x]) load at once and keep the memo's sharing", () => {
  for (const name of ["laughs.pt", "laughs-dict.pt", "laughs-tuple.pt"]) {
    assert.equal(bytesOf(name).length, expected.laughs[name].bytes);
    const start = performance.now();
    let v = torch.load(path(name));
    const ms = performance.now() - start;
    assert.ok(ms < 2000, `${name}: ${ms} ms`);
    let depth = 0;
    while (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0) {
      const halves = Array.isArray(v) ? v : [v.a, v.b];
      assert.equal(halves.length, 2);
      assert.equal(halves[0], halves[1], `${name}: level ${depth} is one shared object`);
      if (name === "laughs-tuple.pt") assert.ok(Object.isFrozen(v), "a tuple stays a tuple");
      v = halves[0];
      depth++;
    }
    assert.equal(depth, expected.laughs[name].depth);
  }
});

test("2. sharing at the raw level: the unpickler hands back the memo's object itself", () => {
  // x = []; x = [x, x] five times, then [x, x, x]: BINPUT/BINGET reuse, as Python writes it
  const ops = [0x80, 0x02, 0x5d, 0x71, 0x00];
  for (let i = 1; i <= 5; i++) ops.push(0x5d, 0x71, i, 0x28, 0x68, i - 1, 0x68, i - 1, 0x65);
  ops.push(0x2e);
  const value = loadBuffer(archive(new Uint8Array(ops))) as unknown[];
  assert.equal(value[0], value[1]);
});

test("2. the conversion budget: more entries than bytes is a FileFormatError, not a crash", async () => {
  const { toPlain } = await import("../../src/io/tensors.js");
  const shared = [1, 2, 3];
  const many = Array.from({ length: 100 }, () => shared);
  const plain = toPlain(many) as unknown[][];
  assert.equal(plain[0], plain[99], "shared once converted, shared after");
  assert.throws(() => toPlain(many, 50), (e: Error) => e instanceof FileFormatError && /more than 50 entries/.test(e.message));
});

test("3. 200,000 nested lists (PyTorch loads them) load without overflowing the call stack", () => {
  assert.equal(expected.deep.depth, 200_000);
  let v = torch.load(path("deep-lists.pt"));
  let depth = 1;
  while (v.length > 0) {
    assert.equal(v.length, 1);
    v = v[0];
    depth++;
  }
  assert.equal(depth, 200_000);
});

test("3. 200,000 nested tuples, dicts and tuple keys load too", () => {
  const n = 200_000;
  // ((((),),),) : EMPTY_TUPLE then TUPLE1 n-1 times
  const tuples = new Uint8Array(2 + 1 + (n - 1) + 1);
  tuples.set([0x80, 0x02, 0x29]);
  tuples.fill(0x85, 3, 3 + n - 1);
  tuples[tuples.length - 1] = 0x2e;
  let t = torch.loadBuffer(archive(tuples));
  let depth = 1;
  while (t.length > 0) {
    assert.ok(Object.isFrozen(t));
    t = t[0];
    depth++;
  }
  assert.equal(depth, n);
  // {"k": {"k": ...}}: EMPTY_DICT, then ("k", EMPTY_DICT) n-1 times, then SETITEM n-1 times
  const dicts: number[] = [0x80, 0x02, 0x7d];
  for (let i = 1; i < n; i++) dicts.push(0x8c, 0x01, 0x6b, 0x7d);
  for (let i = 1; i < n; i++) dicts.push(0x73);
  dicts.push(0x2e);
  let d = torch.loadBuffer(archive(new Uint8Array(dicts)));
  depth = 1;
  while (Object.keys(d).length > 0) {
    d = d.k;
    depth++;
  }
  assert.equal(depth, n);
  // {deep tuple: 1}: a dict key is checked for hashability without recursion
  const keyed = [0x80, 0x02, 0x7d, ...tuples.subarray(2, tuples.length - 1), 0x4b, 0x01, 0x73, 0x2e];
  const m = torch.loadBuffer(archive(new Uint8Array(keyed)));
  assert.ok(m instanceof Map && m.size === 1);
});

test("4. empty, short and random bytes are 'not a PyTorch or safetensors file'", () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /it is empty/],
    [new Uint8Array([1, 2, 3]), /only 3 bytes long/],
    [Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24), /neither a zip archive \(torch\.save\) nor an 8-byte header length/],
    [new Uint8Array([0x10, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]), /starts like a safetensors file, but its header length 16 is larger than the file \(10 bytes\)/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => torch.loadBuffer(bytes),
      (e: Error) => e instanceof FileFormatError && e.message.startsWith("not a PyTorch or safetensors file: ") && message.test(e.message),
    );
  }
  // a legacy (pre-1.6) torch.save file is still named as such
  assert.throws(() => torch.loadBuffer(new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20])), /legacy \(pre-1\.6\) format/);
});

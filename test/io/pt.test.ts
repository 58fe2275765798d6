import assert from "node:assert/strict";
import { test } from "node:test";
import { FileFormatError } from "../../src/io/format-error.js";
import { OrderedDict, PyGlobal, PyPersistentId, PyReduce, pickle, tuple } from "../../src/io/pickle.js";
import { loadBuffer } from "../../src/index.js";
import { decodePt, encodePt } from "../../src/io/pt.js";
import type { RawTensor } from "../../src/io/raw-tensor.js";
import { readZip, writeZip } from "../../src/io/zip.js";
import { assertMatches, expected, fixture } from "./expected.js";

test("a state dict written by torch.save decodes exactly, as an OrderedDict with _metadata", () => {
  const sd = decodePt(fixture("state_dict.pt"));
  assertMatches(sd, expected.state_dict);
  const meta = (sd as OrderedDict).attributes?.get("_metadata") as OrderedDict;
  assert.ok(meta instanceof OrderedDict);
  assert.deepEqual([...meta.keys()], ["", "0", "1", "2"]);
  assert.deepEqual(meta.get("0"), new Map([["version", 1]]));
});

test("a checkpoint (state dicts, SGD momentum state with int keys, epoch, loss) decodes exactly", () => {
  const ck = decodePt(fixture("checkpoint.pt"));
  assertMatches(ck, expected.checkpoint);
  const opt = (ck as Map<string, Map<string, unknown>>).get("optimizer")!;
  assert.deepEqual([...(opt.get("state") as Map<unknown, unknown>).keys()], [0, 1, 2, 3]);
});

test("views, shared storages, expanded tensors and every dtype decode to exact contiguous values", () => {
  assertMatches(decodePt(fixture("views.pt")), expected.views);
});

test("a tensor reuses its storage's memory only when it is the whole storage; views are copies", () => {
  const views = decodePt(fixture("views.pt")) as Map<string, RawTensor>;
  const a = views.get("shared_a")!;
  const b = views.get("shared_b")!;
  assert.notEqual(a.data.buffer, b.data.buffer);
  a.data[2] = 100;
  assert.equal(b.data[0], 3);
});

test("round trip of a checkpoint-shaped value keeps every type", () => {
  const w: RawTensor = { dtype: "float32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) };
  const sd = new OrderedDict<string, unknown>([
    ["w", w],
    ["i64", { dtype: "int64", shape: [3], data: new Float64Array([1, -2, 2 ** 40]) }],
    ["b", { dtype: "bool", shape: [2, 1], data: new Uint8Array([1, 0]) }],
    ["d", { dtype: "float64", shape: [], data: new Float64Array([Math.PI]) }],
    ["u", { dtype: "uint8", shape: [2], data: new Uint8Array([255, 7]) }],
    ["i32", { dtype: "int32", shape: [1], data: new Int32Array([-5]) }],
    ["empty", { dtype: "float32", shape: [0, 2], data: new Float32Array(0) }],
  ]);
  sd.attributes = new Map([["_metadata", new OrderedDict([["", new Map([["version", 1]])]])]]);
  const value = new Map<unknown, unknown>([
    ["model", sd],
    ["state", new Map([[0, new Map([["momentum_buffer", w]])]])],
    ["epoch", 3],
    ["loss", 0.25],
    ["betas", tuple([0.9, 0.999])],
    ["params", [0, 1, 2]],
    ["name", "résumé ✓"],
    ["flags", [true, false, null]],
    ["big", 2n ** 70n],
    ["neg", -(2 ** 40)],
  ]);
  const back = decodePt(encodePt(value)) as Map<unknown, unknown>;
  assert.deepEqual(back, value);
  assert.ok(back.get("model") instanceof OrderedDict);
  assert.deepEqual((back.get("model") as OrderedDict).attributes, sd.attributes);
  // The same tensor reached twice is written once and read back as one tensor.
  const model = back.get("model") as Map<string, RawTensor>;
  const state = back.get("state") as Map<number, Map<string, RawTensor>>;
  assert.equal(model.get("w"), state.get(0)!.get("momentum_buffer"));
});

test("plain objects save as dicts; the archive has PyTorch's records, 64-byte aligned", () => {
  const t: RawTensor = { dtype: "float32", shape: [1], data: new Float32Array([1]) };
  const bytes = encodePt({ a: t, b: t, c: { dtype: "float32", shape: [1], data: new Float32Array([2]) } }, { archiveName: "model" });
  const records = readZip(bytes);
  assert.deepEqual(
    records.map((r) => r.name),
    ["model/data.pkl", "model/byteorder", "model/data/0", "model/data/1", "model/version"],
  );
  for (const r of records) assert.equal(r.data.byteOffset % 64, 0, r.name);
  assert.equal(new TextDecoder().decode(records.at(-1)!.data), "3\n");
  const back = decodePt(bytes) as Map<string, RawTensor>;
  assert.deepEqual([...back.keys()], ["a", "b", "c"]);
  assert.deepEqual(Array.from(back.get("c")!.data), [2]);
});

test("fromRaw and toRaw convert tensors at the boundary", () => {
  class Box {
    constructor(readonly raw: RawTensor) {}
  }
  const bytes = encodePt([new Box({ dtype: "int32", shape: [2], data: new Int32Array([4, 5]) })], {
    toRaw: (v) => (v instanceof Box ? v.raw : undefined),
  });
  const back = decodePt(bytes, { fromRaw: (t) => new Box(t) }) as Box[];
  assert.ok(back[0] instanceof Box);
  assert.deepEqual(Array.from(back[0]!.raw.data), [4, 5]);
  assert.throws(() => encodePt([new Box(back[0]!.raw)]), /cannot save a Box/);
});

test("values that cannot be saved are TypeErrors", () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => encodePt(cyclic), /contains itself/);
  assert.throws(() => encodePt({ f: () => 1 }), /cannot save a value of type function/);
  assert.throws(() => encodePt(new Map([[[1], 2]])), /cannot be a dict key/);
  assert.throws(() => encodePt(undefined), /undefined/);
});

test("copies beyond the budget are refused before allocating", () => {
  // views.pt holds copies (views of shared storages); a budget of 0 forbids them.
  assert.throws(
    () => decodePt(fixture("views.pt"), { maxCopyBytes: 0 }),
    (e: Error) => e instanceof FileFormatError && /maxCopyBytes/.test(e.message),
  );
  assert.doesNotThrow(() => decodePt(fixture("state_dict.pt"), { maxCopyBytes: 0 }));
});

test("not a torch.save file: clear errors", () => {
  assert.throws(() => decodePt(new Uint8Array([0x80, 0x02, 0x8a, 0x0a])), /legacy \(pre-1\.6\) format/);
  assert.throws(() => decodePt(new TextEncoder().encode("hello world, no zip here at all")), /not a zip archive/);
  assert.throws(() => decodePt(new Uint8Array(0)), /not a zip archive/);
});

/** A .pt archive whose data.pkl is one tensor rebuilt from a one-storage archive, with these details. */
function craft(
  size: number[],
  stride: number[],
  { offset = 0, storageClass = "FloatStorage", numel = 2, recordBytes = 8, requiresGrad = false as unknown } = {},
): Uint8Array {
  const pid = tuple(["storage", new PyGlobal("torch", storageClass), "0", "cpu", numel]);
  const call = new PyReduce(new PyGlobal("torch._utils", "_rebuild_tensor_v2"), [
    new PyPersistentId(pid),
    offset,
    tuple(size),
    tuple(stride),
    requiresGrad,
    new OrderedDict(),
  ]);
  return writeZip([
    { name: "x/data.pkl", data: pickle(call) },
    { name: "x/data/0", data: new Uint8Array(recordBytes) },
    { name: "x/version", data: new TextEncoder().encode("3\n") },
  ]);
}

test("crafted tensors: out-of-range views, huge expansions and size mismatches are refused", () => {
  const refused = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(() => decodePt(bytes), (e: Error) => e instanceof FileFormatError && pattern.test(e.message));
  assert.deepEqual(decodePt(craft([2, 2], [0, 1])), { dtype: "float32", shape: [2, 2], data: new Float32Array(4) });
  refused(craft([2 ** 40], [0]), /maxCopyBytes/);
  refused(craft([3], [1]), /reaches element 2 of storage 0, which has 2/);
  refused(craft([2], [1], { offset: 1 }), /reaches element 2/);
  refused(craft([1], [1], { offset: -1 }), /invalid storage offset/);
  refused(craft([2, 1], [1]), /differ in length/);
  refused(craft([2], [1], { recordBytes: 7 }), /need 8 bytes but the record has 7/);
  refused(craft([2], [1], { numel: 2 ** 40 }), /need .* bytes but the record has 8/);
  refused(craft([2], [1], { storageClass: "HalfStorage" }), /torch\.HalfStorage is not supported/);
  refused(craft([2], [1], { storageClass: "Tensor" }), /global torch\.Tensor is not allowed/);
  refused(craft([1.5], [1]), /size is not a sequence of non-negative integers/);
  refused(craft([2], [1], { requiresGrad: 1 }), /requires_grad flag is not a bool/);
  refused(craft([1], [1], { storageClass: "LongStorage", numel: 1, requiresGrad: true }), /int64 tensor cannot require gradients/);
  assert.deepEqual(decodePt(craft([2], [1], { requiresGrad: true })), {
    dtype: "float32",
    shape: [2],
    data: new Float32Array(2),
    requiresGrad: true,
  });
});

test("requires_grad round-trips; a Parameter's own flag wins over its data's", () => {
  const w: RawTensor = { dtype: "float64", shape: [1], data: new Float64Array([2]), requiresGrad: true };
  const plain: RawTensor = { dtype: "float32", shape: [1], data: new Float32Array([1]) };
  assert.deepEqual(decodePt(encodePt({ w, plain })), new Map<string, RawTensor>([["w", w], ["plain", plain]]));
  const param = (requiresGrad: unknown[]) =>
    new PyReduce(new PyGlobal("torch._utils", "_rebuild_parameter"), [
      new PyReduce(new PyGlobal("torch._utils", "_rebuild_tensor_v2"), [
        new PyPersistentId(tuple(["storage", new PyGlobal("torch", "FloatStorage"), "0", "cpu", 1])),
        0,
        tuple([1]),
        tuple([1]),
        false,
        new OrderedDict(),
      ]),
      ...requiresGrad,
      new OrderedDict(),
    ]);
  const archive = (value: unknown) =>
    writeZip([
      { name: "p/data.pkl", data: pickle(value) },
      { name: "p/data/0", data: new Uint8Array(4) },
    ]);
  assert.equal((decodePt(archive(param([true]))) as RawTensor).requiresGrad, true);
  assert.equal((decodePt(archive(param([false]))) as RawTensor).requiresGrad, undefined);
});

test("torch.load's maxCopyBytes raises the copy budget that a small file's expanded tensor exceeds", () => {
  // 1000 float32 zeros expanded from one 8-byte storage: 4000 bytes to copy from a file of ~400.
  const bytes = craft([1000], [0]);
  assert.ok(bytes.length < 4000);
  assert.throws(
    () => loadBuffer(bytes),
    (e: Error) => e instanceof FileFormatError && /needs more than \d+ bytes.*maxCopyBytes/.test(e.message),
  );
  const t = loadBuffer(bytes, { maxCopyBytes: 4000 });
  assert.deepEqual(t.shape, [1000]);
  assert.equal(t.sum().item(), 0);
  assert.throws(() => loadBuffer(bytes, { maxCopyBytes: -1 }), /maxCopyBytes must be a non-negative number/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { FileFormatError } from "../../src/io/format-error.js";
import type { RawTensor } from "../../src/io/raw-tensor.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { assertMatches, expected, fixture } from "./expected.js";

const every: Record<string, RawTensor> = {
  f32: { dtype: "float32", shape: [2, 2], data: new Float32Array([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY]) },
  f64: { dtype: "float64", shape: [3], data: new Float64Array([Math.PI, -1e-320, Number.NEGATIVE_INFINITY]) },
  i32: { dtype: "int32", shape: [1, 2], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]) },
  i64: { dtype: "int64", shape: [4], data: new Float64Array([0, -1, 2 ** 53 - 1, -(2 ** 53 - 1)]) },
  u8: { dtype: "uint8", shape: [2], data: new Uint8Array([0, 255]) },
  b: { dtype: "bool", shape: [3], data: new Uint8Array([1, 0, 1]) },
  scalar: { dtype: "float32", shape: [], data: new Float32Array([7]) },
  empty: { dtype: "int64", shape: [0, 5], data: new Float64Array(0) },
};

function header(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}

/** A file with this header text (padded) and `data` bytes after it. */
function build(headerText: string, data = new Uint8Array(0), declared?: number): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test("every dtype round-trips exactly, with metadata", () => {
  const bytes = encodeSafetensors(every, { format: "pt", "a key": "é" });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { format: "pt", "a key": "é" });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(every).sort());
  for (const [name, t] of Object.entries(every)) {
    assert.equal(tensors[name]!.dtype, t.dtype);
    assert.deepEqual(tensors[name]!.shape, t.shape);
    assert.equal(tensors[name]!.data.constructor, t.data.constructor);
    assert.deepEqual(Array.from(tensors[name]!.data), Array.from(t.data), name);
  }
});

test("layout follows the reference writer: dtype order then name, compact JSON, space padding to 8", () => {
  const bytes = encodeSafetensors(every, { z: "1", a: "2" });
  const text = header(bytes);
  assert.equal(text.length % 8, 0);
  assert.match(text, /^\{"__metadata__":\{"a":"2","z":"1"\},"empty":\{"dtype":"I64","shape":\[0,5\],"data_offsets":\[0,0\]\},"i64":/);
  const names = Object.keys(JSON.parse(text)).slice(1);
  assert.deepEqual(names, ["empty", "i64", "f64", "f32", "scalar", "i32", "u8", "b"]);
  assert.ok(text.endsWith("}") || / +$/.test(text));
  // No metadata: no "__metadata__" key at all, and an empty file is "{}" padded.
  assert.equal(header(encodeSafetensors({})), "{}      ");
  assert.equal(encodeSafetensors({}).length, 16);
});

test("PyTorch's state dict in the reference layout decodes exactly and re-encodes byte for byte", () => {
  const bytes = fixture("state_dict.safetensors");
  const { tensors, metadata, names } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { format: "pt" });
  // The reference writer's order: same dtype, so by name.
  assert.deepEqual(names, ["0.bias", "0.weight", "2.bias", "2.weight"]);
  const sd = expected.state_dict as { ordereddict: [string, unknown][] };
  for (const [name, desc] of sd.ordereddict) assertMatches(tensors[name], desc, name);
  assert.deepEqual(encodeSafetensors(tensors, metadata), bytes);
});

test("a file of every dtype decodes exactly", () => {
  const { tensors } = decodeSafetensors(fixture("dtypes.safetensors"));
  const d = expected.dtypes as { dict: [string, unknown][] };
  for (const [name, desc] of d.dict) assertMatches(tensors[name], desc, name);
  assert.deepEqual(encodeSafetensors(tensors), fixture("dtypes.safetensors"));
});

test("tensor names are ordinary keys, even __proto__; __metadata__ is reserved", () => {
  const t: RawTensor = { dtype: "uint8", shape: [1], data: new Uint8Array([9]) };
  const names = new Map([["__proto__", t], ["0", t], ["constructor", t]]);
  const { tensors, names: order } = decodeSafetensors(encodeSafetensors(names));
  assert.deepEqual(Object.keys(tensors).sort(), ["0", "__proto__", "constructor"]);
  assert.deepEqual(order, ["0", "__proto__", "constructor"]);
  assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
  assert.throws(() => encodeSafetensors({ __metadata__: t } as Record<string, RawTensor>), /reserved/);
});

test("writing checks the record: data type, length, int64 integrality", () => {
  assert.throws(() => encodeSafetensors({ x: { dtype: "float32", shape: [2], data: new Float64Array(2) } }), /Float32Array/);
  assert.throws(() => encodeSafetensors({ x: { dtype: "float32", shape: [3], data: new Float32Array(2) } }), /3 elements/);
  assert.throws(() => encodeSafetensors({ x: { dtype: "int64", shape: [1], data: new Float64Array([0.5]) } }), /not an integer/);
  assert.throws(() => encodeSafetensors({ x: { dtype: "int64", shape: [1], data: new Float64Array([2 ** 63]) } }), /int64's range/);
  // Integral float64 values beyond 2**53 are exact in int64 and written as such.
  const bytes = encodeSafetensors({ x: { dtype: "int64", shape: [2], data: new Float64Array([2 ** 62, -(2 ** 63)]) } });
  const view = new DataView(bytes.buffer, bytes.length - 16);
  assert.equal(view.getBigInt64(0, true), 2n ** 62n);
  assert.equal(view.getBigInt64(8, true), -(2n ** 63n));
});

test("int64 values beyond 2**53 - 1 are a clear error on read", () => {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setBigInt64(0, 2n ** 53n + 1n, true);
  const bytes = build('{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', data);
  assert.throws(() => decodeSafetensors(bytes), (e: Error) => e instanceof FileFormatError && /9007199254740993.*beyond 2\*\*53/.test(e.message));
});

const bad: [string, Uint8Array, RegExp][] = [
  ["too short", new Uint8Array(5), /too short/],
  ["header length past the file", build("{}", undefined, 1000), /larger than the file/],
  ["header length past the limit", build("{}", undefined, 2 ** 40), /limit/],
  ["not JSON", build("{nope"), /not valid JSON/],
  ["not an object", build("[1,2]"), /not a JSON object/],
  ["not UTF-8", build("{\"\xff\":1}".replace("\xff", "\u00ff")).map((b, i) => (i === 10 ? 0xff : b)), /UTF-8|JSON/],
  ["unknown dtype", build('{"x":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), /unknown dtype "Q9"/],
  ["dtype kindling lacks", build('{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}', new Uint8Array(2)), /F16, which kindling does not have/],
  ["shape and bytes disagree", build('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Uint8Array(8)), /needs 12 bytes but data_offsets span 8/],
  ["gap", build('{"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', new Uint8Array(2)), /expected it to start at 0/],
  [
    "overlap",
    build('{"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"y":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', new Uint8Array(3)),
    /expected it to start at 2/,
  ],
  ["offset past the data", build('{"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', new Uint8Array(2)), /past the data/],
  ["trailing bytes", build('{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(3)), /cover 1 bytes of data but the file holds 3/],
  ["negative offset", build('{"x":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}'), /invalid data_offsets/],
  ["fractional shape", build('{"x":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}', new Uint8Array(1)), /invalid shape/],
  ["huge shape", build('{"x":{"dtype":"F64","shape":[9007199254740991,9007199254740991],"data_offsets":[0,8]}}', new Uint8Array(8)), /needs .* bytes/],
  ["metadata not strings", build('{"__metadata__":{"a":1}}'), /not a string/],
];

for (const [name, bytes, message] of bad) {
  test(`malformed: ${name}`, () => {
    assert.throws(() => decodeSafetensors(bytes), (e: Error) => e instanceof FileFormatError && message.test(e.message));
  });
}

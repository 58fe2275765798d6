import assert from "node:assert/strict";
import { test } from "node:test";
import { FileFormatError } from "../../src/io/format-error.js";
import { readZip, writeZip } from "../../src/io/zip.js";
import { fixture } from "./expected.js";

const enc = (s: string) => new TextEncoder().encode(s);
const records = [
  { name: "a/data.pkl", data: enc("pickle bytes") },
  { name: "a/data/0", data: new Uint8Array(100).map((_, i) => i) },
  { name: "a/empty", data: new Uint8Array(0) },
  { name: "a/ünïcode", data: enc("x") },
];

function isFormatError(pattern: RegExp) {
  return (e: Error) => e instanceof FileFormatError && pattern.test(e.message);
}

test("round trip, every record's data 64-byte aligned", () => {
  const bytes = writeZip(records);
  const back = readZip(bytes);
  assert.deepEqual(back.map((r) => r.name), records.map((r) => r.name));
  back.forEach((r, i) => {
    assert.deepEqual(r.data, records[i]!.data);
    assert.equal(r.data.byteOffset % 64, 0);
  });
});

test("reads PyTorch's archives (data descriptors, zip64 end records)", () => {
  const names = readZip(fixture("state_dict.pt")).map((r) => r.name);
  assert.deepEqual(names, ["state_dict/data.pkl", "state_dict/data/0", "state_dict/data/1", "state_dict/data/2", "state_dict/data/3", "state_dict/version"]);
});

function edit(bytes: Uint8Array, f: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  f(new DataView(copy.buffer));
  return copy;
}

const base = writeZip(records);
const cdOffset = new DataView(base.buffer).getUint32(base.length - 6, true);

test("corrupted data fails its CRC", () => {
  assert.throws(() => readZip(edit(base, (v) => v.setUint8(64 + 1, 0x21))), isFormatError(/CRC-32/));
});

test("compressed entries are refused with a clear message", () => {
  assert.throws(() => readZip(edit(base, (v) => v.setUint16(cdOffset + 10, 8, true))), isFormatError(/compressed \(method 8\)/));
});

test("declared sizes past the file are refused (zip bombs)", () => {
  const huge = edit(base, (v) => {
    v.setUint32(cdOffset + 20, 0x7fffffff, true);
    v.setUint32(cdOffset + 24, 0x7fffffff, true);
  });
  assert.throws(() => readZip(huge), isFormatError(/past the start of the central directory/));
});

test("overlapping entries are refused", () => {
  // Point the second central entry at the first local header (and give it the first's name length/name check).
  const second = cdOffset + 46 + "a/data.pkl".length;
  const overlapped = edit(base, (v) => v.setUint32(second + 42, 0, true));
  assert.throws(() => readZip(overlapped), isFormatError(/names a different file|overlap/));
  const bytes = writeZip([records[0]!, records[0]!].map((r, i) => ({ ...r, name: i ? "b/data.pk" : "a/data.pk" })));
  const cd = new DataView(bytes.buffer).getUint32(bytes.length - 6, true);
  const dup = edit(bytes, (v) => {
    v.setUint32(cd + 46 + 9 + 42, 0, true);
    new Uint8Array(v.buffer).set(enc("a/data.pk"), cd + 46 + 9 + 46);
  });
  assert.throws(() => readZip(dup), isFormatError(/duplicate entry/));
});

test("entry counts the central directory cannot hold, and truncation, are refused", () => {
  assert.throws(() => readZip(edit(base, (v) => {
    v.setUint16(base.length - 14, 5000, true);
    v.setUint16(base.length - 12, 5000, true);
  })), isFormatError(/cannot fit/));
  assert.throws(() => readZip(base.subarray(0, base.length - 1)), isFormatError(/not a zip archive/));
  assert.throws(() => readZip(base.subarray(10)), FileFormatError);
});

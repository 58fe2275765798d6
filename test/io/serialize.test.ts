import assert from "node:assert/strict";
import { test } from "node:test";
import { OrderedDict } from "../../src/io/pickle.js";
import type { RawTensor } from "../../src/io/raw-tensor.js";
import { detectFormat, formatForPath, loadBuffer, saveBuffer } from "../../src/io/serialize.js";
import { fixture } from "./expected.js";

const t: RawTensor = { dtype: "bool", shape: [2], data: new Uint8Array([1, 0]) };

test("formats by file name and by content", () => {
  assert.equal(formatForPath("a/b/model.safetensors"), "safetensors");
  for (const p of ["m.pt", "M.PTH", "ck.ckpt", "pytorch_model.bin"]) assert.equal(formatForPath(p), "pt", p);
  assert.equal(formatForPath("weights"), "safetensors");
  assert.equal(detectFormat(fixture("state_dict.pt")), "pt");
  assert.equal(detectFormat(fixture("state_dict.safetensors")), "safetensors");
});

test("saveBuffer/loadBuffer round-trip in both formats", () => {
  const sd = new OrderedDict([["mask", t]]);
  assert.deepEqual(loadBuffer(saveBuffer(sd, "safetensors")), sd);
  assert.deepEqual(loadBuffer(saveBuffer(sd, "pt")), sd);
  assert.deepEqual(loadBuffer(saveBuffer({ mask: t }, "safetensors")), sd);
  const back = loadBuffer(fixture("state_dict.safetensors")) as OrderedDict<string, RawTensor>;
  assert.deepEqual([...back.keys()].sort(), ["0.bias", "0.weight", "2.bias", "2.weight"]);
});

test("safetensors takes only a flat mapping of tensors", () => {
  assert.throws(() => saveBuffer([t], "safetensors"), /mapping of names to tensors/);
  assert.throws(() => saveBuffer(t, "safetensors"), /mapping of names to tensors/);
  assert.throws(() => saveBuffer({ a: { b: t } }, "safetensors"), /"a" is not one/);
  assert.throws(() => saveBuffer(new Map([[1, t]]), "safetensors"), /names must be strings/);
});

test("loadBuffer converts tensors with fromRaw in both formats", () => {
  for (const format of ["pt", "safetensors"] as const) {
    const back = loadBuffer(saveBuffer({ m: t }, format), { fromRaw: (r) => Array.from(r.data) });
    assert.deepEqual(back, format === "pt" ? new Map([["m", [1, 0]]]) : new OrderedDict([["m", [1, 0]]]));
  }
});

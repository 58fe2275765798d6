import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { OrderedDict } from "../../src/io/pickle.js";
import type { RawTensor } from "../../src/io/raw-tensor.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { loadFile, saveFile } from "../../src/io/save-node.js";
import { readZip } from "../../src/io/zip.js";

const dir = mkdtempSync(join(tmpdir(), "kindling-save-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const w: RawTensor = { dtype: "float32", shape: [2], data: new Float32Array([0.5, -1]) };

test("the file name picks the format; loading recognises it from the bytes", () => {
  const sd = new OrderedDict([["w", w]]);
  saveFile(sd, join(dir, "model.safetensors"), { metadata: { format: "pt" } });
  assert.deepEqual(decodeSafetensors(new Uint8Array(readFileSync(join(dir, "model.safetensors")))).metadata, { format: "pt" });
  saveFile(sd, join(dir, "model.pt"));
  // Like torch.save, the archive folder is named after the file.
  assert.equal(readZip(new Uint8Array(readFileSync(join(dir, "model.pt"))))[0]!.name, "model/data.pkl");
  for (const name of ["model.safetensors", "model.pt"]) assert.deepEqual(loadFile(join(dir, name)), sd, name);
  saveFile({ epoch: 3, model: sd }, join(dir, "ckpt.pth"));
  assert.deepEqual(loadFile(join(dir, "ckpt.pth")), new Map<string, unknown>([["epoch", 3], ["model", sd]]));
});

test("checkpoints cannot go to safetensors, which holds only name -> tensor", () => {
  assert.throws(() => saveFile({ epoch: 3 }, join(dir, "x.safetensors")), /only tensors.*\.pt format/);
});

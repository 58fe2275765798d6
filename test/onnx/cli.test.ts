// `kindling train --onnx` writes model.onnx beside model.safetensors; ONNX Runtime runs it with
// the outputs of the network rebuilt from the safetensors weights, at any batch size.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as torch from "../../src/index.js";
import { main } from "../../src/cli/main.js";
import { buildNetwork } from "../../src/cli/train/model.js";
import { makeBlobs, writeCsv } from "../../src/datasets/index.js";
import { recordingIO } from "../cli/recorder.js";
import { assertSameOutput, runOnnx, skip } from "./ort.js";

const dir = mkdtempSync(join(tmpdir(), "kindling-onnx-train-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("kindling train --onnx writes model.onnx, which ONNX Runtime runs as the saved weights", { skip }, async () => {
  const csv = writeCsv(makeBlobs({ n: 120, generator: new torch.Generator().manualSeed(3) }), join(dir, "blobs.csv"));
  const out = join(dir, "model");
  const io = recordingIO();
  const status = await main(["train", "--quiet", "--csv", csv, "--target", "label", "--epochs", "3", "--onnx", "--out", out], io);
  assert.equal(status, 0, io.stderr.text);
  assert.match(io.stdout.text, /model\.onnx/);
  assert.ok(existsSync(join(out, "model.safetensors")));
  const description = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
  assert.equal(description.onnx, "model.onnx");

  const net = buildNetwork(description.features.length, description.hidden, description.classes.length > 2 ? description.classes.length : 1);
  net.loadStateDict(torch.load(join(out, "model.safetensors")) as Record<string, torch.Tensor>);
  net.eval();
  const bytes = new Uint8Array(readFileSync(join(out, "model.onnx")));
  for (const batch of [1, 5, 17]) {
    const x = torch.randn(batch, description.features.length);
    const got = await runOnnx(bytes, { input: x });
    assertSameOutput(got.output, torch.noGrad(() => net.forward(x)), `batch ${batch}`);
  }

  // Without --onnx there is no model.onnx.
  const plain = join(dir, "plain");
  assert.equal(await main(["train", "--quiet", "--csv", csv, "--target", "label", "--epochs", "1", "--out", plain], recordingIO()), 0);
  assert.equal(existsSync(join(plain, "model.onnx")), false);
});

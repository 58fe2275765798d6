import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { agrees, forwardBackwardSteps } from "../../src/cli/tour/forward-backward.js";
import { recordingIO } from "./recorder.js";

// PyTorch 1.13's numbers for the chapter's worked example (the acceptance program forward-backward.py)
const PYTORCH = {
  σ1: 0.6565145254135132,
  σ2: 0.6731573343276978,
  σ3: 0.41543319821357727,
  L: 0.5368841886520386,
  "∂L/∂w1": -0.016160061582922935,
  "∂L/∂w3": 0.010319304652512074,
  "∂L/∂w5": 0.27273792028427124,
  "∂L/∂w6": 0.2796518802642822,
  "∂L/∂b3": 0.4154331684112549,
  "w1 ←": 0.4513600766658783,
  "w4 ←": 0.47318071126937866,
  "b2 ←": 0.03358069807291031,
  "w5 ←": -0.445237934589386,
  "b3 ←": -0.7197331786155701,
};

test("the worked example: autograd agrees with the closed form at every step, and with PyTorch", () => {
  const { steps, outputRepr } = forwardBackwardSteps();
  assert.equal(steps.length, 31);
  for (const step of steps) assert.ok(agrees(step), `${step.name}: closed form ${step.closedForm}, autograd ${step.autograd}`);
  for (const [name, value] of Object.entries(PYTORCH)) {
    const step = steps.find((s) => s.name === name);
    assert.ok(step, name);
    assert.ok(Math.abs(step.autograd - value) <= 1e-6, `${name}: kindling ${step.autograd}, PyTorch ${value}`);
  }
  assert.equal(outputRepr, "tensor([[0.4154]], grad_fn=<SigmoidBackward0>)");
});

test("the tour prints the chapter's results and writes every chart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kindling-tour-"));
  try {
    const io = recordingIO();
    assert.equal(await main(["tour", "--out", dir, "--quiet"], io), 0, io.stderr.text);
    const text = io.stdout.text;
    assert.equal(io.stderr.text, "");
    for (const heading of ["1. Activation functions", "2. Forward and backward propagation", "3. Binary classification", "4. XOR"]) {
      assert.ok(text.includes(heading), heading);
    }
    assert.match(text, /31 of 31 values agree with the closed form/);
    assert.match(text, /softmax\(z\) {5}= \[0\.0900, 0\.2447, 0\.6652\]/);
    const accuracy = Number(/test accuracy: \d+ of \d+ = ([\d.]+)%/.exec(text)?.[1]);
    assert.ok(accuracy >= 85, `pass/fail test accuracy ${accuracy}%`);
    assert.match(text, /single layer: .*\n(?:.*\n){6} {4}did not learn XOR/);
    assert.match(text, /two layers: .*\n(?:.*\n){6} {4}learned XOR: all four predictions right/);
    const charts = [
      ...["sigmoid", "tanh", "relu", "leaky-relu", "prelu", "elu", "threshold", "gelu", "silu", "softplus", "hardtanh", "relu6", "step"].map((a) => `activation-${a}`),
      "sigmoid-coefficient",
      "pass-fail-cost",
      "pass-fail-confusion",
      "xor-cost",
      "xor-boundary-single-layer",
      "xor-boundary-two-layers",
    ];
    for (const chart of charts) {
      const path = join(dir, `${chart}.svg`);
      assert.ok(existsSync(path), path);
      assert.ok(text.includes(path), `${path} listed`);
      assert.match(readFileSync(path, "utf8"), /^<svg /);
    }
    assert.equal(readFileSync(join(dir, "pass-fail.csv"), "utf8").split("\n")[0], "x,y,z,pass");
    assert.equal(readFileSync(join(dir, "xor.csv"), "utf8").split("\n")[0], "x1,x2,y");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--only runs one step", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kindling-tour-"));
  try {
    const io = recordingIO();
    assert.equal(await main(["tour", "--only", "forward-backward", "--out", dir], io), 0);
    assert.ok(io.stdout.text.includes("2. Forward and backward"));
    assert.ok(!io.stdout.text.includes("1. Activation"));
    const bad = recordingIO();
    assert.equal(await main(["tour", "--only", "moons"], bad), 1);
    assert.match(bad.stderr.text, /--only must be one of all, activations, forward-backward, pass-fail, xor, got 'moons'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

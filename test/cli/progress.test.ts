import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, Progress } from "../../src/cli/progress.js";
import { Recorder } from "./recorder.js";

function clock(step: number) {
  let t = 0;
  return () => {
    const now = t;
    t += step;
    return now;
  };
}

test("without a terminal, progress is a plain line every tenth of the way", () => {
  const stream = new Recorder(false);
  const progress = new Progress({ total: 20, label: "xor", stream, now: clock(500) });
  assert.equal(progress.mode, "lines");
  for (let epoch = 1; epoch <= 20; epoch++) progress.update(epoch, 1 / epoch);
  progress.finish();
  const lines = stream.text.trimEnd().split("\n");
  assert.equal(lines.length, 10);
  assert.equal(lines[0], "xor: epoch 2/20 cost 0.5000 (1s, ETA 9s)");
  assert.equal(lines[9], "xor: epoch 20/20 cost 0.05000 (10s)");
  assert.ok(!stream.text.includes("\r"));
});

test("on a terminal the bar is redrawn in place with epoch, cost and ETA", () => {
  const stream = new Recorder(true, 100);
  const progress = new Progress({ total: 4, label: "fit", stream, now: clock(1000) });
  assert.equal(progress.mode, "bar");
  for (let epoch = 1; epoch <= 4; epoch++) progress.update(epoch, 0.5);
  progress.finish();
  const frames = stream.text.split("\r\x1b[2K").filter(Boolean);
  assert.equal(frames.length, 4);
  assert.equal(frames[0], `fit ${"█".repeat(8)}${"░".repeat(22)} 1/4 cost 0.5000 ETA 3s`);
  assert.equal(frames[3], `fit ${"█".repeat(30)} 4/4 cost 0.5000 4s\n`);
});

test("a fast loop redraws the bar at most ten times a second, but always the end", () => {
  const stream = new Recorder(true);
  const progress = new Progress({ total: 1000, label: "fit", stream, now: clock(1) });
  for (let epoch = 1; epoch <= 1000; epoch++) progress.update(epoch);
  const frames = stream.text.split("\r").filter(Boolean);
  assert.ok(frames.length <= 12, `${frames.length} redraws`);
  assert.match(frames[frames.length - 1], /1000\/1000/);
});

test("quiet writes nothing", () => {
  const stream = new Recorder(true);
  const progress = new Progress({ total: 3, label: "fit", stream, mode: "quiet" });
  for (let epoch = 1; epoch <= 3; epoch++) progress.update(epoch, 0.1);
  progress.finish();
  assert.equal(stream.text, "");
});

test("durations read as seconds, minutes or hours", () => {
  assert.equal(formatDuration(400), "0s");
  assert.equal(formatDuration(59_400), "59s");
  assert.equal(formatDuration(61_000), "1m01s");
  assert.equal(formatDuration(3_725_000), "1h02m");
});

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, test } from "node:test";
import { readFileBytes, writeFileAtomic } from "../../src/io/file-node.js";

const dir = mkdtempSync(join(tmpdir(), "kindling-io-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writeFileAtomic writes and replaces, leaving no temporary file", () => {
  const path = join(dir, "a.bin");
  writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
  writeFileSync(join(dir, "keep"), "x");
  writeFileAtomic(path, new Uint8Array(100_000).fill(7));
  assert.equal(readFileSync(path).length, 100_000);
  assert.deepEqual(readdirSync(dir).sort(), ["a.bin", "keep"]);
});

test("a failed write reports the path and leaves the old file and no temporary file", () => {
  const path = join(dir, "b.bin");
  writeFileAtomic(path, new Uint8Array([9]));
  assert.throws(() => writeFileAtomic(join(dir, "missing", "c.bin"), new Uint8Array(1)), /cannot write .*c\.bin: no such file or directory/);
  // Renaming over a directory fails after the temporary file was written: it must be removed.
  assert.throws(() => writeFileAtomic(dir, new Uint8Array(1)), /cannot write/);
  assert.deepEqual([...readFileSync(path)], [9]);
  assert.ok(!readdirSync(dir).some((f) => f.endsWith(".tmp")), readdirSync(dir).join(","));
  // That temporary file sat beside the target, in the target's parent folder.
  assert.ok(!readdirSync(tmpdir()).some((f) => f.startsWith(`.${basename(dir)}.`)), "temporary file left behind");
});

test("readFileBytes reads bytes and explains failures", () => {
  const path = join(dir, "r.bin");
  writeFileSync(path, Uint8Array.from([5, 6]));
  const bytes = readFileBytes(path);
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual([...bytes], [5, 6]);
  assert.throws(() => readFileBytes(join(dir, "nope.pt")), /cannot read .*nope\.pt: no such file or directory/);
  assert.throws(() => readFileBytes(dir), /cannot read .*: it is a directory/);
});

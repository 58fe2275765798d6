import assert from "node:assert/strict";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
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

// Issue 11, item 5: torch.save over a read-only file refused (PyTorch's open() refuses it), a
// symlink written through to its target, atomically, and the replaced file's mode kept.
test("a read-only target is refused and left as it was (contents and mode)", () => {
  const path = join(dir, "ro.pt");
  writeFileSync(path, "old");
  chmodSync(path, 0o444);
  assert.throws(() => writeFileAtomic(path, new Uint8Array([1])), /cannot write .*ro\.pt: permission denied \(the file is read-only, mode 0444/);
  assert.equal(readFileSync(path, "utf8"), "old");
  assert.equal(statSync(path).mode & 0o7777, 0o444);
  assert.ok(!readdirSync(dir).some((f) => f.endsWith(".tmp")));
});

test("a replaced file keeps its mode; a new one gets 0666 less the umask", () => {
  const path = join(dir, "mode.pt");
  writeFileSync(path, "old");
  chmodSync(path, 0o600);
  writeFileAtomic(path, new Uint8Array([1, 2]));
  assert.deepEqual([...readFileSync(path)], [1, 2]);
  assert.equal(statSync(path).mode & 0o7777, 0o600);
  chmodSync(path, 0o755);
  writeFileAtomic(path, new Uint8Array([3]));
  assert.equal(statSync(path).mode & 0o7777, 0o755);
  const fresh = join(dir, "fresh.pt");
  writeFileAtomic(fresh, new Uint8Array([1]));
  const umask = process.umask();
  assert.equal(statSync(fresh).mode & 0o777, 0o666 & ~umask);
});

test("a symlink is written through: the link stays, its target is replaced atomically with its mode", () => {
  const sub = join(dir, "real");
  mkdirSync(sub);
  const target = join(sub, "weights.safetensors");
  writeFileSync(target, "old");
  chmodSync(target, 0o640);
  const link = join(dir, "link.safetensors");
  symlinkSync("real/weights.safetensors", link); // relative to the link's folder
  writeFileAtomic(link, new Uint8Array([4, 5, 6]));
  assert.ok(lstatSync(link).isSymbolicLink(), "the link is still a link");
  assert.equal(readlinkSync(link), "real/weights.safetensors");
  assert.deepEqual([...readFileSync(target)], [4, 5, 6]);
  assert.equal(statSync(target).mode & 0o7777, 0o640);
  // no temporary file in either folder
  assert.ok(![...readdirSync(dir), ...readdirSync(sub)].some((f) => f.endsWith(".tmp")));
  // a chain of links, and a link to a file that does not exist yet (created in the target's folder)
  const chain = join(dir, "chain.safetensors");
  symlinkSync(link, chain);
  writeFileAtomic(chain, new Uint8Array([7]));
  assert.deepEqual([...readFileSync(target)], [7]);
  const dangling = join(dir, "dangling.pt");
  symlinkSync(join(sub, "new.pt"), dangling);
  writeFileAtomic(dangling, new Uint8Array([8]));
  assert.ok(lstatSync(dangling).isSymbolicLink());
  assert.deepEqual([...readFileSync(join(sub, "new.pt"))], [8]);
  // a link to a read-only file is refused like the file itself
  chmodSync(target, 0o444);
  assert.throws(() => writeFileAtomic(link, new Uint8Array([9])), /cannot write .*link\.safetensors \(a link to .*weights\.safetensors\): permission denied/);
  assert.deepEqual([...readFileSync(target)], [7]);
  // a loop of links is an error, not a hang
  symlinkSync(join(dir, "loop-b"), join(dir, "loop-a"));
  symlinkSync(join(dir, "loop-a"), join(dir, "loop-b"));
  assert.throws(() => writeFileAtomic(join(dir, "loop-a"), new Uint8Array([1])), /cannot write .*loop-a: too many levels of symbolic links/);
});

test("torch.save itself: a read-only .pt is refused, a symlinked .safetensors is written through and loads", async () => {
  const torch = await import("../../src/index.js");
  const ro = join(dir, "model-ro.pt");
  torch.save({ w: torch.tensor([1, 2]) }, ro);
  chmodSync(ro, 0o444);
  assert.throws(() => torch.save({ w: torch.tensor([3]) }, ro), /read-only/);
  assert.deepEqual(torch.load(ro).w.tolist(), [1, 2]);
  const real = join(dir, "model-real.safetensors");
  torch.save({ w: torch.tensor([1]) }, real);
  symlinkSync(real, join(dir, "model-link.safetensors"));
  torch.save({ w: torch.tensor([5, 6]) }, join(dir, "model-link.safetensors"));
  assert.ok(lstatSync(join(dir, "model-link.safetensors")).isSymbolicLink());
  assert.deepEqual(torch.load(real).w.tolist(), [5, 6]);
});

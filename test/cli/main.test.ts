import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { recordingIO } from "./recorder.js";

const root = new URL("../..", import.meta.url).pathname;

test("kindling --help lists the commands", async () => {
  const io = recordingIO();
  assert.equal(await main(["--help"], io), 0);
  assert.match(io.stdout.text, /Usage: kindling \[command\] \[options\]/);
  for (const name of ["tour", "train", "datasets", "help"]) assert.match(io.stdout.text, new RegExp(`\\n {2}${name} `));
  assert.equal(io.stderr.text, "");
});

test("every command answers --help, and help <command> gives the same text", async () => {
  for (const name of ["tour", "train", "datasets"]) {
    const io = recordingIO();
    assert.equal(await main([name, "--help"], io), 0, name);
    assert.match(io.stdout.text, new RegExp(`^Usage: kindling ${name} \\[options\\]`));
    const viaHelp = recordingIO();
    assert.equal(await main(["help", name], viaHelp), 0);
    assert.equal(viaHelp.stdout.text, io.stdout.text);
  }
});

test("--version prints package.json's version", async () => {
  const io = recordingIO();
  assert.equal(await main(["--version"], io), 0);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.equal(io.stdout.text, `${pkg.version}\n`);
});

test("an unknown command or option is one line on stderr and status 1", async () => {
  const io = recordingIO();
  assert.equal(await main(["trian"], io), 1);
  assert.equal(io.stderr.text, "kindling: no command 'trian'; the commands are tour, train, datasets (see 'kindling --help')\n");
  const io2 = recordingIO();
  assert.equal(await main(["datasets", "--row", "3"], io2), 1);
  assert.equal(io2.stderr.text, "kindling: unknown option '--row' (see 'kindling datasets --help')\n");
  assert.equal(io2.stdout.text, "");
});

test("kindling datasets writes the four tables", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kindling-cli-"));
  try {
    const io = recordingIO();
    assert.equal(await main(["datasets", "--out", dir, "--rows", "8", "--seed", "3"], io), 0);
    for (const file of ["xor.csv", "pass-fail.csv", "moons.csv", "blobs.csv"]) {
      const lines = readFileSync(join(dir, file), "utf8").trimEnd().split("\n");
      assert.equal(lines.length, 9, file);
      assert.match(io.stdout.text, new RegExp(`wrote .*${file} \\(8 rows`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the installed bin runs the TypeScript sources and exits 1 with one line on a bad option", () => {
  const ok = spawnSync(process.execPath, [join(root, "bin/kindling.mjs"), "--version"], { encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^\d+\.\d+\.\d+\n$/);
  const bad = spawnSync(process.execPath, [join(root, "bin/kindling.mjs"), "datasets", "--seed", "x"], { encoding: "utf8" });
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr, "kindling: datasets: --seed must be a whole number >= 0, got 'x' (see 'kindling datasets --help')\n");
});

// The package entry: what `import * as torch from "kindling"` loads must run in a browser, so no
// file reachable from src/index.ts may import a Node built-in statically (file helpers look Node's
// modules up when they are called instead).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  // `import ... from "x"`, `export ... from "x"` and bare `import "x"`; type-only imports are erased.
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm)) {
    if (!m[2]) specs.push(m[3]);
  }
  return specs;
}

test("nothing reachable from src/index.ts imports a node: module", () => {
  const seen = new Set<string>();
  const offenders: string[] = [];
  const stack = [join(root, "src/index.ts")];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith("node:") || ["fs", "path", "url", "module", "os"].includes(spec)) {
        offenders.push(`${file.slice(root.length + 1)} imports ${spec}`);
      } else if (spec.startsWith(".")) {
        stack.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      }
    }
  }
  assert.ok(seen.size > 50, `walked only ${seen.size} files`);
  assert.deepEqual(offenders, []);
});

test("the package exports the torch namespace by name", async () => {
  const torch = await import("kindling");
  assert.equal(String(torch.float32), "torch.float32");
  assert.equal(typeof torch.nn.Linear, "function");
  assert.equal(typeof torch.optim.SGD, "function");
  assert.equal(typeof torch.data.DataLoader, "function");
  assert.equal(torch.utils.data, torch.data);
  assert.equal(torch.cuda.isAvailable(), false);
  assert.throws(() => torch.zeros(2).to("cuda"), /device 'cuda' is not available.*available devices: 'cpu'/);
});

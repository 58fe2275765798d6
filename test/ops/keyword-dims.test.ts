// Tensor methods called as attention and classifier code calls them, with a positional flag
// (x.sort(1, True), x.topk(2, 1, False), F.pad(x, p, "constant", 9)) or a keyword dim
// (qkv.chunk(3, dim=-1) -> qkv.chunk(3, { dim: -1 }), x.norm(dim=-1, keepdim=True)), against
// PyTorch 1.13 (scripts/fixtures/keyword_dims.py). Before, the flags were dropped silently (an
// ascending sort, zero padding) and the keyword dims threw.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const { F } = torch;
type Tensor = torch.Tensor;
const want = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "keyword-dims.json"), "utf8")) as Record<string, unknown>;

function close(got: unknown, expected: unknown, what: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(got), `${what}: not an array`);
    assert.equal((got as unknown[]).length, expected.length, `${what}: length`);
    expected.forEach((e, i) => {
      close((got as unknown[])[i], e, `${what}[${i}]`);
    });
    return;
  }
  const g = got as number;
  const e = expected as number;
  assert.ok(g === e || Math.abs(g - e) <= 1e-6 * Math.max(1, Math.abs(e)), `${what}: ${g} vs ${e}`);
}

describe("positional flags and keyword dims", () => {
  const x = torch.tensor([[3.0, 1.0, 2.0, 0.5], [0.0, 5.0, 4.0, -1.0]]);
  const q = torch.arange(12).float().reshape(2, 6);
  const pair = (r: { values: Tensor; indices: Tensor }) => [r.values.tolist(), r.indices.tolist()];
  const cases: Record<string, () => unknown> = {
    "sort(1, True)": () => pair(x.sort(1, true)),
    "torch.sort(x, 0, True)": () => pair(torch.sort(x, 0, true)),
    "argsort(1, True)": () => x.argsort(1, true).tolist(),
    "topk(2, 1, False)": () => pair(x.topk(2, 1, false)),
    "torch.topk(x, 1, 0, True, True)": () => pair(torch.topk(x, 1, 0, true, true)),
    "F.pad(x, (1, 1), 'constant', 9.0)": () => F.pad(x, [1, 1], "constant", 9.0).tolist(),
    "F.pad(x3, (2, 1), 'reflect')": () => F.pad(x.unsqueeze(0), [2, 1], "reflect").tolist(),
    "chunk(3, dim=-1)": () => q.chunk(3, { dim: -1 }).map((t) => t.tolist()),
    "split(2, dim=1)": () => q.split(2, { dim: 1 }).map((t) => t.tolist()),
    "softmax(dim=-1)": () => x.softmax({ dim: -1 }).tolist(),
    "log_softmax(dim=0)": () => x.logSoftmax({ dim: 0 }).tolist(),
    "cumsum(dim=1)": () => x.cumsum({ dim: 1 }).tolist(),
    "squeeze(dim=-1)": () => torch.zeros(2, 1).squeeze({ dim: -1 }).shape,
    "unsqueeze(dim=1)": () => torch.zeros(2).unsqueeze({ dim: 1 }).shape,
    "unbind(dim=1)": () => x.unbind({ dim: 1 }).map((t) => t.tolist()),
    "norm(dim=-1, keepdim=True)": () => x.norm({ dim: -1, keepdim: true }).tolist(),
    "norm(p=1, dim=0)": () => x.norm({ p: 1, dim: 0 }).tolist(),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, () => {
      close(fn(), want[name], name);
    });
  }
});

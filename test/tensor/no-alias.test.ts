// Memory a tensor's data used is handed out again only once nothing can see it (issue 17).
//
// kindling never frees a tensor itself: the garbage collector frees an array when no tensor,
// view, autograd node or user variable still references it, and the C library then hands the
// same block to the next large array (the addon keeps freed large blocks mapped for that; small
// arrays share 8 KB slabs, kept alive by every view into them). This test pins the guarantee
// that makes that safe. It holds tensors in every way a program can (its own variables, views
// whose base it dropped, small tensors inside shared slabs, tensors only the autograd graph
// keeps for backward, an optimizer's state, parameter gradients), makes thousands of new
// arrays of the same sizes around full and young-generation collections, and checks that:
// - no new array's memory overlaps the memory of any array still held (by address, with the
//   addon), while the addresses of dropped arrays are in fact reused (so reuse is exercised);
// - every held tensor keeps its values, and backward through the graph-held tensors gives the
//   gradients computed before the churn.
import assert from "node:assert/strict";
import { test } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import * as torch from "kindling";
import { nn, optim } from "kindling";
import { loadNative } from "../../src/backend/native/addon.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as (options?: { type?: "minor" | "major" }) => void;

const native = loadNative();
const address = (t: torch.Tensor): [number, number] => {
  const data = t.storage.data;
  const start = native!.dataAddress(data);
  return [start, start + data.byteLength];
};

const LARGE = 1 << 20;

test("no new array overlaps one a live tensor, view, slab, autograd node or optimizer still uses", () => {
  torch.manualSeed(0);
  // Held by the program's variables: large and small (slab) tensors from out-of-place ops.
  const held: Record<string, torch.Tensor> = {
    large: torch.rand([LARGE]).mul(3),
    small: torch.rand([20]).mul(2), // 80 bytes: a view into a shared slab
    smallInt: torch.arange(0, 100).mul(7), // int64, 800 bytes: a slab view too
    tiny: torch.tensor([1.5, -2.5]), // 8 bytes: torch.tensor's short lists come from slabs as well
    // Views whose base the program no longer holds.
    transposed: torch.rand([1024, 1024]).add(1).t(),
    narrowed: torch.rand([2048, 512]).mul(-1).narrow(0, 100, 10),
    smallView: torch.rand([30]).add(5).narrow(0, 3, 4),
  };
  // Only the autograd graph keeps sigmoid's outputs (large and small): backward needs them.
  const x = torch.rand([LARGE]).requiresGrad_();
  const xs = torch.rand([16]).requiresGrad_();
  let s: torch.Tensor | null = x.mul(2).sigmoid();
  let ss: torch.Tensor | null = xs.mul(2).sigmoid();
  const graphRanges = native ? [address(s), address(ss)] : [];
  const expectedGrad = s.mul(s.neg().add(1)).mul(2).values().slice();
  const expectedGradSmall = ss.mul(ss.neg().add(1)).mul(2).values().slice();
  const loss = s.sum().add(ss.sum());
  s = null;
  ss = null;
  // An optimizer's momentum buffers and the parameters' gradients.
  const model = new nn.Linear(1024, 512);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  model.forward(torch.rand([8, 1024])).sum().backward();
  opt.step();
  const modelTensors = [model.weight, model.bias, model.weight.grad!, model.bias.grad!];

  const snapshot = new Map<string, Float32Array | Float64Array>();
  for (const [name, t] of Object.entries(held)) snapshot.set(name, t.contiguous().values().slice() as Float32Array);
  const modelSnapshot = modelTensors.map((t) => t.values().slice());

  const live: [number, number][] = native ? [...Object.values(held), ...modelTensors, x, xs].map(address).concat(graphRanges) : [];
  const overlapsLive = (t: torch.Tensor): boolean => {
    const [a, b] = address(t);
    return live.some(([c, d]) => a < d && c < b);
  };
  // The detector itself: a held tensor and a view of a held slab overlap live memory.
  if (native) assert.ok(overlapsLive(held.large) && overlapsLive(held.smallView.narrow(0, 1, 2)));

  // Churn: arrays of the same sizes as the held ones (the sizes an allocator would reuse), some
  // kept for a few rounds and then dropped, around young-generation and full collections.
  const seen = new Set<number>();
  let reused = 0;
  let recent: torch.Tensor[] = [];
  for (let round = 0; round < 60; round++) {
    const made = [
      held.large.add(round),
      torch.full([1024, 1024], round),
      torch.rand([2048, 512]).mul(round),
      held.small.add(round),
      torch.arange(0, 100).add(round),
      torch.rand([30]).mul(round),
      x.detach().mul(round),
    ];
    for (const t of made) {
      if (native) {
        assert.ok(!overlapsLive(t), `round ${round}: a new [${t.shape}] array overlaps memory a live tensor uses`);
        const [start] = address(t);
        if (seen.has(start)) reused++;
        seen.add(start);
      }
      t.storage.data.fill(round % 2 === 0 ? Number.NaN : -7);
    }
    recent = round % 3 === 0 ? made : recent.concat(made.slice(0, 2));
    if (round % 4 === 0) gc({ type: "minor" });
    if (round % 10 === 9) gc();
  }
  assert.ok(recent.length > 0);
  if (native) assert.ok(reused >= 20, `the churn reused freed blocks only ${reused} times, too few to prove anything`);

  for (const [name, t] of Object.entries(held)) assert.deepEqual(t.contiguous().values(), snapshot.get(name), `${name} changed`);
  for (const [i, t] of modelTensors.entries()) assert.deepEqual(t.values(), modelSnapshot[i], `model tensor ${i} changed`);
  loss.backward();
  assert.deepEqual(x.grad!.values(), expectedGrad);
  assert.deepEqual(xs.grad!.values(), expectedGradSmall);
});

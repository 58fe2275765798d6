// torch.save / torch.load / saveBuffer / loadBuffer at the Tensor level: every dtype in both
// formats, checkpoints of state dicts, a kindling training run saved and resumed, the format
// choice, atomic writes, and errors.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import * as torch from "../../src/index.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { readZip } from "../../src/io/zip.js";
import { expected, fixtureDir } from "./expected.js";

const { nn, optim } = torch;
type Tensor = torch.Tensor;

const dir = mkdtempSync(join(tmpdir(), "kindling-torch-save-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixturePath = (name: string) => fileURLToPath(new URL(name, fixtureDir));

/** Bit-exact equality of tensors (NaN payloads and -0 included, via the bytes). */
function assertSameTensor(actual: unknown, want: Tensor, path: string): void {
  assert.ok(actual instanceof torch.Tensor, `${path}: a Tensor`);
  const a = actual as Tensor;
  assert.equal(a.dtype, want.dtype, `${path}: dtype`);
  assert.deepEqual(a.shape, want.shape, `${path}: shape`);
  const bytes = (t: Tensor) => {
    const v = t.contiguous().values();
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  };
  assert.deepEqual(bytes(a), bytes(want), `${path}: values`);
  assert.equal(a.requiresGrad, want.requiresGrad, `${path}: requiresGrad`);
}

/** Deep equality where tensors compare by value and arrays also by tuple-ness. */
function assertSame(actual: unknown, want: unknown, path = "root"): void {
  if (want instanceof torch.Tensor) {
    assertSameTensor(actual, want, path);
    return;
  }
  if (want instanceof Map) {
    assert.ok(actual instanceof Map, `${path}: a Map`);
    assert.deepEqual([...actual.keys()], [...want.keys()], `${path}: keys`);
    for (const [k, v] of want) assertSame(actual.get(k), v, `${path}[${String(k)}]`);
    return;
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(actual), `${path}: an array`);
    assert.equal(Object.isFrozen(actual), Object.isFrozen(want), `${path}: tuple or list`);
    assert.equal(actual.length, want.length, `${path}: length`);
    for (const [i, v] of want.entries()) assertSame(actual[i], v, `${path}[${i}]`);
    return;
  }
  if (typeof want === "object" && want !== null) {
    assert.ok(typeof actual === "object" && actual !== null && !(actual instanceof Map), `${path}: an object`);
    assert.deepEqual(Object.keys(actual), Object.keys(want), `${path}: keys`);
    for (const [k, v] of Object.entries(want)) assertSame((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  assert.equal(actual, want, path);
}

/** One tensor of every dtype, with the awkward values and layouts. */
function everyDtype(): Record<string, Tensor> {
  const base = torch.arange(12, { dtype: torch.float32 }).reshape(3, 4).div(8);
  return {
    f32: torch.tensor([0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, 3.4028234663852886e38]),
    f64: torch.tensor([[0.1, -1e300], [5e-324, -0]], { dtype: torch.float64 }),
    i32: torch.tensor([-(2 ** 31), 2 ** 31 - 1, 0, -5], { dtype: torch.int32 }),
    i64: torch.tensor([0n, -1n, 2n ** 40n, -(2n ** 53n) + 1n, 2n ** 53n - 1n]),
    u8: torch.tensor([0, 1, 128, 255], { dtype: torch.uint8 }),
    bool: torch.tensor([[true, false], [false, true]]),
    scalar: torch.tensor(3.5),
    scalar_i64: torch.tensor(7n),
    scalar_bool: torch.tensor(true),
    empty: torch.zeros(0, 3),
    empty_i64: torch.zeros([2, 0], { dtype: torch.int64 }),
    transposed: base.t(),
    sliced: base.narrow(0, 1, 2).narrow(1, 1, 2),
    expanded: torch.tensor([[7], [8]]).expand(2, 3),
  };
}

for (const format of ["safetensors", "pt"] as const) {
  test(`every dtype round-trips exactly through saveBuffer/loadBuffer (${format})`, () => {
    const sd = everyDtype();
    const back = torch.loadBuffer(torch.saveBuffer(sd, { format }));
    // safetensors lists tensors by dtype then name; compare as a set of entries.
    assert.deepEqual(Object.keys(back).sort(), Object.keys(sd).sort());
    for (const [k, t] of Object.entries(sd)) assertSameTensor(back[k], t, k);
    // Loaded tensors own contiguous memory and are leaves.
    for (const t of Object.values(back) as Tensor[]) {
      assert.ok(t.isContiguous());
      assert.equal(t.gradFn, null);
    }
  });

  test(`every dtype round-trips exactly through torch.save/torch.load files (${format})`, () => {
    const sd = everyDtype();
    const path = join(dir, `dtypes.${format === "pt" ? "pt" : "safetensors"}`);
    torch.save(sd, path);
    const back = torch.load(path);
    for (const [k, t] of Object.entries(sd)) assertSameTensor(back[k], t, k);
  });
}

test("in-place changes after saving do not reach the saved bytes; loaded tensors are independent", () => {
  const w = torch.tensor([1, 2, 3]);
  const bytes = torch.saveBuffer({ w });
  w.mul_(10);
  const a = torch.loadBuffer(bytes).w as Tensor;
  const b = torch.loadBuffer(bytes).w as Tensor;
  a.add_(1);
  assert.deepEqual(b.tolist(), [1, 2, 3]);
});

test("a nested checkpoint round-trips: state dicts, optimizer state (int keys), tuples, numbers, strings", () => {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const x = torch.randn(5, 3);
  opt.zeroGrad();
  model.forward(x).pow(2).mean().backward();
  opt.step();
  const checkpoint = {
    model: model.stateDict(),
    optimizer: opt.stateDict(),
    epoch: 3,
    loss: 0.25,
    history: [0.75, 0.5, 0.25],
    config: { name: "mlp ✓", sizes: Object.freeze([3, 4, 2]), flags: [true, false, null], big: 2n ** 70n, negative: -(2 ** 40) },
    nested: { a: { b: { c: torch.tensor([1n, 2n]) } } },
    tensor_keys: new Map<number, unknown>([
      [0, "zero"],
      [1, torch.tensor(1.5)],
    ]),
  };
  const back = torch.loadBuffer(torch.saveBuffer(checkpoint));
  assertSame(back, checkpoint);
  // Optimizer state keeps PyTorch's int keys (a Map), as Optimizer.stateDict() gives it.
  assert.ok(back.optimizer.state instanceof Map);
  assert.ok(Object.isFrozen(back.optimizer.param_groups[0].betas));
  // And it loads into a fresh optimizer.
  const opt2 = new optim.Adam(model.parameters(), { lr: 1 });
  opt2.loadStateDict(back.optimizer);
  assertSame(opt2.stateDict(), opt.stateDict());
  // Same through a file.
  torch.save(checkpoint, join(dir, "ckpt.pt"));
  assertSame(torch.load(join(dir, "ckpt.pt")), checkpoint);
});

test("a kindling training run saved mid-way resumes with bit-identical losses (.pt checkpoint, safetensors model)", () => {
  const x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1], [0.5, -0.25], [-1, 0.75]]);
  const y = torch.tensor([[0], [1], [1], [0], [1], [0]]);
  const makeModel = () => new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1), new nn.Sigmoid());
  const makers: Record<string, (p: Iterable<Tensor>) => torch.optim.Optimizer> = {
    sgd: (p) => new optim.SGD(p, { lr: 0.5, momentum: 0.9, nesterov: true }),
    adam: (p) => new optim.Adam(p, { lr: 0.05, amsgrad: true }),
    adamw: (p) => new optim.AdamW(p, { lr: 0.05 }),
    rmsprop: (p) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true }),
    adagrad: (p) => new optim.Adagrad(p, { lr: 0.1 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    const train = (model: ReturnType<typeof makeModel>, opt: torch.optim.Optimizer, steps: number) =>
      Array.from({ length: steps }, () => {
        opt.zeroGrad();
        const loss = new nn.BCELoss().forward(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
      });
    torch.manualSeed(0);
    const model = makeModel();
    const opt = make(model.parameters());
    train(model, opt, 4);
    torch.save({ model: model.stateDict(), optimizer: opt.stateDict(), epoch: 4 }, join(dir, `${name}.pt`));
    torch.save(model.stateDict(), join(dir, `${name}.safetensors`));
    const straight = train(model, opt, 4);

    torch.manualSeed(99);
    const fromPt = makeModel();
    const ck = torch.load(join(dir, `${name}.pt`));
    fromPt.loadStateDict(ck.model);
    const opt2 = make(fromPt.parameters());
    opt2.loadStateDict(ck.optimizer);
    assert.deepEqual(train(fromPt, opt2, 4), straight, `${name}: resumed from .pt`);

    // The safetensors model equals the checkpoint's.
    const fromSt = makeModel();
    fromSt.loadStateDict(torch.load(join(dir, `${name}.safetensors`)));
    const sd = fromSt.stateDict();
    for (const [k, t] of Object.entries(ck.model as Record<string, Tensor>)) assertSameTensor(sd[k], t, `${name} ${k}`);
  }
});

test("PyTorch's checkpoint.pt: optimizer.loadStateDict(torch.load(path).optimizer) restores SGD's momentum buffers", () => {
  const ck = torch.load(fixturePath("checkpoint.pt"));
  assert.equal(ck.epoch, 3);
  assert.equal(ck.loss, 0.25);
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  model.loadStateDict(ck.model);
  const opt = new optim.SGD(model.parameters(), { lr: 0.001 });
  opt.loadStateDict(ck.optimizer);
  assert.equal(opt.paramGroups[0]!.lr, 0.1);
  assert.equal(opt.paramGroups[0]!.momentum, 0.9);
  const state = opt.stateDict().state;
  assert.deepEqual([...state.keys()], [0, 1, 2, 3]);
  const params = [...model.parameters()];
  for (const [i, s] of state) assert.deepEqual((s.momentum_buffer as Tensor).shape, params[i]!.shape);
});

test("requires_grad: kept by .pt both ways; state dicts hold detached tensors; Parameters load as tensors", () => {
  // Written by PyTorch.
  const grad = torch.load(fixturePath("grad.pt"));
  const flags = expected.grad as Record<string, boolean>;
  for (const [k, want] of Object.entries(flags)) {
    assert.equal(grad[k].requiresGrad, want, k);
    assert.equal(grad[k].gradFn, null, k);
  }
  assert.deepEqual(grad.param.tolist(), [1.5, -2]);
  assert.equal(grad.frozen.dtype, torch.float64);
  // Written by kindling.
  const model = new nn.Linear(2, 1);
  const back = torch.loadBuffer(torch.saveBuffer({ weight: model.weight, sd: model.stateDict() }));
  assert.equal(back.weight.requiresGrad, true);
  assert.ok(!(back.weight instanceof nn.Parameter));
  assert.equal(back.sd.weight.requiresGrad, false);
  // PyTorch saves state-dict tensors without Parameter; so does kindling.
  const pkl = readZip(torch.saveBuffer(model.stateDict(), { format: "pt" })).find((r) => r.name.endsWith("data.pkl"))!;
  assert.ok(!new TextDecoder("latin1").decode(pkl.data).includes("_rebuild_parameter"));
});

test("the format: name, then object; metadata only in safetensors", () => {
  const sd = { w: torch.tensor([1, 2]) };
  const ck = { model: sd, epoch: 1 };
  const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b;
  assert.ok(!isZip(torch.saveBuffer(sd)), "a state dict defaults to safetensors");
  assert.ok(isZip(torch.saveBuffer(ck)), "a checkpoint defaults to .pt");
  assert.ok(isZip(torch.saveBuffer(torch.tensor([1]))), "a lone tensor defaults to .pt");
  assert.ok(isZip(torch.saveBuffer(sd, { format: "pt" })));
  assert.deepEqual(torch.loadBuffer(torch.saveBuffer(torch.tensor([1, 2]))).tolist(), [1, 2]);
  const cases: [string, unknown, boolean][] = [
    ["a.safetensors", sd, false],
    ["a.pt", sd, true],
    ["a.PTH", sd, true],
    ["a.ckpt", ck, true],
    ["noext", sd, false],
    ["noext-ck", ck, true],
  ];
  for (const [name, obj, zip] of cases) {
    torch.save(obj, join(dir, name));
    assert.equal(isZip(new Uint8Array(readFileSync(join(dir, name)))), zip, name);
  }
  assert.throws(() => torch.save(ck, join(dir, "b.safetensors")), /safetensors stores only tensors.*\.pt format/);
  assert.throws(() => torch.saveBuffer(ck, { format: "safetensors" }), /\.pt format/);
  // Metadata.
  torch.save(sd, join(dir, "m.safetensors"), { metadata: { format: "pt", epoch: "3" } });
  assert.deepEqual(decodeSafetensors(new Uint8Array(readFileSync(join(dir, "m.safetensors")))).metadata, { epoch: "3", format: "pt" });
  assert.deepEqual(decodeSafetensors(torch.saveBuffer(sd, { metadata: { a: "b" } })).metadata, { a: "b" });
  assert.throws(() => torch.save(sd, join(dir, "m.pt"), { metadata: { a: "b" } }), /metadata is stored only in the safetensors format/);
  assert.throws(() => torch.saveBuffer(sd, { format: "npz" as never }), /unknown format "npz"/);
  // ArrayBuffers load too.
  const bytes = torch.saveBuffer(sd);
  assert.deepEqual(torch.loadBuffer(bytes.slice().buffer).w.tolist(), [1, 2]);
});

test("odd keys: '__proto__' stays an entry; int keys keep a Map; string keys become an object", () => {
  const sd = Object.defineProperty({} as Record<string, Tensor>, "__proto__", { value: torch.tensor([1]), enumerable: true });
  for (const format of ["safetensors", "pt"] as const) {
    const back = torch.loadBuffer(torch.saveBuffer(sd, { format }));
    assert.equal(Object.getPrototypeOf(back), Object.prototype, format);
    assert.ok(Object.hasOwn(back, "__proto__"), format);
    assert.deepEqual(Object.getOwnPropertyDescriptor(back, "__proto__")!.value.tolist(), [1]);
  }
  const mixed = torch.loadBuffer(torch.saveBuffer({ m: new Map<unknown, unknown>([[1, "a"], ["b", 2]]) }));
  assert.deepEqual(mixed.m, new Map<unknown, unknown>([[1, "a"], ["b", 2]]));
});

test("a failing save leaves the old file intact and no temporary file", () => {
  const sub = join(dir, "atomic");
  mkdirSync(sub);
  const path = join(sub, "model.pt");
  torch.save({ w: torch.tensor([1, 2]) }, path);
  const before = readFileSync(path);
  // The value cannot be serialised: the error comes before anything touches the disk.
  assert.throws(() => torch.save({ w: torch.tensor([3]), f: () => 1 }, path), /cannot save a function|type function/);
  assert.throws(() => torch.save({ epoch: 1 }, join(sub, "model.safetensors")), /\.pt format/);
  // The rename fails (the target is a folder): the temporary file is removed.
  mkdirSync(join(sub, "folder.pt"));
  assert.throws(() => torch.save({ w: torch.tensor([3]) }, join(sub, "folder.pt")), /cannot write .*folder\.pt/);
  assert.throws(() => torch.save({ w: torch.tensor([3]) }, join(sub, "missing", "x.pt")), /cannot write .*x\.pt: no such file or directory/);
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(sub).sort(), ["folder.pt", "model.pt"]);
  assert.deepEqual(torch.load(path).w.tolist(), [1, 2]);
  assert.ok(!existsSync(join(sub, "model.safetensors")));
});

test("load errors: a missing file, a corrupted one, and not a model file at all", () => {
  assert.throws(() => torch.load(join(dir, "nope.pt")), (e: Error) => {
    assert.ok(!(e instanceof torch.FileFormatError));
    assert.match(e.message, /cannot read .*nope\.pt: no such file or directory/);
    return true;
  });
  const good = torch.saveBuffer({ model: { w: torch.tensor([1, 2, 3]) }, epoch: 2 });
  const cases: [string, Uint8Array, RegExp][] = [
    ["truncated.pt", good.subarray(0, good.length - 40), /^cannot load .*truncated\.pt: zip: /],
    ["flipped.pt", good.map((b, i) => (i === 40 ? b ^ 0xff : b)), /^cannot load .*flipped\.pt: (zip|pt): /],
    ["notes.txt", new TextEncoder().encode("just some notes, not a model\n"), /^cannot load .*notes\.txt: not a PyTorch or safetensors file: it starts with the bytes 6a 75 73 74/],
    ["empty.safetensors", new Uint8Array(0), /not a PyTorch or safetensors file: it is empty/],
    ["cut.safetensors", torch.saveBuffer({ w: torch.tensor([1, 2]) }).subarray(0, 30), /not a PyTorch or safetensors file: it starts like a safetensors file, but its header length \d+ is larger than the file \(30 bytes\)/],
  ];
  for (const [name, bytes, message] of cases) {
    writeFileSync(join(dir, name), bytes);
    assert.throws(() => torch.load(join(dir, name)), (e: Error) => {
      assert.ok(e instanceof torch.FileFormatError, `${name}: ${e}`);
      assert.equal(e.name, "FileFormatError");
      assert.match(e.message, message, name);
      return true;
    });
  }
  assert.throws(() => torch.loadBuffer(new Uint8Array([1, 2, 3])), torch.FileFormatError);
});

test("fuzz: corrupted kindling checkpoints load or throw FileFormatError, never anything else", () => {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh(), new nn.Linear(3, 1));
  const opt = new optim.Adam(model.parameters());
  const files = [
    torch.saveBuffer({ model: model.stateDict(), optimizer: opt.stateDict(), epoch: 1, loss: 0.5 }),
    torch.saveBuffer(model.stateDict()),
    torch.saveBuffer({ w: torch.tensor([1.5], { requiresGrad: true }), i: torch.tensor([1n]), b: torch.tensor([true]) }, { format: "pt" }),
  ];
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let loaded = 0;
  for (let round = 0; round < 600; round++) {
    const bytes = files[round % files.length]!.slice();
    for (let k = 1 + rand(3); k > 0; k--) bytes[rand(bytes.length)] = rand(256);
    try {
      torch.loadBuffer(bytes);
      loaded++;
    } catch (e) {
      assert.ok(e instanceof torch.FileFormatError, `round ${round}: ${(e as Error).stack}`);
    }
  }
  assert.ok(loaded > 0 && loaded < 600, `${loaded} of 600 corrupted files loaded`);
});

test("loadBuffer reads a Node Buffer that is a view into a larger pool (as readFileSync's often are)", () => {
  const state = { weight: torch.tensor([[9.4357, 9.7648, 10.5318]]), bias: torch.tensor([-1.7962], { dtype: torch.float64 }) };
  for (const format of ["pt", "safetensors"] as const) {
    const bytes = torch.saveBuffer(state, { format });
    // a Buffer at offset 13 of its ArrayBuffer, with unrelated bytes around it
    const pool = Buffer.alloc(bytes.length + 29, 0x7f);
    pool.set(bytes, 13);
    const view = pool.subarray(13, 13 + bytes.length);
    assert.equal(view.byteOffset, 13);
    const back = torch.loadBuffer(view) as Record<string, torch.Tensor>;
    assert.deepEqual(back.weight.tolist(), state.weight.tolist(), format);
    assert.deepEqual(back.bias.tolist(), state.bias.tolist(), format);
  }
});

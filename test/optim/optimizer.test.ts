// The Optimizer base: construction errors with PyTorch 1.13's messages, parameter groups,
// zeroGrad, skipped parameters, and the repr.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";

const param = () => torch.tensor([1, 2], { requiresGrad: true });

test("constructor errors carry PyTorch's messages", () => {
  const p = param();
  assert.throws(() => new torch.optim.SGD([p], { lr: -1 }), { message: "Invalid learning rate: -1" });
  assert.throws(() => new torch.optim.Adam([p], { lr: -1 }), { message: "Invalid learning rate: -1" });
  assert.throws(() => new torch.optim.Adam([p], { lr: -0.5 }), { message: "Invalid learning rate: -0.5" });
  assert.throws(() => new torch.optim.SGD([p]), { message: "parameter group didn't specify a value of required optimization parameter lr" });
  assert.throws(() => new torch.optim.Adam([p], { betas: [1, 0.9] }), { message: "Invalid beta parameter at index 0: 1" });
  assert.throws(() => new torch.optim.AdamW([p], { betas: [0.9, -0.1] }), { message: "Invalid beta parameter at index 1: -0.1" });
  assert.throws(() => new torch.optim.Adam([p], { eps: -1e-8 }), { message: "Invalid epsilon value: -1e-08" });
  assert.throws(() => new torch.optim.SGD([p], { lr: 1, momentum: -1 }), { message: "Invalid momentum value: -1" });
  assert.throws(() => new torch.optim.SGD([p], { lr: 1, weightDecay: -1 }), { message: "Invalid weight_decay value: -1" });
  assert.throws(() => new torch.optim.SGD([p], { lr: 1, nesterov: true }), { message: "Nesterov momentum requires a momentum and zero dampening" });
  assert.throws(() => new torch.optim.RMSprop([p], { alpha: -0.5 }), { message: "Invalid alpha value: -0.5" });
  assert.throws(() => new torch.optim.Adagrad([p], { lrDecay: -1 }), { message: "Invalid lr_decay value: -1" });
  assert.throws(() => new torch.optim.NAdam([p], { momentumDecay: -1 }), { message: "Invalid momentum_decay value: -1" });
  assert.throws(() => new torch.optim.SGD(p as never, { lr: 1 }), {
    name: "TypeError",
    message: "params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.FloatTensor",
  });
  assert.throws(() => new torch.optim.SGD([], { lr: 1 }), { message: "optimizer got an empty parameter list" });
  assert.throws(() => new torch.optim.SGD([p.mul(2)], { lr: 1 }), { message: "can't optimize a non-leaf Tensor" });
  assert.throws(() => new torch.optim.SGD([p, 1] as never, { lr: 1 }), { name: "TypeError", message: "optimizer can only optimize Tensors, but one of the params is int" });
  assert.throws(() => new torch.optim.SGD([{ params: [p] }, { params: [p] }], { lr: 1 }), { message: "some parameters appear in more than one parameter group" });
  assert.throws(() => new torch.optim.SGD([{ params: new Set([p]) }], { lr: 1 }), { name: "TypeError", message: /ordered collections/ });
});

test("a non-leaf that retains its grad may be optimized, as in PyTorch", () => {
  const q = param().mul(2);
  q.retainGrad();
  const opt = new torch.optim.SGD([q], { lr: 1 });
  assert.equal(opt.paramGroups[0].params[0], q);
});

test("params may be any iterable; groups take the defaults they lack, in PyTorch's key order", () => {
  const a = param();
  const b = param();
  function* gen() {
    yield a;
    yield b;
  }
  const opt = new torch.optim.SGD(gen(), { lr: 0.1 });
  assert.deepEqual(opt.paramGroups[0].params, [a, b]);
  const c = param();
  opt.addParamGroup({ params: c, momentum: 0.9 });
  assert.deepEqual(Object.keys(opt.paramGroups[1]), ["params", "momentum", "lr", "dampening", "weightDecay", "nesterov", "maximize", "foreach", "differentiable"]);
  assert.equal(opt.paramGroups[1].lr, 0.1);
  assert.deepEqual(opt.paramGroups[1].params, [c]);
  assert.throws(() => opt.addParamGroup({ params: [a] }), { message: "some parameters appear in more than one parameter group" });
  const sd = opt.stateDict();
  assert.deepEqual(sd.param_groups[1], { momentum: 0.9, lr: 0.1, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, foreach: null, differentiable: false, params: [2] });
});

test("zeroGrad zeroes in place by default (PyTorch 1.13) and drops grads with setToNone", () => {
  const p = param();
  const opt = new torch.optim.SGD([p], { lr: 0.1 });
  p.sum().backward();
  const g = p.grad!;
  opt.zeroGrad();
  assert.equal(p.grad, g, "the same tensor, zeroed");
  assert.deepEqual(g.tolist(), [0, 0]);
  p.sum().backward();
  assert.deepEqual(p.grad!.tolist(), [1, 1]);
  opt.zeroGrad({ setToNone: true });
  assert.equal(p.grad, null);
});

test("step skips parameters without a gradient and makes no state for them", () => {
  const p = param();
  const q = param();
  const opt = new torch.optim.Adam([p, q], { lr: 0.1 });
  p.sum().backward();
  opt.step();
  assert.deepEqual(q.tolist(), [1, 2]);
  assert.notDeepEqual(p.tolist(), [1, 2]);
  assert.deepEqual([...opt.stateDict().state.keys()], [0]);
  assert.equal(p.requiresGrad, true);
  assert.equal(p.gradFn, null, "the update is not recorded");
});

test("SGD without momentum records a None momentum buffer, as PyTorch's state dict shows", () => {
  const p = param();
  const opt = new torch.optim.SGD([p], { lr: 0.1 });
  p.sum().backward();
  opt.step();
  assert.deepEqual(opt.stateDict().state.get(0), { momentum_buffer: null });
});

test("toString prints like PyTorch's repr", () => {
  const p = param();
  assert.equal(
    String(new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 })),
    "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n    lr: 0.1\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)",
  );
  assert.equal(
    String(new torch.optim.Adam([p], { lr: 0.01 })),
    "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: False\n    lr: 0.01\n    maximize: False\n    weight_decay: 0\n)",
  );
});

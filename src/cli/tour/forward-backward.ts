// Tour step 2: the chapter's worked example of forward and backward propagation. Every quantity is
// taken from kindling's autograd (intermediate gradients through retainGrad) and printed beside the
// value the chapter's closed-form formula gives, computed here in plain double arithmetic.
import * as torch from "../../index.js";
import { nn, optim } from "../../index.js";
import { heading, type TourContext } from "./context.js";

/** The worked example's numbers: layer1 W = [[w1, w2], [w3, w4]], b = [b1, b2]; layer2 W = [[w5, w6]], b = [b3]. */
export interface WorkedExample {
  W1: number[][];
  B1: number[];
  W2: number[][];
  B2: number[];
  X: number[];
  Y: number;
  LR: number;
}

/** The chapter's weights, input, target and rate (the browser page starts from these and lets them be edited). */
export const CHAPTER_EXAMPLE: Readonly<WorkedExample> = {
  W1: [
    [0.4352, 0.3545],
    [0.1951, 0.4835],
  ],
  B1: [-0.1419, 0.0439],
  W2: [[-0.1725, 0.1129]],
  B2: [-0.3043],
  X: [1, 1],
  Y: 0,
  LR: 1,
};

class CustomModel extends nn.Module {
  layer1 = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
  layer2 = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());

  constructor({ W1, B1, W2, B2 }: WorkedExample) {
    super();
    this.layer1.at(0).weight.data = torch.tensor(W1);
    this.layer1.at(0).bias.data = torch.tensor(B1);
    this.layer2.at(0).weight.data = torch.tensor(W2);
    this.layer2.at(0).bias.data = torch.tensor(B2);
  }

  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer2.forward(this.layer1.forward(x));
  }
}

export interface Step {
  name: string;
  formula: string;
  closedForm: number;
  autograd: number;
}

/** The closed form and autograd agree to float32's precision (autograd runs in float32). */
export function agrees(step: Step): boolean {
  return Math.abs(step.closedForm - step.autograd) <= 2e-6 * Math.max(1, Math.abs(step.closedForm));
}

/** Every step of the worked example, forward then backward then the update. */
export function forwardBackwardSteps(example: WorkedExample = CHAPTER_EXAMPLE): { steps: Step[]; outputRepr: string } {
  const { W1, B1, W2, B2, X, Y, LR } = example;
  // closed form, in doubles, from the float32 weights the model holds
  const f = Math.fround;
  const [[w1, w2], [w3, w4]] = W1.map((r) => r.map(f));
  const [b1, b2] = B1.map(f);
  const [[w5, w6]] = W2.map((r) => r.map(f));
  const b3 = f(B2[0]);
  const [x1, x2] = X;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const z1 = w1 * x1 + w2 * x2 + b1;
  const z2 = w3 * x1 + w4 * x2 + b2;
  const s1 = sigmoid(z1);
  const s2 = sigmoid(z2);
  const z3 = w5 * s1 + w6 * s2 + b3;
  const s3 = sigmoid(z3);
  const loss = -(Y * Math.log(s3) + (1 - Y) * Math.log(1 - s3));
  const dS3 = -Y / s3 + (1 - Y) / (1 - s3);
  const dZ3 = dS3 * s3 * (1 - s3);
  const dW5 = dZ3 * s1;
  const dW6 = dZ3 * s2;
  const dB3 = dZ3;
  const dS1 = dZ3 * w5;
  const dS2 = dZ3 * w6;
  const dZ1 = dS1 * s1 * (1 - s1);
  const dZ2 = dS2 * s2 * (1 - s2);
  const closed = {
    dW1: dZ1 * x1,
    dW2: dZ1 * x2,
    dW3: dZ2 * x1,
    dW4: dZ2 * x2,
  };

  // the same by kindling: the chapter's model, with the intermediate tensors kept for their gradients
  const model = new CustomModel(example);
  const criterion = new nn.BCELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: LR });
  const x = torch.tensor([X]);
  const y = torch.tensor([[Y]]);
  const z = model.layer1.at(0).forward(x);
  const hidden = model.layer1.at(1).forward(z);
  const zOut = model.layer2.at(0).forward(hidden);
  const output = model.layer2.at(1).forward(zOut);
  for (const t of [z, hidden, zOut, output]) t.retainGrad();
  const lossT = criterion.forward(output, y);
  optimizer.zeroGrad();
  lossT.backward();
  const v = (t: torch.Tensor) => t.detach().reshape([-1]).tolist() as number[];
  const g = (t: torch.Tensor) => v(t.grad!);
  const [az1, az2] = v(z);
  const [as1, as2] = v(hidden);
  const [gz1, gz2] = g(z);
  const [gs1, gs2] = g(hidden);
  const l1 = model.layer1.at(0);
  const l2 = model.layer2.at(0);
  const [gw1, gw2, gw3, gw4] = g(l1.weight);
  const [gb1, gb2] = g(l1.bias);
  const [gw5, gw6] = g(l2.weight);
  const [gb3] = g(l2.bias);
  const outputRepr = output.toString();
  optimizer.step();
  const [nw1, nw2, nw3, nw4] = v(l1.weight);
  const [nb1, nb2] = v(l1.bias);
  const [nw5, nw6] = v(l2.weight);
  const [nb3] = v(l2.bias);

  const steps: Step[] = [
    { name: "z1", formula: "w1·x1 + w2·x2 + b1", closedForm: z1, autograd: az1 },
    { name: "z2", formula: "w3·x1 + w4·x2 + b2", closedForm: z2, autograd: az2 },
    { name: "σ1", formula: "σ(z1)", closedForm: s1, autograd: as1 },
    { name: "σ2", formula: "σ(z2)", closedForm: s2, autograd: as2 },
    { name: "z3", formula: "w5·σ1 + w6·σ2 + b3", closedForm: z3, autograd: v(zOut)[0] },
    { name: "σ3", formula: "σ(z3), the output", closedForm: s3, autograd: v(output)[0] },
    { name: "L", formula: "−(y·log σ3 + (1−y)·log(1−σ3))", closedForm: loss, autograd: lossT.item() },
    { name: "∂L/∂σ3", formula: "−y/σ3 + (1−y)/(1−σ3)", closedForm: dS3, autograd: g(output)[0] },
    { name: "∂L/∂z3", formula: "∂L/∂σ3 · σ3(1−σ3) = σ3 − y", closedForm: dZ3, autograd: g(zOut)[0] },
    { name: "∂L/∂w5", formula: "∂L/∂z3 · σ1", closedForm: dW5, autograd: gw5 },
    { name: "∂L/∂w6", formula: "∂L/∂z3 · σ2", closedForm: dW6, autograd: gw6 },
    { name: "∂L/∂b3", formula: "∂L/∂z3 · 1", closedForm: dB3, autograd: gb3 },
    { name: "∂L/∂σ1", formula: "∂L/∂z3 · w5", closedForm: dS1, autograd: gs1 },
    { name: "∂L/∂σ2", formula: "∂L/∂z3 · w6", closedForm: dS2, autograd: gs2 },
    { name: "∂L/∂z1", formula: "∂L/∂σ1 · σ1(1−σ1)", closedForm: dZ1, autograd: gz1 },
    { name: "∂L/∂z2", formula: "∂L/∂σ2 · σ2(1−σ2)", closedForm: dZ2, autograd: gz2 },
    { name: "∂L/∂w1", formula: "∂L/∂z1 · x1", closedForm: closed.dW1, autograd: gw1 },
    { name: "∂L/∂w2", formula: "∂L/∂z1 · x2", closedForm: closed.dW2, autograd: gw2 },
    { name: "∂L/∂w3", formula: "∂L/∂z2 · x1", closedForm: closed.dW3, autograd: gw3 },
    { name: "∂L/∂w4", formula: "∂L/∂z2 · x2", closedForm: closed.dW4, autograd: gw4 },
    { name: "∂L/∂b1", formula: "∂L/∂z1 · 1", closedForm: dZ1, autograd: gb1 },
    { name: "∂L/∂b2", formula: "∂L/∂z2 · 1", closedForm: dZ2, autograd: gb2 },
    { name: "w1 ←", formula: "w1 − lr·∂L/∂w1", closedForm: w1 - LR * closed.dW1, autograd: nw1 },
    { name: "w2 ←", formula: "w2 − lr·∂L/∂w2", closedForm: w2 - LR * closed.dW2, autograd: nw2 },
    { name: "w3 ←", formula: "w3 − lr·∂L/∂w3", closedForm: w3 - LR * closed.dW3, autograd: nw3 },
    { name: "w4 ←", formula: "w4 − lr·∂L/∂w4", closedForm: w4 - LR * closed.dW4, autograd: nw4 },
    { name: "b1 ←", formula: "b1 − lr·∂L/∂b1", closedForm: b1 - LR * dZ1, autograd: nb1 },
    { name: "b2 ←", formula: "b2 − lr·∂L/∂b2", closedForm: b2 - LR * dZ2, autograd: nb2 },
    { name: "w5 ←", formula: "w5 − lr·∂L/∂w5", closedForm: w5 - LR * dW5, autograd: nw5 },
    { name: "w6 ←", formula: "w6 − lr·∂L/∂w6", closedForm: w6 - LR * dW6, autograd: nw6 },
    { name: "b3 ←", formula: "b3 − lr·∂L/∂b3", closedForm: b3 - LR * dB3, autograd: nb3 },
  ];
  return { steps, outputRepr };
}

export async function forwardBackwardSection(context: TourContext): Promise<void> {
  const { W1, B1, W2, B2 } = CHAPTER_EXAMPLE;
  heading(
    context,
    2,
    "Forward and backward propagation, by hand and by autograd",
    "Two Linear+Sigmoid layers with the chapter's weights, input x = [1, 1], target y = 0,",
    "binary cross-entropy, one SGD step with lr = 1. 'closed form' is the chapter's formula in double",
    "arithmetic; 'autograd' is kindling's float32 forward pass, backward pass and optimizer step.",
    "",
    `w1 w2 = ${W1[0].join(" ")}    w3 w4 = ${W1[1].join(" ")}    b1 b2 = ${B1.join(" ")}`,
    `w5 w6 = ${W2[0].join(" ")}    b3 = ${B2[0]}`,
  );
  const { steps, outputRepr } = forwardBackwardSteps();
  const nameWidth = Math.max(...steps.map((s) => [...s.name].length));
  const formulaWidth = Math.max(...steps.map((s) => [...s.formula].length));
  const num = (n: number) => n.toFixed(6).padStart(10);
  const line = (name: string, formula: string, a: string, b: string, mark: string) =>
    `  ${name.padEnd(nameWidth)}  ${formula.padEnd(formulaWidth)}  ${a.padStart(11)}  ${b.padStart(10)}  ${mark}`.trimEnd();
  const sections: Record<string, string> = { z1: "forward", "∂L/∂σ3": "backward (chain rule)", "w1 ←": "update (SGD, lr = 1)" };
  context.print("", line("", "", "closed form", "autograd", ""));
  for (const step of steps) {
    const title = sections[step.name];
    if (title) context.print(`  ${title}`);
    context.print(line(step.name, step.formula, num(step.closedForm), num(step.autograd), agrees(step) ? "✓" : "✗ differs"));
  }
  const matching = steps.filter(agrees).length;
  context.print("", `  output printed by kindling: ${outputRepr}`, `  ${matching} of ${steps.length} values agree with the closed form.`);
}

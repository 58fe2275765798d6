// Tour step 1: every activation function of the chapter, evaluated by its nn module and
// differentiated by autograd, one chart each; then how the sigmoid's coefficient sets its slope.
import * as torch from "../../index.js";
import { nn } from "../../index.js";
import { lineChart } from "../charts.js";
import { formatTable } from "../table.js";
import { heading, type TourContext } from "./context.js";

interface Activation {
  file: string;
  title: string;
  formula: string;
  make: () => nn.Module;
}

const ACTIVATIONS: readonly Activation[] = [
  { file: "sigmoid", title: "Sigmoid", formula: "σ(x) = 1 / (1 + e^(−x))", make: () => new nn.Sigmoid() },
  { file: "tanh", title: "Tanh", formula: "tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))", make: () => new nn.Tanh() },
  { file: "relu", title: "ReLU", formula: "max(0, x)", make: () => new nn.ReLU() },
  { file: "leaky-relu", title: "Leaky ReLU", formula: "max(0, x) + 0.01·min(0, x)", make: () => new nn.LeakyReLU({ negativeSlope: 0.01 }) },
  { file: "prelu", title: "PReLU", formula: "max(0, x) + a·min(0, x), a learned (starts at 0.25)", make: () => new nn.PReLU() },
  { file: "elu", title: "ELU", formula: "x if x > 0, else α(e^x − 1) with α = 1", make: () => new nn.ELU({ alpha: 1.0 }) },
  { file: "threshold", title: "Threshold", formula: "x if x > 0.5, else −1", make: () => new nn.Threshold(0.5, -1.0) },
  { file: "gelu", title: "GELU", formula: "x·Φ(x), Φ the standard normal CDF", make: () => new nn.GELU() },
  { file: "silu", title: "SiLU (swish)", formula: "x·σ(x)", make: () => new nn.SiLU() },
  { file: "softplus", title: "Softplus", formula: "log(1 + e^x)", make: () => new nn.Softplus() },
  { file: "hardtanh", title: "Hardtanh", formula: "clamp(x, −1, 1)", make: () => new nn.Hardtanh() },
  { file: "relu6", title: "ReLU6", formula: "min(max(0, x), 6)", make: () => new nn.ReLU6() },
];

/** The points [x, y] of a curve. */
function points(xs: number[], ys: number[]): Array<[number, number]> {
  return xs.map((x, i) => [x, ys[i]]);
}

/** f(x) and f′(x) at every x, by the module's forward and autograd's backward (float64; the browser page's explorer uses it too). */
export function evaluate(f: (x: torch.Tensor) => torch.Tensor, values: number[]): { y: number[]; dy: number[] } {
  const x = torch.tensor(values, { dtype: torch.float64 }).requiresGrad_();
  const y = f(x);
  y.sum().backward();
  return { y: y.detach().tolist() as number[], dy: x.grad!.tolist() as number[] };
}

export async function activationsSection(context: TourContext): Promise<void> {
  heading(
    context,
    1,
    "Activation functions",
    "Each nn module evaluated on x in [−6, 6] in float64; its derivative is autograd's (y.sum().backward()).",
  );
  const grid = (torch.linspace(-6, 6, 241, { dtype: torch.float64 }).tolist() as number[]).map((v) => Math.round(v * 1e9) / 1e9);
  const probes = [-2, -0.5, 0, 0.5, 2];
  const rows: Array<Array<string | number>> = [];
  for (const activation of ACTIVATIONS) {
    const layer = activation.make().to(torch.float64);
    const forward = (x: torch.Tensor) => layer.forward(x) as torch.Tensor;
    const curve = evaluate(forward, grid);
    const at = evaluate(forward, probes);
    rows.push([activation.title, ...at.y, ...at.dy]);
    await context.charts.write(
      `activation-${activation.file}`,
      lineChart({
        title: `${activation.title} and its derivative`,
        subtitle: `${activation.formula}; derivative by autograd`,
        xTitle: "x",
        yTitle: "value",
        series: [
          { name: activation.title, points: points(grid, curve.y) },
          { name: "derivative", points: points(grid, curve.dy), dashed: true },
        ],
      }),
    );
  }
  // the step function: heaviside has no derivative in PyTorch (autograd refuses it), so only its values
  const step = (values: number[]) => torch.heaviside(torch.tensor(values, { dtype: torch.float64 }), torch.tensor([1.0], { dtype: torch.float64 })).tolist() as number[];
  rows.push(["Step (heaviside)", ...step(probes), "–", "–", "–", "–", "–"]);
  await context.charts.write(
    "activation-step",
    lineChart({
      title: "Step function",
      subtitle: "torch.heaviside(x, 1): 1 if x ≥ 0, else 0. Its slope is 0 wherever it exists: nothing for gradient descent to follow, which is why networks use the sigmoid instead.",
      xTitle: "x",
      yTitle: "value",
      series: [{ name: "step", points: points(grid, step(grid)) }],
    }),
  );

  const header = ["activation", ...probes.map((p) => `f(${p})`), ...probes.map((p) => `f′(${p})`)];
  context.print("", ...formatTable(header, rows, { rightAlign: header.map((_, j) => j > 0) }));

  // softmax and its relatives act on a vector: the chapter's example row
  const z = torch.tensor([[1.0, 2.0, 3.0]], { dtype: torch.float64 });
  const vector = (t: torch.Tensor) => `[${(t.tolist() as number[][])[0].map((v) => v.toFixed(4)).join(", ")}]`;
  context.print(
    "",
    "  On the vector z = [1, 2, 3]:",
    `    softmax(z)     = ${vector(new nn.Softmax(1).forward(z))}   (sums to 1: class probabilities)`,
    `    softmin(z)     = ${vector(new nn.Softmin(1).forward(z))}`,
    `    log_softmax(z) = ${vector(new nn.LogSoftmax(1).forward(z))}`,
  );

  // σ(w·x): the coefficient w sets how steep the sigmoid rises (its slope at 0 is w/4)
  const coefficients = [0.5, 1, 2, 5];
  const series = coefficients.map((w) => {
    const wx = torch.tensor(grid, { dtype: torch.float64 }).mul(w);
    return { name: `w = ${w}`, points: points(grid, new nn.Sigmoid().forward(wx).tolist() as number[]) };
  });
  const slopes = coefficients.map((w) => {
    const x = torch.tensor([0], { dtype: torch.float64 }).requiresGrad_();
    new nn.Sigmoid().forward(x.mul(w)).sum().backward();
    return `w = ${w}: ${(x.grad!.tolist() as number[])[0]}`;
  });
  await context.charts.write(
    "sigmoid-coefficient",
    lineChart({
      title: "The sigmoid's slope follows its coefficient",
      subtitle: "σ(w·x) for several w: a larger w makes a sharper step",
      xTitle: "x",
      yTitle: "σ(w·x)",
      legendTitle: "coefficient",
      series,
    }),
  );
  context.print("", `  Slope of σ(w·x) at x = 0 (autograd; w/4 in closed form): ${slopes.join(", ")}`);
}

// Section 1: one activation at a time, its autograd derivative, and a coefficient to vary.
import * as torch from "kindling";
import { nn } from "kindling";
import { lineChart } from "../src/cli/charts.js";
import { evaluate } from "../src/cli/tour/activations.js";
import { drawChart } from "./chart.js";

interface Explorable {
  title: string;
  /** The formula, with the coefficient's current value. */
  formula: (c: number) => string;
  coefficient: { name: string; min: number; max: number; step: number; value: number };
  /** The function of x for coefficient c, built from the nn module as a user would. */
  make: (c: number) => (x: torch.Tensor) => torch.Tensor;
}

/** f(w·x) for activations without a coefficient of their own: w sets how steep they rise. */
const scaled = (module: () => nn.Module) => (w: number) => {
  const layer = module();
  return (x: torch.Tensor) => layer.forward(x.mul(w)) as torch.Tensor;
};
const scale = { name: "input scale w", min: 0.1, max: 5, step: 0.1, value: 1 };

export const EXPLORABLE: readonly Explorable[] = [
  { title: "Sigmoid", formula: (w) => `σ(w·x) = 1 / (1 + e^(−w·x)), w = ${w}; slope at 0 is w/4`, coefficient: scale, make: scaled(() => new nn.Sigmoid()) },
  {
    title: "Leaky ReLU",
    formula: (a) => `max(0, x) + ${a}·min(0, x)`,
    coefficient: { name: "negative slope", min: 0, max: 1, step: 0.01, value: 0.01 },
    make: (a) => {
      const layer = new nn.LeakyReLU({ negativeSlope: a });
      return (x) => layer.forward(x) as torch.Tensor;
    },
  },
  {
    title: "ELU",
    formula: (a) => `x if x > 0, else ${a}·(e^x − 1)`,
    coefficient: { name: "alpha", min: 0, max: 3, step: 0.1, value: 1 },
    make: (a) => {
      const layer = new nn.ELU({ alpha: a });
      return (x) => layer.forward(x) as torch.Tensor;
    },
  },
  {
    title: "PReLU",
    formula: (a) => `max(0, x) + a·min(0, x), a = ${a} (learned in training)`,
    coefficient: { name: "initial a", min: 0, max: 1, step: 0.05, value: 0.25 },
    make: (a) => {
      const layer = new nn.PReLU({ init: a }).to(torch.float64);
      return (x) => layer.forward(x) as torch.Tensor;
    },
  },
  {
    title: "Softplus",
    formula: (b) => `log(1 + e^(${b}·x)) / ${b}`,
    coefficient: { name: "beta", min: 0.1, max: 5, step: 0.1, value: 1 },
    make: (b) => {
      const layer = new nn.Softplus({ beta: b });
      return (x) => layer.forward(x) as torch.Tensor;
    },
  },
  {
    title: "Hardtanh",
    formula: (m) => `clamp(x, −${m}, ${m})`,
    coefficient: { name: "max value", min: 0.1, max: 5, step: 0.1, value: 1 },
    make: (m) => {
      const layer = new nn.Hardtanh(-m, m);
      return (x) => layer.forward(x) as torch.Tensor;
    },
  },
  {
    title: "Threshold",
    formula: (t) => `x if x > ${t}, else −1`,
    coefficient: { name: "threshold", min: -3, max: 3, step: 0.1, value: 0.5 },
    make: (t) => {
      const layer = new nn.Threshold(t, -1);
      return (x) => layer.forward(x) as torch.Tensor;
    },
  },
  { title: "Tanh", formula: (w) => `tanh(w·x), w = ${w}`, coefficient: scale, make: scaled(() => new nn.Tanh()) },
  { title: "ReLU", formula: (w) => `max(0, w·x), w = ${w}`, coefficient: scale, make: scaled(() => new nn.ReLU()) },
  { title: "GELU", formula: (w) => `GELU(w·x) = w·x·Φ(w·x), w = ${w}`, coefficient: scale, make: scaled(() => new nn.GELU()) },
  { title: "SiLU (swish)", formula: (w) => `w·x·σ(w·x), w = ${w}`, coefficient: scale, make: scaled(() => new nn.SiLU()) },
  { title: "ReLU6", formula: (w) => `min(max(0, w·x), 6), w = ${w}`, coefficient: scale, make: scaled(() => new nn.ReLU6()) },
];

const PROBES = [-2, -0.5, 0, 0.5, 2];

export function setupActivations(): void {
  const select = document.querySelector<HTMLSelectElement>("#activation-select")!;
  const slider = document.querySelector<HTMLInputElement>("#activation-coefficient")!;
  const sliderLabel = document.querySelector<HTMLLabelElement>("#activation-coefficient-label")!;
  const valueOut = document.querySelector<HTMLOutputElement>("#activation-coefficient-value")!;
  const formula = document.querySelector<HTMLElement>("#activation-formula")!;
  const chart = document.querySelector<HTMLElement>("#activation-chart")!;
  const table = document.querySelector<HTMLTableElement>("#activation-table")!;
  const grid = (torch.linspace(-6, 6, 241, { dtype: torch.float64 }).tolist() as number[]).map((v) => Math.round(v * 1e9) / 1e9);

  for (const [i, a] of EXPLORABLE.entries()) select.add(new Option(a.title, String(i)));
  table.tHead!.innerHTML = `<tr><th scope="col">x</th>${PROBES.map((p) => `<th scope="col">${p}</th>`).join("")}</tr>`;

  const pick = () => {
    const a = EXPLORABLE[Number(select.value)];
    Object.assign(slider, { min: String(a.coefficient.min), max: String(a.coefficient.max), step: String(a.coefficient.step) });
    slider.value = String(a.coefficient.value);
    sliderLabel.textContent = a.coefficient.name;
    slider.setAttribute("aria-valuetext", `${a.coefficient.name} ${a.coefficient.value}`);
    void redraw();
  };
  const redraw = async () => {
    const a = EXPLORABLE[Number(select.value)];
    const c = Number(slider.value);
    valueOut.textContent = String(c);
    slider.setAttribute("aria-valuetext", `${a.coefficient.name} ${c}`);
    formula.textContent = a.formula(c);
    const f = a.make(c);
    const curve = evaluate(f, grid);
    const at = evaluate(f, PROBES);
    const row = (name: string, values: number[]) =>
      `<tr><th scope="row">${name}</th>${values.map((v) => `<td data-value="${v}">${v.toFixed(4)}</td>`).join("")}</tr>`;
    table.tBodies[0].innerHTML = row("f(x)", at.y) + row("f′(x) by autograd", at.dy);
    await drawChart(
      chart,
      lineChart({
        title: `${a.title} and its derivative`,
        subtitle: `${a.formula(c)}; derivative by autograd`,
        xTitle: "x",
        yTitle: "value",
        series: [
          { name: a.title, points: grid.map((x, i) => [x, curve.y[i]]) },
          { name: "derivative", points: grid.map((x, i) => [x, curve.dy[i]]), dashed: true },
        ],
      }),
    );
    chart.dataset.drawn = `${a.title}@${c}`;
  };
  select.addEventListener("change", pick);
  slider.addEventListener("input", () => void redraw());
  pick();
}

// Section 3 on the page: starts the worker, redraws the cost curves and decision regions as its
// messages arrive, and lists the final outputs (full precision in data-value, for the test).
import { decisionBoundaryChart, lineChart } from "../src/cli/charts.js";
import type { ProbabilityGrid } from "../src/cli/boundary.js";
import { learnedXor, XOR_INPUTS } from "../src/cli/tour/xor-training.js";
import { liveChart } from "./chart.js";
import type { XorMessage, XorModelName } from "./xor-worker.js";

const TITLES: Record<XorModelName, { name: string; layers: string }> = {
  single: { name: "single layer", layers: "Linear(2, 1) + Sigmoid" },
  two: { name: "two layers", layers: "Linear(2, 2) + Sigmoid, Linear(2, 1) + Sigmoid" },
};

export function setupXor(): void {
  const button = document.querySelector<HTMLButtonElement>("#xor-train")!;
  const epochsInput = document.querySelector<HTMLInputElement>("#xor-epochs")!;
  const status = document.querySelector<HTMLElement>("#xor-status")!;
  const body = document.querySelector<HTMLTableElement>("#xor-table")!.tBodies[0];
  const costChart = liveChart(document.querySelector<HTMLElement>("#xor-cost-chart")!);
  const boundaryCharts: Record<XorModelName, (spec: Parameters<typeof costChart>[0]) => Promise<void>> = {
    single: liveChart(document.querySelector<HTMLElement>("#xor-boundary-single")!),
    two: liveChart(document.querySelector<HTMLElement>("#xor-boundary-two")!),
  };
  let worker: Worker | null = null;

  const drawCosts = (costs: Partial<Record<XorModelName, Array<[number, number]>>>) =>
    costChart(
      lineChart({
        title: "XOR: cost per epoch",
        subtitle: "binary cross-entropy; the single layer stalls near log 2 ≈ 0.693, two layers keep falling",
        xTitle: "epoch",
        yTitle: "cost (BCE)",
        series: (["single", "two"] as const).filter((m) => costs[m]?.length).map((m) => ({ name: TITLES[m].name, points: costs[m]! })),
      }),
    );
  const drawRegions = (model: XorModelName, grid: ProbabilityGrid, verdict: string) =>
    boundaryCharts[model](
      decisionBoundaryChart({
        title: `XOR, ${TITLES[model].name}: ${verdict}`,
        subtitle: TITLES[model].layers,
        xTitle: "x1",
        yTitle: "x2",
        grid,
        points: XOR_INPUTS.map(([x, y]) => ({ x, y, label: x !== y ? 1 : 0 })),
        classNames: ["False", "True"],
      }),
    );

  button.addEventListener("click", () => {
    worker?.terminate();
    const epochs = Math.max(1, Math.min(5000, Math.round(Number(epochsInput.value) || 300)));
    const costs: Partial<Record<XorModelName, Array<[number, number]>>> = {};
    const outputs: Partial<Record<XorModelName, number[]>> = {};
    const drawing: Promise<void>[] = [];
    body.innerHTML = "";
    status.dataset.state = "training";
    status.textContent = `Training for ${epochs} epochs…`;
    worker = new Worker(new URL("./xor-worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = async (event: MessageEvent<XorMessage>) => {
      const message = event.data;
      if (message.type === "progress") {
        costs[message.model] = message.costs;
        status.textContent = `${TITLES[message.model].name}: epoch ${message.epoch} of ${epochs}, cost ${message.costs.at(-1)![1].toFixed(4)}`;
        void drawCosts(costs);
        void drawRegions(message.model, message.grid, `epoch ${message.epoch}`);
      } else if (message.type === "done") {
        costs[message.model] = message.costs;
        outputs[message.model] = message.outputs;
        const final = message.costs.at(-1)![1];
        drawing.push(drawCosts(costs), drawRegions(message.model, message.grid, learnedXor(message.outputs) ? "learned" : "not learned"));
        status.dataset[`${message.model}Cost`] = String(final);
      } else if (message.type === "finished") {
        await Promise.all(drawing);
        body.innerHTML = XOR_INPUTS.map(([a, b], i) => {
          const cell = (m: XorModelName) => {
            const p = outputs[m]![i];
            return `<td data-model="${m}" data-value="${p}">${p.toFixed(4)} → ${p > 0.5 ? 1 : 0}</td>`;
          };
          return `<tr><td>${a}</td><td>${b}</td><td>${a !== b ? 1 : 0}</td>${cell("single")}${cell("two")}</tr>`;
        }).join("");
        const verdict = (m: XorModelName) => `${TITLES[m].name} ${learnedXor(outputs[m]!) ? "learned XOR" : "did not learn XOR"} (final cost ${costs[m]!.at(-1)![1].toFixed(4)})`;
        status.textContent = `Done in ${(message.ms / 1000).toFixed(1)} s: ${verdict("single")}; ${verdict("two")}.`;
        status.dataset.ms = String(message.ms);
        status.dataset.state = "done";
        worker?.terminate();
        worker = null;
      } else {
        status.dataset.state = "error";
        status.textContent = `Training failed: ${message.message}`;
        console.error(message.message);
      }
    };
    worker.postMessage({ epochs });
  });
}

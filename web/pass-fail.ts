// Section 4: the chapter's pass/fail classifier on the generated table or a dropped CSV, trained
// on the page's thread an epoch at a time (yielding between epochs so the page stays responsive),
// then saved with torch.saveBuffer and loaded back with torch.loadBuffer.
import * as torch from "kindling";
import { data } from "kindling";
import { makePassFail } from "kindling/datasets";
import { confusionMatrixChart, lineChart } from "../src/cli/charts.js";
import { assess, PASS_FAIL_LR, PassFailTrainer, passRule } from "../src/cli/tour/pass-fail-training.js";
import { drawChart, liveChart } from "./chart.js";

interface Marks {
  x: torch.Tensor;
  y: torch.Tensor;
  inputs: string[];
  source: string;
}

/** The generated table the tour uses: 1000 rows, half passing, torch.Generator seeded with 0. */
function generated(): Marks {
  const table = makePassFail({ n: 1000, generator: new torch.Generator().manualSeed(0) });
  return { x: table.x, y: table.y, inputs: ["x", "y", "z"], source: "the generated table (makePassFail, n = 1000, seed 0)" };
}

/** A CSV's marks: every column but the target ('pass', or else the last) is an input; the target must be 0/1 or True/False. */
function fromCsv(text: string, name: string): Marks {
  try {
    return marksOf(data.parseCsv(text), name);
  } catch (error) {
    // kindling's CSV errors name the line and column; the page adds which file
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function marksOf(table: ReturnType<typeof data.parseCsv>, name: string): Marks {
  const target = table.columns.includes("pass") ? "pass" : table.columns[table.columns.length - 1];
  const inputs = table.columns.filter((c) => c !== target);
  if (inputs.length === 0) throw new Error(`needs input columns besides '${target}'`);
  const labels = table.column(target);
  const bad = labels.findIndex((v) => v !== 0 && v !== 1);
  if (bad >= 0) throw new Error(`row ${bad + 1} of column '${target}' is ${labels[bad]}, not True/False or 0/1`);
  if (table.length < 10) throw new Error(`has ${table.length} rows; the 80/10/10 split needs at least 10`);
  return { x: table.toTensor(inputs), y: torch.tensor(labels), inputs, source: `${name} (${table.length} rows; inputs ${inputs.join(", ")}; target '${target}')` };
}

const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function setupPassFail(): void {
  const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
  const drop = $("#pass-fail-drop");
  const fileInput = $<HTMLInputElement>("#pass-fail-file");
  const dataStatus = $("#pass-fail-data");
  const status = $("#pass-fail-status");
  const epochsInput = $<HTMLInputElement>("#pass-fail-epochs");
  const trainButton = $<HTMLButtonElement>("#pass-fail-train");
  const saveButton = $<HTMLButtonElement>("#pass-fail-save");
  const loadInput = $<HTMLInputElement>("#pass-fail-load");
  const costChart = liveChart($("#pass-fail-cost-chart"));
  const confusion = $("#pass-fail-confusion-chart");
  let marks = generated();
  let trainer: PassFailTrainer | null = null;

  const costSpec = (t: PassFailTrainer) =>
    lineChart({
      title: "Pass/fail: cost per epoch",
      subtitle: `binary cross-entropy, mean over the batches; Linear(${marks.inputs.length}, 1) + Sigmoid, SGD lr = ${PASS_FAIL_LR}`,
      xTitle: "epoch",
      yTitle: "cost (BCE)",
      series: [
        { name: "training", points: t.training },
        { name: "validation", points: t.validation, dashed: true },
      ],
    });
  const fail = (error: unknown) => {
    status.dataset.state = "error";
    status.textContent = error instanceof Error ? error.message : String(error);
  };
  const useMarks = (m: Marks) => {
    marks = m;
    trainer = null;
    saveButton.disabled = true;
    dataStatus.textContent = `Data: ${m.source}.`;
  };
  const readCsv = async (file: File) => {
    try {
      useMarks(fromCsv(await file.text(), file.name));
      status.dataset.state = "idle";
      status.textContent = "Not trained yet.";
    } catch (error) {
      fail(error);
    }
  };

  /** The test rows' accuracy and confusion chart, and the learned rule, for the trainer's model as it is now. */
  const report = async (what: string) => {
    const t = trainer!;
    const test = assess(t.model, t.testLoader);
    const accuracy = test.correct / test.total;
    const weights = t.weights();
    const rule = passRule(weights);
    const terms = weights.weight.map((w, i) => `${w.toFixed(2)}·${marks.inputs[i]}`).join(" + ");
    status.textContent = `${what}: test accuracy ${test.correct} of ${test.total} = ${(100 * accuracy).toFixed(1)}%. The model says pass when ${terms} ≥ ${rule.threshold.toFixed(1)}.`;
    Object.assign(status.dataset, { accuracy: String(accuracy), weights: JSON.stringify(weights) });
    await drawChart(
      confusion,
      confusionMatrixChart({
        title: "Pass/fail: test set",
        subtitle: `accuracy ${(100 * accuracy).toFixed(1)}% on ${test.total} held-out rows`,
        labels: ["fail", "pass"],
        matrix: test.matrix,
      }),
    );
  };

  trainButton.addEventListener("click", async () => {
    trainButton.disabled = true;
    saveButton.disabled = true;
    try {
      const epochs = Math.max(1, Math.min(1000, Math.round(Number(epochsInput.value) || 40)));
      trainer = new PassFailTrainer(marks.x, marks.y);
      status.dataset.state = "training";
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const { cost, validationCost } = trainer.epoch();
        // the tour assesses the validation rows at these epochs; its shuffles draw from the global
        // generator, so the page does too, or its numbers would drift from the tour's
        let accuracy = "";
        if (epoch % Math.max(1, Math.floor(epochs / 8)) === 0 || epoch === 1 || epoch === epochs) {
          const { correct, total } = assess(trainer.model, trainer.validationLoader);
          accuracy = `, validation accuracy ${((100 * correct) / total).toFixed(1)}%`;
        }
        status.textContent = `Epoch ${epoch} of ${epochs}: cost ${cost.toFixed(4)}, validation cost ${validationCost.toFixed(4)}${accuracy}`;
        void costChart(costSpec(trainer));
        await nextFrame();
      }
      await costChart(costSpec(trainer));
      status.dataset.cost = String(trainer.training.at(-1)![1]);
      await report(`Trained ${epochs} epochs`);
      status.dataset.state = "done";
      saveButton.disabled = false;
    } catch (error) {
      fail(error);
    } finally {
      trainButton.disabled = false;
    }
  });

  saveButton.addEventListener("click", () => {
    if (!trainer) return;
    // saveBuffer picks safetensors for a state dict unless told; the .pt format is what torch.load
    // in Python reads, and it keeps the state dict's order
    const bytes = torch.saveBuffer(trainer.model.stateDict(), { format: "pt" });
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: "pass-fail.pt" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  loadInput.addEventListener("change", async () => {
    const file = loadInput.files?.[0];
    if (!file) return;
    try {
      const state = torch.loadBuffer(new Uint8Array(await file.arrayBuffer()));
      // a fresh trainer gives the same 80/10/10 split (seeded), so the loaded weights face the same test rows
      trainer = new PassFailTrainer(marks.x, marks.y);
      trainer.model.loadStateDict(state);
      await report(`Loaded ${file.name}`);
      status.dataset.state = "loaded";
      saveButton.disabled = false;
    } catch (error) {
      fail(error);
    } finally {
      loadInput.value = "";
    }
  });

  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file) void readCsv(file);
  });
  $("#pass-fail-generated").addEventListener("click", () => {
    useMarks(generated());
    status.dataset.state = "idle";
    status.textContent = "Not trained yet.";
  });
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const file = event.dataTransfer?.files[0];
    if (file) void readCsv(file);
  });
  useMarks(marks);
}

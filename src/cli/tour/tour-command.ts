// `kindling tour` (the default command): the chapter's four steps, one after the other, on data
// kindling generates itself; the charts go into --out and are listed at the end.
import { join, resolve } from "node:path";
import { type CommandSpec, choiceOption, positiveOption, stringOption } from "../args.js";
import type { Command } from "../command.js";
import { printer } from "../io.js";
import { Progress } from "../progress.js";
import { ChartWriter } from "../render-svg.js";
import { activationsSection } from "./activations.js";
import type { TourContext } from "./context.js";
import { forwardBackwardSection } from "./forward-backward.js";
import { passFailSection } from "./pass-fail.js";
import { xorSection } from "./xor.js";

const SECTIONS = ["all", "activations", "forward-backward", "pass-fail", "xor"] as const;

const spec: CommandSpec = {
  name: "tour",
  summary: "The neural-network chapter, live, on data kindling generates itself.",
  description:
    "1. activation functions with their derivatives (one chart each) and the sigmoid's coefficient\n" +
    "2. the worked forward/backward example: every step by autograd next to the closed form\n" +
    "3. binary classification of a generated pass/fail table: cost curve and accuracy\n" +
    "4. XOR: a single-layer perceptron that cannot learn it and a two-layer one that does",
  options: [
    { name: "out", type: "string", value: "DIR", help: "folder for the charts (SVG) and generated tables (CSV)", defaultText: "out" },
    { name: "only", type: "string", value: "SECTION", help: `run one step: ${SECTIONS.slice(1).join(", ")}`, defaultText: "all" },
    { name: "epochs-scale", type: "string", value: "X", help: "multiply the training steps' epochs by X", defaultText: "1" },
    { name: "quiet", type: "boolean", help: "no progress bars" },
  ],
  examples: ["npm start", "kindling tour --out charts", "kindling tour --only xor --epochs-scale 2"],
};

export const tourCommand: Command = {
  spec,
  async run(options, io) {
    const started = performance.now();
    const print = printer(io.stdout);
    const outDir = stringOption(options, "out", "out");
    const only = choiceOption(spec, options, "only", SECTIONS, "all");
    const epochScale = positiveOption(spec, options, "epochs-scale", 1);
    const charts = new ChartWriter(outDir);
    const context: TourContext = {
      print,
      charts,
      outDir,
      epochScale,
      progress: (label, total) => new Progress({ label, total, stream: io.stderr, mode: options.quiet ? "quiet" : undefined }),
    };
    print("kindling tour: the neural-network chapter, computed by kindling (PyTorch for TypeScript).");
    const run = (name: (typeof SECTIONS)[number]) => only === "all" || only === name;
    if (run("activations")) await activationsSection(context);
    if (run("forward-backward")) await forwardBackwardSection(context);
    if (run("pass-fail")) await passFailSection(context);
    if (run("xor")) await xorSection(context);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (charts.files.length > 0) print("", `Charts written to ${resolve(outDir)}:`, ...charts.files.map((f) => `  ${f}`));
    print("", `Done in ${seconds}s.`);
    if (run("pass-fail")) {
      print(`Next: train a deeper model on the same table with 'npx kindling train --csv ${join(outDir, "pass-fail.csv")} --target pass'.`);
    }
  },
};

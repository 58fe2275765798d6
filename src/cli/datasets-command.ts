// `kindling datasets`: the generated tables as CSV files, to train on with `kindling train` or to
// read in PyTorch.
import { join } from "node:path";
import * as torch from "../index.js";
import { makeBlobs, makeMoons, makePassFail, makeXor, writeCsv } from "../datasets/index.js";
import { type CommandSpec, intOption, stringOption } from "./args.js";
import type { Command } from "./command.js";
import { printer } from "./io.js";

const spec: CommandSpec = {
  name: "datasets",
  summary: "Write the generated tables as CSV files: xor.csv, pass-fail.csv, moons.csv, blobs.csv.",
  description:
    "xor: two random bits and their exclusive or. pass-fail: marks x, y, z in 0..100, passing when all are\n" +
    "at least 40 and their mean at least 60 (half the rows pass). moons: two interleaving half circles.\n" +
    "blobs: three Gaussian clusters with class labels 0, 1, 2.",
  options: [
    { name: "out", type: "string", value: "DIR", help: "folder to write the files into", defaultText: "out" },
    { name: "seed", type: "string", value: "N", help: "seed of the generator the tables are drawn from", defaultText: "0" },
    { name: "rows", type: "string", value: "N", help: "rows of every table", defaultText: "1000" },
  ],
  examples: ["kindling datasets --out data", "kindling train --csv data/moons.csv --target label"],
};

export const datasetsCommand: Command = {
  spec,
  async run(options, io) {
    const out = printer(io.stdout);
    const dir = stringOption(options, "out", "out");
    const seed = intOption(spec, options, "seed", 0);
    const n = intOption(spec, options, "rows", 1000, 4);
    const generator = new torch.Generator().manualSeed(seed);
    const tables = {
      "xor.csv": makeXor({ n, generator }),
      "pass-fail.csv": makePassFail({ n, generator }),
      "moons.csv": makeMoons({ n, generator }),
      "blobs.csv": makeBlobs({ n, generator }),
    };
    for (const [file, data] of Object.entries(tables)) {
      const path = writeCsv(data, join(dir, file));
      out(`wrote ${path} (${n} rows: ${[...data.featureNames, data.targetName].join(", ")})`);
    }
  },
};

// The binary classification chapter's table: three marks from 0 to 100 and whether they pass.
import * as torch from "../index.js";
import type { GeneratedData } from "./generated-data.js";
import { checkCount, type GeneratorOptions } from "./options.js";

export interface PassFailOptions extends GeneratorOptions {
  /** Rows (default 1000, the chapter's table). */
  n?: number;
  /** Every mark must be at least this (default 40). */
  minimum?: number;
  /** The mean of the marks must be at least this (default 60). */
  meanAtLeast?: number;
  /**
   * Half the rows pass, half fail (the odd row fails), as in the chapter's table (default true).
   * Uniform marks alone pass only about 18% of the time.
   */
  balanced?: boolean;
}

/**
 * Rows of (x, y, z, pass); pass when every mark is at least `minimum` and their mean at least
 * `meanAtLeast`. Marks are drawn in batches, as PyTorch's `torch.randint(0, 101, (n, 3), generator=g)`;
 * unbalanced, the first batch is the table; balanced, rows are kept in the order drawn while their
 * class still lacks rows, drawing further batches until both halves are full.
 */
export function makePassFail(options: PassFailOptions = {}): GeneratedData {
  const n = checkCount("makePassFail", "n", options.n ?? 1000);
  const minimum = options.minimum ?? 40;
  const meanAtLeast = options.meanAtLeast ?? 60;
  if (!(minimum <= 100 && meanAtLeast <= 100)) {
    throw new RangeError(`makePassFail: no marks of 0..100 pass with minimum ${minimum} and mean ${meanAtLeast}`);
  }
  const balanced = options.balanced ?? true;
  const draw = () => {
    const marks = torch.randint(0, 101, [n, 3], { generator: options.generator });
    // the mean as sum >= 3 * bound, in integers, so no rounding decides a borderline row
    const passes = marks.ge(minimum).all(1).logicalAnd(marks.sum(1).ge(meanAtLeast * 3));
    return { marks: marks.tolist() as number[][], passes: passes.tolist() as boolean[] };
  };
  let rows: number[][];
  let labels: boolean[];
  if (!balanced) {
    const batch = draw();
    rows = batch.marks;
    labels = batch.passes;
  } else {
    rows = [];
    labels = [];
    const wanted = { pass: Math.floor(n / 2), fail: n - Math.floor(n / 2) };
    for (let batches = 0; wanted.pass > 0 || wanted.fail > 0; batches++) {
      if (batches === 1000) {
        throw new RangeError(`makePassFail: after 1000 batches the ${wanted.pass > 0 ? "passing" : "failing"} half is still short; the rule leaves it (almost) empty`);
      }
      const batch = draw();
      for (let i = 0; i < n; i++) {
        const key = batch.passes[i] ? "pass" : "fail";
        if (wanted[key] === 0) continue;
        wanted[key]--;
        rows.push(batch.marks[i]);
        labels.push(batch.passes[i]);
      }
    }
  }
  return {
    x: torch.tensor(rows),
    y: torch.tensor(labels.map((p) => (p ? 1 : 0))),
    featureNames: ["x", "y", "z"],
    targetName: "pass",
    featureKind: "integer",
    targetKind: "boolean",
  };
}

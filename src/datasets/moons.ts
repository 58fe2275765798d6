// Two interleaving half circles, as scikit-learn's make_moons: a boundary no straight line draws.
import * as torch from "../index.js";
import type { GeneratedData } from "./generated-data.js";
import { checkCount, checkNonNegative, type GeneratorOptions } from "./options.js";

export interface MoonsOptions extends GeneratorOptions {
  /** Points in all (default 200); the outer moon gets the odd one out. */
  n?: number;
  /** Standard deviation of the Gaussian noise added to every coordinate (default 0.1). */
  noise?: number;
}

/**
 * Points of two moons, class 0 the upper one. The draws, as PyTorch would make them:
 * `torch.randn(n, 2, generator=g) * noise` added to the points, then the rows shuffled by
 * `torch.randperm(n, generator=g)`.
 */
export function makeMoons(options: MoonsOptions = {}): GeneratedData {
  const n = checkCount("makeMoons", "n", options.n ?? 200, 2);
  const noise = checkNonNegative("makeMoons", "noise", options.noise ?? 0.1);
  const { generator } = options;
  const outer = Math.ceil(n / 2);
  const inner = n - outer;
  const a = torch.linspace(0, Math.PI, outer);
  const b = torch.linspace(0, Math.PI, inner);
  const upper = torch.stack([a.cos(), a.sin()], 1);
  const lower = torch.stack([b.cos().neg().add(1), b.sin().neg().add(0.5)], 1);
  let x = torch.cat([upper, lower], 0);
  const y = torch.cat([torch.zeros(outer), torch.ones(inner)]);
  if (noise > 0) x = x.add(torch.randn(n, 2, { generator }).mul(noise));
  const order = torch.randperm(n, { generator });
  return {
    x: x.indexSelect(0, order),
    y: y.indexSelect(0, order),
    featureNames: ["x1", "x2"],
    targetName: "label",
    featureKind: "float",
    targetKind: "boolean",
  };
}

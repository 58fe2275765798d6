// The perceptron chapter's XOR table: two random bits and their exclusive or.
import * as torch from "../index.js";
import type { GeneratedData } from "./generated-data.js";
import { checkCount, checkNonNegative, type GeneratorOptions } from "./options.js";

export interface XorOptions extends GeneratorOptions {
  /** Rows (default 1000, the chapter's table). */
  n?: number;
  /** Standard deviation of Gaussian noise added to the bits (default 0: the inputs stay exactly 0 and 1). */
  noise?: number;
}

/**
 * Rows of (x1, x2, y = x1 xor x2). The same draws as PyTorch's
 * `bits = torch.randint(0, 2, (n, 2), generator=g)`, then `torch.randn(n, 2, generator=g) * noise`
 * when noise > 0.
 */
export function makeXor(options: XorOptions = {}): GeneratedData {
  const n = checkCount("makeXor", "n", options.n ?? 1000);
  const noise = checkNonNegative("makeXor", "noise", options.noise ?? 0);
  const { generator } = options;
  const bits = torch.randint(0, 2, [n, 2], { generator });
  const [a, b] = bits.unbind(1);
  const y = a.ne(b).float();
  let x = bits.float();
  if (noise > 0) x = x.add(torch.randn(n, 2, { generator }).mul(noise));
  return {
    x,
    y,
    featureNames: ["x1", "x2"],
    targetName: "y",
    featureKind: noise > 0 ? "float" : "boolean",
    targetKind: "boolean",
  };
}

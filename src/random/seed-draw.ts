// The int64 seeds PyTorch's data utilities draw from a generator.

import type { Generator } from "./generator.js";

/**
 * int(torch.empty((), dtype=torch.int64).random_(generator=gen).item()): random64() mod 2**63
 * (2 words, first word high). RandomSampler without a generator seeds a fresh Generator with it,
 * and every DataLoader iterator draws one as its base seed. Exact, hence a BigInt.
 */
export function drawSeed(gen: Generator): bigint {
  const eng = gen.engine;
  const hi = eng.random() & 0x7fffffff;
  const lo = eng.random();
  return (BigInt(hi) << 32n) | BigInt(lo);
}

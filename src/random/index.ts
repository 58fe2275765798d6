// PyTorch's CPU random number generation on typed arrays: the engine, generators and distributions.

export { bernoulli_, bernoulliTensor_, dropoutMask_ } from "./bernoulli.js";
export { exponential_, exponentialSample } from "./exponential.js";
export {
  DEFAULT_RNG_SEED,
  defaultGenerator,
  Generator,
  getRngState,
  initialSeed,
  LEGACY_STATE_SIZE,
  manualSeed,
  STATE_SIZE,
  seed,
  setRngState,
} from "./generator.js";
export { random_, randint_ } from "./integers.js";
export { MT19937 } from "./mt19937.js";
export { multinomial } from "./multinomial.js";
export { normal_, normalScalarSample, normalTensor_ } from "./normal.js";
export { RANDPERM_LARGE_N, type RandpermOptions, randperm, randpermInto, randpermPrefix } from "./randperm.js";
export { drawSeed } from "./seed-draw.js";
export { uniform_ } from "./uniform.js";

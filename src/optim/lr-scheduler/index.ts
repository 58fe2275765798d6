// torch.optim.lr_scheduler, as optim.lrScheduler.

export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine-annealing-lr.js";
export { ExponentialLR, type ExponentialLROptions } from "./exponential-lr.js";
export { LambdaLR, type LrLambda, MultiplicativeLR } from "./lambda-lr.js";
export { LinearLR, type LinearLROptions } from "./linear-lr.js";
export { MultiStepLR, type MultiStepLROptions } from "./multi-step-lr.js";
export { OneCycleLR, type OneCycleLROptions } from "./one-cycle-lr.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce-lr-on-plateau.js";
export { LRScheduler, type SchedulerOptions, type SchedulerStateDict } from "./scheduler.js";
export { StepLR, type StepLROptions } from "./step-lr.js";

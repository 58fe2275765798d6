// torch.optim: the optimizers and their learning-rate schedulers (optim.lrScheduler).
export { Optimizer, required, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type ParamState, type ParamsInput } from "./optimizer.js";
export { SGD, type SGDOptions, type SGDParamGroup } from "./sgd.js";
export { Adam, type AdamOptions, type AdamParamGroup } from "./adam.js";
export { AdamW, type AdamWOptions, type AdamWParamGroup } from "./adamw.js";
export { RMSprop, type RMSpropOptions, type RMSpropParamGroup } from "./rmsprop.js";
export { Adagrad, type AdagradOptions, type AdagradParamGroup } from "./adagrad.js";
export { Adamax, type AdamaxOptions, type AdamaxParamGroup } from "./adamax.js";
export { NAdam, type NAdamOptions, type NAdamParamGroup } from "./nadam.js";
export * as lrScheduler from "./lr-scheduler/index.js";

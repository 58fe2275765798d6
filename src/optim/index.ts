// torch.optim: the optimizers and their learning-rate schedulers (optim.lrScheduler).

export { Adagrad, type AdagradOptions, type AdagradParamGroup } from "./adagrad.js";
export { Adam, type AdamOptions, type AdamParamGroup } from "./adam.js";
export { Adamax, type AdamaxOptions, type AdamaxParamGroup } from "./adamax.js";
export { AdamW, type AdamWOptions, type AdamWParamGroup } from "./adamw.js";
export * as lrScheduler from "./lr-scheduler/index.js";
export { NAdam, type NAdamOptions, type NAdamParamGroup } from "./nadam.js";
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type ParamState, type ParamsInput, required } from "./optimizer.js";
export { RMSprop, type RMSpropOptions, type RMSpropParamGroup } from "./rmsprop.js";
export { SGD, type SGDOptions, type SGDParamGroup } from "./sgd.js";

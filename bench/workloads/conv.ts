// One convolution layer's work (conv2d-forward: the forward alone, without grad; conv2d-step: training): Conv2d(64, 64, 3, padding=1) forward on [8, 64, 32, 32],
// then backward to the input, the weight and the bias (a ResNet stage-1 layer at CIFAR size).
import * as torch from "kindling";
import { nn } from "kindling";
import type { Step } from "../harness.js";
import { CONV } from "../spec.js";

export function prepare(): Step {
  torch.manualSeed(0);
  const { batch, channels, size } = CONV;
  const x = torch.randn(batch, channels, size, size).requiresGrad_();
  const conv = new nn.Conv2d(channels, channels, 3, { padding: 1 });
  return () => {
    x.grad = null;
    conv.zeroGrad(true);
    const y = conv.forward(x);
    y.sum().backward();
    return y;
  };
}

export function prepareForward(): Step {
  torch.manualSeed(0);
  const { batch, channels, size } = CONV;
  const x = torch.randn(batch, channels, size, size);
  const conv = new nn.Conv2d(channels, channels, 3, { padding: 1 });
  return () => torch.noGrad(() => conv.forward(x));
}

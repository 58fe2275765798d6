// Whole convolutional networks (issue 13): a LeNet-5 training step, ResNet-18's forward at
// ImageNet size, and a training step of ResNet-18's blocks at CIFAR size. The ResNet is the one
// in examples/models/resnet.ts, written as a user writes it.
import * as torch from "kindling";
import { nn, optim } from "kindling";
import { resnet18 } from "../../examples/models/resnet.js";
import type { Step } from "../harness.js";
import { LENET, RESNET18, RESNET_SMALL } from "../spec.js";

function trainingStep(model: nn.Module, x: torch.Tensor, labels: torch.Tensor): Step {
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
  model.train();
  return () => {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), labels);
    loss.backward();
    optimizer.step();
    return loss;
  };
}

export function prepareLenet(): Step {
  torch.manualSeed(0);
  const { batch, size, classes } = LENET;
  const x = torch.randn(batch, 1, size, size);
  const labels = torch.randint(0, classes, [batch]);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, classes),
  );
  return trainingStep(model, x, labels);
}

export function prepareResnet18Forward(): Step {
  torch.manualSeed(0);
  const { batch, size, classes } = RESNET18;
  const x = torch.randn(batch, 3, size, size);
  const model = resnet18({ numClasses: classes }).eval();
  return () => torch.noGrad(() => model.forward(x));
}

export function prepareResnetSmallStep(): Step {
  torch.manualSeed(0);
  const { batch, size, classes } = RESNET_SMALL;
  const x = torch.randn(batch, 3, size, size);
  const labels = torch.randint(0, classes, [batch]);
  return trainingStep(resnet18({ numClasses: classes }), x, labels);
}

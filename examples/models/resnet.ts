// ResNet (He et al., "Deep Residual Learning for Image Recognition") written as torchvision writes
// it, line for line: the same module names, so a state dict torchvision's resnet18() saves loads
// here with model.loadStateDict(torch.load(path)); the same construction order and initialisation
// loop, so torch.manualSeed(0) followed by resnet18() draws torchvision's initial weights.
// Beyond torchvision: `width` (the stem's channels, 64 in torchvision; the four stages have 1, 2,
// 4 and 8 times it), so small models for 32x32 images and tests keep torchvision's structure.
import type * as torch from "kindling";
import { nn } from "kindling";

/** 3x3 convolution with padding, no bias (a batch norm follows every convolution). */
function conv3x3(inPlanes: number, outPlanes: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false });
}

/** 1x1 convolution: the bottleneck's channel changes and the shortcut's projection. */
function conv1x1(inPlanes: number, outPlanes: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/** Two 3x3 convolutions and the shortcut around them (ResNet-18 and -34). */
export class BasicBlock extends nn.Module {
  static readonly expansion = 1;
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  relu: nn.ReLU;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null;
  stride: number;

  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Sequential | null = null) {
    super();
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = new nn.BatchNorm2d(planes);
    this.relu = new nn.ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new nn.BatchNorm2d(planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  override forward(x: torch.Tensor): torch.Tensor {
    let identity = x;
    let out = this.conv1.forward(x);
    out = this.bn1.forward(out);
    out = this.relu.forward(out);
    out = this.conv2.forward(out);
    out = this.bn2.forward(out);
    if (this.downsample !== null) identity = this.downsample.forward(x);
    out.add_(identity);
    return this.relu.forward(out);
  }
}

/** 1x1 down, 3x3, 1x1 up to 4x the channels, and the shortcut (ResNet-50 and deeper). */
export class Bottleneck extends nn.Module {
  static readonly expansion = 4;
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  conv3: nn.Conv2d;
  bn3: nn.BatchNorm2d;
  relu: nn.ReLU;
  downsample: nn.Sequential | null;
  stride: number;

  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Sequential | null = null) {
    super();
    const width = planes;
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = new nn.BatchNorm2d(width);
    // the stride sits on the 3x3 convolution, as in torchvision (ResNet v1.5), not on the first 1x1
    this.conv2 = conv3x3(width, width, stride);
    this.bn2 = new nn.BatchNorm2d(width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = new nn.BatchNorm2d(planes * Bottleneck.expansion);
    this.relu = new nn.ReLU({ inplace: true });
    this.downsample = downsample;
    this.stride = stride;
  }

  override forward(x: torch.Tensor): torch.Tensor {
    let identity = x;
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    if (this.downsample !== null) identity = this.downsample.forward(x);
    out.add_(identity);
    return this.relu.forward(out);
  }
}

export type Block = typeof BasicBlock | typeof Bottleneck;

export interface ResNetOptions {
  numClasses?: number;
  /** Start each residual branch's last batch norm at weight 0, so every block begins as the identity. */
  zeroInitResidual?: boolean;
  /** The stem's channels (torchvision: 64). */
  width?: number;
}

export class ResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  relu: nn.ReLU;
  maxpool: nn.MaxPool2d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Linear;
  private inplanes: number;

  constructor(block: Block, layers: [number, number, number, number], opts: ResNetOptions = {}) {
    super();
    const { numClasses = 1000, zeroInitResidual = false, width = 64 } = opts;
    this.inplanes = width;
    this.conv1 = new nn.Conv2d(3, this.inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new nn.BatchNorm2d(this.inplanes);
    this.relu = new nn.ReLU({ inplace: true });
    this.maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(block, width, layers[0]);
    this.layer2 = this.makeLayer(block, width * 2, layers[1], 2);
    this.layer3 = this.makeLayer(block, width * 4, layers[2], 2);
    this.layer4 = this.makeLayer(block, width * 8, layers[3], 2);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(width * 8 * block.expansion, numClasses);

    // He initialisation for the ReLU network, after every layer drew its default: the draws
    // happen in this order in torchvision too, so the generator ends where PyTorch's does.
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      } else if (m instanceof nn.BatchNorm2d || m instanceof nn.GroupNorm) {
        nn.init.constant_(m.weight!, 1);
        nn.init.constant_(m.bias!, 0);
      }
    }
    if (zeroInitResidual) {
      for (const m of this.modules()) {
        if (m instanceof Bottleneck) nn.init.constant_(m.bn3.weight!, 0);
        else if (m instanceof BasicBlock) nn.init.constant_(m.bn2.weight!, 0);
      }
    }
  }

  /** One stage: the first block changes stride and channels (its shortcut projects to match), the rest keep them. */
  private makeLayer(block: Block, planes: number, blocks: number, stride = 1): nn.Sequential {
    let downsample: nn.Sequential | null = null;
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = new nn.Sequential(conv1x1(this.inplanes, planes * block.expansion, stride), new nn.BatchNorm2d(planes * block.expansion));
    }
    const layers: nn.Module[] = [new block(this.inplanes, planes, stride, downsample)];
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) layers.push(new block(this.inplanes, planes));
    return new nn.Sequential(...layers);
  }

  override forward(x: torch.Tensor): torch.Tensor {
    x = this.conv1.forward(x);
    x = this.bn1.forward(x);
    x = this.relu.forward(x);
    x = this.maxpool.forward(x);
    x = this.layer1.forward(x);
    x = this.layer2.forward(x);
    x = this.layer3.forward(x);
    x = this.layer4.forward(x);
    x = this.avgpool.forward(x);
    x = x.flatten(1);
    return this.fc.forward(x);
  }
}

export function resnet18(opts: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [2, 2, 2, 2], opts);
}
export function resnet34(opts: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [3, 4, 6, 3], opts);
}
export function resnet50(opts: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 6, 3], opts);
}

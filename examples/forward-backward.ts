// The chapter's worked example of forward and backward propagation: two Linear+Sigmoid layers with
// fixed weights, input [1, 1], target 0, binary cross-entropy, one SGD step with lr = 1.
// Run: npx tsx examples/forward-backward.ts
import * as torch from "kindling";
import { nn, optim } from "kindling";

class CustomModel extends nn.Module {
  layer1 = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
  layer2 = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());

  constructor() {
    super();
    this.layer1.at(0).weight.data = torch.tensor([[0.4352, 0.3545], [0.1951, 0.4835]]);
    this.layer1.at(0).bias.data = torch.tensor([-0.1419, 0.0439]);
    this.layer2.at(0).weight.data = torch.tensor([[-0.1725, 0.1129]]);
    this.layer2.at(0).bias.data = torch.tensor([-0.3043]);
  }

  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer2.forward(this.layer1.forward(x));
  }
}

const model = new CustomModel();
const criterion = new nn.BCELoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 1 });

const x = torch.tensor([[1.0, 1.0]]);
const y = torch.tensor([[0.0]]);

const hidden = model.layer1.forward(x);
const output = model.forward(x);
const loss = criterion.forward(output, y);
console.log("σ1, σ2:", hidden.toString());
console.log("σ3:", output.toString());
console.log("loss:", loss.toString());

optimizer.zeroGrad();
loss.backward();
for (const [name, p] of model.namedParameters()) console.log(`∂L/∂${name}:`, p.grad!.toString());
optimizer.step();
for (const [name, p] of model.namedParameters()) console.log(`updated ${name}:`, p.data.toString());

// The chapter's activation functions: each nn module's values and autograd's derivative at a few
// points, and softmax on a vector.
// Run: npx tsx examples/activations.ts
import * as torch from "kindling";
import { nn } from "kindling";

const x = torch.tensor([-2, -1, 0, 1, 2], { dtype: torch.float64 }).requiresGrad_();
const layers: Record<string, nn.Module> = {
  sigmoid: new nn.Sigmoid(),
  tanh: new nn.Tanh(),
  relu: new nn.ReLU(),
  leaky_relu: new nn.LeakyReLU({ negativeSlope: 0.01 }),
  prelu: new nn.PReLU(),
  elu: new nn.ELU({ alpha: 1.0 }),
  threshold: new nn.Threshold(0.5, -1.0),
  gelu: new nn.GELU(),
  silu: new nn.SiLU(),
  softplus: new nn.Softplus(),
  hardtanh: new nn.Hardtanh(),
  relu6: new nn.ReLU6(),
};

for (const [name, layer] of Object.entries(layers)) {
  layer.to(torch.float64);
  x.grad = null;
  const y = layer.forward(x);
  y.sum().backward();
  console.log(`${name.padEnd(10)} y  = ${y.detach().toString()}`);
  console.log(`${"".padEnd(10)} dy = ${x.grad!.toString()}`);
}

const z = torch.tensor([[1.0, 2.0, 3.0]]);
console.log("softmax", new nn.Softmax(1).forward(z).toString());
console.log("softmin", new nn.Softmin(1).forward(z).toString());
console.log("log_softmax", new nn.LogSoftmax(1).forward(z).toString());
console.log("step", torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([1.0])).toString());

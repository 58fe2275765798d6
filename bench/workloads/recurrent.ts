// Recurrent workloads (issue 14): a 2-layer LSTM training step with gradient clipping, and a
// 2-layer GRU forward, both on [seq 32, batch 32, input 64] with hidden size 128.
import * as torch from "kindling";
import { nn, optim } from "kindling";
import type { Step } from "../harness.js";
import { RECURRENT } from "../spec.js";

export function prepareLstmStep(): Step {
  const { input, hidden, seq, batch, layers, classes } = RECURRENT;
  torch.manualSeed(0);
  const x = torch.randn(seq, batch, input);
  const labels = torch.randint(0, classes, [batch]);
  const lstm = new nn.LSTM(input, hidden, { numLayers: layers });
  const head = new nn.Linear(hidden, classes);
  const params = [...lstm.parameters(), ...head.parameters()];
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(params, { lr: 0.01 });
  return () => {
    optimizer.zeroGrad();
    const [out] = lstm.forward(x);
    const loss = criterion.forward(head.forward(out.select(0, -1)), labels);
    loss.backward();
    nn.utils.clipGradNorm_(params, 1.0);
    optimizer.step();
    return loss;
  };
}

export function prepareGruForward(): Step {
  const { input, hidden, seq, batch, layers } = RECURRENT;
  torch.manualSeed(0);
  const x = torch.randn(seq, batch, input);
  const gru = new nn.GRU(input, hidden, { numLayers: layers });
  return () => torch.noGrad(() => gru.forward(x));
}

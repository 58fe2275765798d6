// Finite-difference gradient checks (float64) of the recurrent modules and cells with respect
// to the input, the initial states and a weight, padded and packed.
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import { nn } from "../../../src/index.js";
import { gradcheck } from "../../helpers/gradcheck.js";

const f64 = { dtype: torch.float64, requiresGrad: true };

/** Puts w in the module's place for `name` (a plain tensor, so the gradient flows to w). */
function withWeight(m: nn.Module, name: string, w: torch.Tensor): void {
  (m as unknown as Record<string, torch.Tensor>)[name] = w;
}

test("LSTM (2 layers, bidirectional, projections) gradcheck on input, h0, c0 and weights", () => {
  torch.manualSeed(0);
  const m = new nn.LSTM(2, 3, { numLayers: 2, bidirectional: true, projSize: 2 }).double();
  const x = torch.randn([3, 2, 2], f64);
  const h0 = torch.randn([4, 2, 2], f64);
  const c0 = torch.randn([4, 2, 3], f64);
  const whh = m.weight_hh_l0_reverse.detach().clone().requiresGrad_();
  const whr = m.weight_hr_l1.detach().clone().requiresGrad_();
  gradcheck(
    (xi, h, c, w1, w2) => {
      withWeight(m, "weight_hh_l0_reverse", w1);
      withWeight(m, "weight_hr_l1", w2);
      const [out, [hN, cN]] = m.forward(xi, [h, c]);
      return [out, hN, cN];
    },
    [x, h0, c0, whh, whr],
    { name: "lstm" },
  );
});

test("GRU (batchFirst, bidirectional) gradcheck on input, h0 and a bias", () => {
  torch.manualSeed(1);
  const m = new nn.GRU(2, 3, { batchFirst: true, bidirectional: true }).double();
  const b = m.bias_hh_l0.detach().clone().requiresGrad_();
  gradcheck(
    (xi, h, bi) => {
      withWeight(m, "bias_hh_l0", bi);
      const [out, hN] = m.forward(xi, h);
      return [out, hN];
    },
    [torch.randn([2, 3, 2], f64), torch.randn([2, 2, 3], f64), b],
    { name: "gru" },
  );
});

test("RNN relu and tanh gradcheck", () => {
  torch.manualSeed(2);
  for (const nonlinearity of ["tanh", "relu"] as const) {
    const m = new nn.RNN(2, 3, { numLayers: 2, nonlinearity }).double();
    gradcheck((xi, h) => m.forward(xi, h), [torch.randn([3, 2, 2], f64), torch.randn([2, 2, 3], f64)], { name: `rnn ${nonlinearity}` });
  }
});

test("packed LSTM and GRU gradcheck (unsorted lengths, initial states)", () => {
  torch.manualSeed(3);
  const lstm = new nn.LSTM(2, 3, { bidirectional: true }).double();
  gradcheck(
    (xi, h, c) => {
      const packed = nn.utils.rnn.packPaddedSequence(xi, [2, 4, 1], { enforceSorted: false });
      const [out, [hN, cN]] = lstm.forward(packed, [h, c]);
      return [nn.utils.rnn.padPackedSequence(out)[0], hN, cN];
    },
    [torch.randn([4, 3, 2], f64), torch.randn([2, 3, 3], f64), torch.randn([2, 3, 3], f64)],
    { name: "packed lstm" },
  );
  const gru = new nn.GRU(2, 3, { numLayers: 2 }).double();
  gradcheck(
    (xi, h) => {
      const [out, hN] = gru.forward(nn.utils.rnn.packPaddedSequence(xi, [3, 3, 1]), h);
      return [out.data, hN];
    },
    [torch.randn([3, 3, 2], f64), torch.randn([2, 3, 3], f64)],
    { name: "packed gru" },
  );
});

test("cells gradcheck", () => {
  torch.manualSeed(4);
  const lstm = new nn.LSTMCell(2, 3).double();
  gradcheck((xi, h, c) => lstm.forward(xi, [h, c]), [torch.randn([2, 2], f64), torch.randn([2, 3], f64), torch.randn([2, 3], f64)], { name: "lstm cell" });
  const gru = new nn.GRUCell(2, 3).double();
  gradcheck((xi, h) => gru.forward(xi, h), [torch.randn([2, 2], f64), torch.randn([2, 3], f64)], { name: "gru cell" });
  const rnn = new nn.RNNCell(2, 3, { nonlinearity: "relu" }).double();
  gradcheck((xi, h) => rnn.forward(xi, h), [torch.randn([2], f64), torch.randn([3], f64)], { name: "rnn cell unbatched" });
});

// The TypeScript CPU backend: runs everywhere (Node, browsers, workers).
import type { Backend } from "../backend.js";
import { attention, attentionBackward } from "./attention.js";
import { assign, copy } from "./copy.js";
import { binary, unary } from "./elementwise.js";
import { addMulInPlace } from "./fma.js";
import { col2im, im2col } from "./im2col.js";
import { gather, indexAdd, indexSelect, scatter } from "./indexing.js";
import { matmul } from "./matmul.js";
import { maxPool2d } from "./pooling.js";
import { fusedGruCell, fusedGruCellBackward, fusedLstmCell, fusedLstmCellBackward } from "./recurrent.js";
import { reduce } from "./reduce.js";

export const cpuBackend: Backend = {
  name: "cpu (TypeScript)",
  unary,
  binary,
  assign,
  copy,
  reduce,
  matmul,
  gather,
  scatter,
  indexSelect,
  indexAdd,
  addMulInPlace,
  fusedLstmCell,
  fusedLstmCellBackward,
  fusedGruCell,
  fusedGruCellBackward,
  im2col,
  col2im,
  maxPool2d,
  attention,
  attentionBackward,
};

// Loads TF.js (the cpu and wasm backends) offline: the wasm backend's .wasm binaries come
// from its npm package in node_modules, never from a CDN.
import { createRequire } from "node:module";
import { dirname } from "node:path";
// The umbrella package: tfjs-core with its gradients registered and the cpu backend (tfjs-core's
// own Node build ships no gradients, so it cannot train).
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths, version_wasm } from "@tensorflow/tfjs-backend-wasm";

export type TfBackend = "cpu" | "wasm";

export async function useBackend(name: TfBackend): Promise<Record<string, unknown>> {
  if (name === "wasm") {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    setWasmPaths(`${dir}/`);
  }
  // TF.js prints an advert for tfjs-node on first use of the cpu backend; keep stdout for results.
  const log = console.log;
  console.log = () => {};
  try {
    if (!(await tf.setBackend(name))) throw new Error(`TF.js backend '${name}' failed to initialise`);
    await tf.ready();
  } finally {
    console.log = log;
  }
  const info: Record<string, unknown> = { backend: tf.getBackend(), tfjsCore: tf.version_core };
  if (name === "wasm") {
    info.tfjsWasm = version_wasm;
    info.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    info.multithread = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  }
  return info;
}

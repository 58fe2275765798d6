// Registers the backends this platform can run. The TypeScript CPU backend always works; where
// the native addon loads (Node, built at install, KINDLING_NO_NATIVE unset) it serves the large
// CPU problems and hands everything else to the TypeScript backend.
import { registerBackend } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";
import { loadNative } from "./native/addon.js";
import { createNativeBackend } from "./native/backend.js";

const nativeKernels = loadNative();
registerBackend("cpu", nativeKernels ? createNativeBackend(nativeKernels, cpuBackend) : cpuBackend);

export { availableDevices, type Backend, backendFor, registerBackend } from "./backend.js";

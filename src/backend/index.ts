// Registers the backends this platform can run. The TypeScript CPU backend always works.
import { registerBackend } from "./backend.js";
import { cpuBackend } from "./cpu/index.js";

registerBackend("cpu", cpuBackend);

export { availableDevices, backendFor, registerBackend, type Backend } from "./backend.js";

// Which devices exist. CPU always; CUDA never in JavaScript; an accelerator backend (WebGPU)
// registers itself with src/backend when it can start.
import { availableDevices } from "../backend/backend.js";

export function checkDevice(device: string): string {
  // The CPU backend is always registered; tensor() and the factories pass "cpu" on every call.
  if (device === "cpu") return device;
  const type = String(device).split(":")[0];
  if (!availableDevices().includes(type)) {
    const hint = type === "cuda" ? " (torch.cuda.isAvailable() is false: kindling runs no CUDA kernels in JavaScript)" : "";
    throw new Error(
      `device '${device}' is not available${hint}; available devices: ${availableDevices().map((d) => `'${d}'`).join(", ")}`,
    );
  }
  return device === "cpu:0" ? "cpu" : device;
}

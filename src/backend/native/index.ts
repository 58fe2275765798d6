// torch.backends.native: which kernels run, and the addon's settings. Without the addon (a
// browser, no compiler at install time, KINDLING_NO_NATIVE=1) the TypeScript kernels run on the
// calling thread: isAvailable() is false, isa() null and numThreads() 1.
import { type Isa, loadNative } from "./addon.js";

export { type Isa, isAvailable, loadNative, type NativeKernels, nativeLoadError } from "./addon.js";
export { type AddMulKernel, createNativeBackend, type MatmulBiasKernel, nativeThresholds, type SoftmaxKernel } from "./backend.js";

export const native = {
  /** Whether the native kernels serve CPU tensors in this process. */
  isAvailable(): boolean {
    return loadNative() !== null;
  },
  /** The instruction set the native kernels use ("avx512", "avx2", "generic"), or null without them. */
  isa(): Isa | null {
    return loadNative()?.isa() ?? null;
  },
  /** Threads the native kernels use for large problems (1 without them: TypeScript runs on the calling thread). */
  numThreads(): number {
    return loadNative()?.numThreads() ?? 1;
  },
  /** Sets the native kernels' thread count (1 .. 1024); results do not depend on it. Without them it has no effect. */
  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
    loadNative()?.setNumThreads(n);
  },
};

/** torch.backends: the kernel implementations kindling can run. */
export const backends = { native };

// Fresh typed arrays for tensor data: zeroed (allocArray), or left as they come for a kernel that
// writes every element (allocUninit).
//
// V8 keeps a typed array of up to 64 bytes inside the JavaScript heap (a few tens of ns), but
// gives a larger one its own ArrayBuffer outside it: a calloc, plus the bookkeeping that lets the
// garbage collector free it, 200-700 ns each. A training step on small batches (the XOR MLP:
// batch 64, arrays of 256-512 bytes) makes about a dozen of them, which was a fifth of its time.
// So arrays of 65 bytes to 1 KB are handed out as views into shared 8 KB ArrayBuffers ("slabs"),
// one calloc per slab; smaller and larger arrays are allocated as before, except that results the
// native addon writes and torch.tensor's short lists come from slabs even when smaller
// (allocOffHeap says why).
//
// The price, and why the bounds are where they are:
// - A view keeps its whole slab alive. A tensor that outlives the temporaries it was allocated
//   beside pins 8 KB however small it is: about 114 times its own size for an array just over the
//   64-byte in-heap limit (1024 times for an 8-byte array from allocOffHeap), 8 times for a 1 KB
//   array. Keeping many small tensors from a training loop costs that much more memory;
//   temporaries cost nothing more.
// - `t.storage.data` (and `t.values()`) may therefore be a view with a byteOffset into a larger
//   buffer. Code that reaches for `.buffer` must use byteOffset/byteLength with it (as io's
//   rawTensorBytes and the native addon, which reads typed arrays through N-API, do), and
//   transferring or structured-cloning `data.buffer` would move or copy the whole slab.
import type { DType, TypedArray } from "./dtype.js";

/** From this many bytes, `allocUninit` skips zeroing (below it, zeroing costs less than the call). */
const UNINIT_MIN_BYTES = 4096;

/** Node's `Buffer.allocUnsafeSlow`: its own ArrayBuffer, not zeroed. Absent in browsers. */
const allocUnsafeSlow: ((bytes: number) => Uint8Array) | undefined = (
  globalThis as { Buffer?: { allocUnsafeSlow?: (bytes: number) => Uint8Array } }
).Buffer?.allocUnsafeSlow;

/** Arrays at or below this many bytes already live in V8's heap, where allocating them is cheap. */
const IN_HEAP_MAX_BYTES = 64;
/** Arrays above this many bytes get their own buffer: their data outweighs the allocation. */
const SLAB_MAX_BYTES = 1024;
const SLAB_BYTES = 8192;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A zeroed array of n elements of dtype's storage type, for a tensor's data. */
export function allocArray(dtype: DType, n: number): TypedArray {
  const bytes = n * dtype.itemsize;
  if (bytes <= IN_HEAP_MAX_BYTES) return fresh(dtype.ArrayType, n);
  if (bytes > SLAB_MAX_BYTES) return large(() => fresh(dtype.ArrayType, n), bytes);
  return fromSlab(dtype, n, bytes);
}

/**
 * An array whose memory is outside V8's heap, for a caller that writes every element: a zeroed
 * slab view even at 64 bytes or less, and above that allocUninit's array. For a result the
 * native addon writes: the addon reads an array's address through N-API, and for an
 * array kept inside the heap V8 first moves its contents out to a buffer of its own (~250 ns, so
 * a 2x2 weight gradient cost a product of 128 multiply-adds three times its arithmetic). And for
 * torch.tensor of a short list, which a dataset's getItem calls thousands of times an epoch: a
 * view is 98 bytes of V8's heap against 212 for an in-heap Float32Array(2), so the young
 * generation fills and is collected less often (the perceptron program: ~8% less time).
 */
export function allocOffHeap(dtype: DType, n: number): TypedArray {
  const bytes = n * dtype.itemsize;
  if (bytes === 0 || bytes > IN_HEAP_MAX_BYTES) return allocUninit(dtype, n);
  return fromSlab(dtype, n, bytes);
}

function fromSlab(dtype: DType, n: number, bytes: number): TypedArray {
  // Offsets stay multiples of 8, which every element type's alignment divides.
  const taken = (bytes + 7) & ~7;
  if (used + taken > SLAB_BYTES) {
    // A fresh ArrayBuffer is zeroed, and no slab space is ever handed out twice, so every view
    // starts as zeros, as `new ArrayType(n)` does.
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const out = view(dtype.ArrayType, slab, used, n);
  used += taken;
  return out;
}

/**
 * An array of n elements of dtype's storage type whose contents are unspecified, for a kernel that
 * writes every element (elementwise results, matrix products, copies).
 *
 * Zeroing is most of the cost of a large fresh array: `new Float32Array(2 ** 20)` callocs and
 * clears 4 MB, about twice what a 1M-element add then costs, and the clearing evicts the inputs
 * from the cache. PyTorch's allocator hands out uninitialised memory (`torch.empty`); under Node,
 * `Buffer.allocUnsafeSlow` does the same through V8's own allocator, so the garbage collector
 * counts and frees the memory exactly as for `new Float32Array`. Elsewhere (the browser) and for
 * small arrays this is `allocArray`.
 */
export function allocUninit(dtype: DType, n: number): TypedArray {
  const bytes = n * dtype.itemsize;
  if (bytes < UNINIT_MIN_BYTES || allocUnsafeSlow === undefined) return allocArray(dtype, n);
  return large(() => view(dtype.ArrayType, allocUnsafeSlow(bytes).buffer as ArrayBuffer, 0, n), bytes);
}

/** A large allocation; one the engine refuses is PyTorch's allocator error, with the byte count. */
function large(alloc: () => TypedArray, bytes: number): TypedArray {
  try {
    return alloc();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new RangeError(`DefaultCPUAllocator: can't allocate memory: you tried to allocate ${bytes} bytes. (${e.message})`);
  }
}

// One `new` per array type: a single `new ArrayType(...)` that sees every type is megamorphic,
// and V8 then constructs through its generic path, several times slower.
function fresh(Type: DType["ArrayType"], n: number): TypedArray {
  if (Type === Float32Array) return new Float32Array(n);
  if (Type === Float64Array) return new Float64Array(n);
  if (Type === Uint8Array) return new Uint8Array(n);
  return new Type(n);
}
function view(Type: DType["ArrayType"], buffer: ArrayBuffer, byteOffset: number, n: number): TypedArray {
  if (Type === Float32Array) return new Float32Array(buffer, byteOffset, n);
  if (Type === Float64Array) return new Float64Array(buffer, byteOffset, n);
  if (Type === Uint8Array) return new Uint8Array(buffer, byteOffset, n);
  return new Type(buffer, byteOffset, n);
}

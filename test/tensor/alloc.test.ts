import assert from "node:assert/strict";
import { test } from "node:test";
import { allocArray, allocOffHeap } from "../../src/tensor/alloc.js";
import * as torch from "../../src/index.js";
import { bool, float32, float64, int32, int64, uint8 } from "../../src/tensor/dtype.js";

test("allocArray gives zeroed arrays of the dtype's storage type and length", () => {
  const cases = [
    [float32, Float32Array],
    [float64, Float64Array],
    [int32, Int32Array],
    [int64, Float64Array],
    [uint8, Uint8Array],
    [bool, Uint8Array],
  ] as const;
  for (const [dtype, Type] of cases) {
    for (const n of [0, 1, 16, 17, 63, 64, 65, 100, 128, 129, 256, 257, 1000, 5000]) {
      const a = allocArray(dtype, n);
      assert.ok(a instanceof Type, `${dtype} ${n}`);
      assert.equal(a.length, n);
      assert.ok(a.every((v) => v === 0), `${dtype} ${n} zeroed`);
      a.fill(7); // a later array must still start at zero
    }
  }
});

test("arrays of 65 bytes to 1 KB share buffers without overlapping; smaller and larger own theirs", () => {
  const small = allocArray(float32, 16); // 64 bytes: V8 keeps it in its heap
  const large = allocArray(float32, 257); // over 1 KB
  assert.equal(small.byteOffset, 0);
  assert.equal(small.buffer.byteLength, 64);
  assert.equal(large.byteOffset, 0);
  assert.equal(large.buffer.byteLength, 257 * 4);
  const arrays = [allocArray(float32, 17), allocArray(float64, 9), allocArray(uint8, 65), allocArray(float64, 100), allocArray(int32, 256)];
  for (const a of arrays) {
    assert.ok(a.byteLength > 64 && a.byteLength <= 1024);
    assert.equal(a.byteOffset % 8, 0, "aligned for every element type");
    a.fill(1);
  }
  // Writing one never shows in another.
  for (const a of arrays) assert.ok(a.every((v) => v === 1));
  const byBuffer = new Map<ArrayBufferLike, Array<[number, number]>>();
  for (const a of arrays) {
    const spans = byBuffer.get(a.buffer) ?? [];
    for (const [s, e] of spans) assert.ok(a.byteOffset >= e || a.byteOffset + a.byteLength <= s, "no overlap");
    spans.push([a.byteOffset, a.byteOffset + a.byteLength]);
    byBuffer.set(a.buffer, spans);
  }
  assert.ok(byBuffer.size < arrays.length, "some share a buffer");
});

test("allocOffHeap puts even arrays of 64 bytes or less in a shared buffer, zeroed and apart", () => {
  const tiny = [allocOffHeap(float32, 1), allocOffHeap(float32, 4), allocOffHeap(float64, 8), allocOffHeap(float32, 16)];
  for (const a of tiny) {
    assert.ok(a instanceof (a.BYTES_PER_ELEMENT === 8 ? Float64Array : Float32Array));
    assert.ok(a.every((v) => v === 0), "zeroed");
    // A slab view: not the in-heap array V8 would have to move out for the addon.
    assert.ok(a.buffer.byteLength > a.byteLength, "a view of a larger buffer");
    assert.equal(a.byteOffset % 8, 0);
    a.fill(3);
  }
  for (const a of tiny) assert.ok(a.every((v) => v === 3), "writing one never shows in another");
  // Empty and larger requests are ordinary allocations.
  assert.equal(allocOffHeap(float32, 0).length, 0);
  const big = allocOffHeap(float32, 2000);
  assert.equal(big.length, 2000);
  assert.equal(big.byteOffset, 0);
});

test("torch.tensor of a short list takes slab memory: values kept, storage apart from every other tensor's", () => {
  const made = Array.from({ length: 3000 }, (_, i) => torch.tensor([i, -i], { dtype: i % 2 ? torch.float32 : torch.float64 }));
  for (const [i, t] of made.entries()) assert.deepEqual(t.tolist(), [i, -i]);
  const d = made[0].storage.data;
  assert.ok(d.buffer.byteLength > d.byteLength, "a view into a shared buffer");
  made[1].fill_(9);
  for (const [i, t] of made.entries()) assert.deepEqual(t.tolist(), i === 1 ? [9, 9] : [i, -i], `tensor ${i}`);
});

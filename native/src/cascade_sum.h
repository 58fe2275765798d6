// PyTorch-ordered float sums (cascade_sum.cc).
#pragma once
#include <node_api.h>

#include <cstdint>

napi_value CascadeSumNapi(napi_env env, napi_callback_info info);

namespace kn {
// One 2-D block of a laid-out sum (cascadeSum's loop body): n0 x n1 elements of x, strides in
// elements, an output stride of 0 marking a reduced dim; adds the block's sums into out (zeroed
// by the caller), in PyTorch's order. Unchecked: the caller has checked that every element read
// and written lies in its array.
template <class T>
void cascade_sum_block(const T* x, T* out, int64_t in0, int64_t in1, int64_t o0, int64_t o1, int64_t n0, int64_t n1);
}  // namespace kn

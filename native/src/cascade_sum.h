// PyTorch-ordered float sums (cascade_sum.cc).
#pragma once
#include <node_api.h>

#include <cstdint>
#include <vector>

napi_value CascadeSumNapi(napi_env env, napi_callback_info info);

namespace kn {
// Adds the sums of x into the zeroed out in PyTorch's order, for a layout as cascadeSum takes it
// (shape and strides in elements, fastest dim first; an output stride of 0 marks a reduced dim).
// Unchecked: the caller has checked that every element read and written lies in its array.
template <class T>
void cascade_sum(const T* x, T* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& is,
                 const std::vector<int64_t>& os);
}  // namespace kn

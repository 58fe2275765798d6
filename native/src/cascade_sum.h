// PyTorch-ordered float sums (cascade_sum.cc).
#pragma once
#include <node_api.h>

napi_value CascadeSumNapi(napi_env env, napi_callback_info info);

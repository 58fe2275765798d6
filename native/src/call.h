// Argument reading shared by the kernels' N-API functions (recurrent.cc, attention.cc, pooling.cc,
// batchnorm.cc): a call's float arrays must all be of one element type and long enough for the
// offset and span given, sizes are non-negative integers; a violation throws a TypeError or
// RangeError naming the argument before any kernel runs. addon.cc reads its own arguments but
// throws Fail and runs its functions through guarded, as these do.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>

namespace kn_call {

struct Fail {
  bool range;
  std::string message;
};

struct Arr {
  napi_typedarray_type type = napi_float64_array;
  void* data = nullptr;
  size_t length = 0;
  bool present = false;
};

class Call {
 public:
  Call(napi_env env, napi_callback_info info, const char* fn, size_t expected) : env_(env), fn_(fn) {
    argc_ = kMax;
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
    if (argc_ < expected) throw Fail{false, std::string(fn) + ": expected " + std::to_string(expected) + " arguments"};
  }
  int64_t size(size_t i, const char* name) {
    double v;
    if (napi_get_value_double(env_, argv_[i], &v) != napi_ok || !(v >= 0 && v <= 9007199254740991.0 && v == static_cast<double>(static_cast<int64_t>(v))))
      fail(true, name, "must be a non-negative integer");
    return static_cast<int64_t>(v);
  }
  double number(size_t i, const char* name) {
    double v;
    if (napi_get_value_double(env_, argv_[i], &v) != napi_ok) fail(false, name, "must be a number");
    return v;
  }
  bool boolean(size_t i, const char* name) {
    bool v;
    if (napi_get_value_bool(env_, argv_[i], &v) != napi_ok) fail(false, name, "must be a boolean");
    return v;
  }
  // A float array of the call's element type holding n elements from offset; null allowed when optional.
  Arr array(size_t i, const char* name, int64_t offset, int64_t n, bool optional = false) {
    Arr a;
    // napi_get_typedarray_info refuses anything but a typed array, so it is the type test too
    // (one N-API call per array instead of three: small calls are most of their time).
    if (napi_get_typedarray_info(env_, argv_[i], &a.type, &a.length, &a.data, nullptr, nullptr) != napi_ok) {
      if (optional && absent(i)) return a;
      fail(false, name, "must be a Float32Array or Float64Array");
    }
    if (a.type != napi_float32_array && a.type != napi_float64_array) fail(false, name, "must be a Float32Array or Float64Array");
    if (!have_type_) {
      type_ = a.type;
      have_type_ = true;
    } else if (a.type != type_) {
      fail(false, name, "must have the same element type as the first array");
    }
    if (static_cast<uint64_t>(offset) + static_cast<uint64_t>(n) > a.length) fail(true, name, "is too short for the offset and sizes given");
    a.present = true;
    return a;
  }
  // A Float64Array of n elements from offset, outside the call's element type: an int64
  // tensor's storage, or per-channel values kept in doubles. Null allowed when optional.
  Arr float64s(size_t i, const char* name, int64_t offset, int64_t n, bool optional = false) {
    Arr a;
    if (napi_get_typedarray_info(env_, argv_[i], &a.type, &a.length, &a.data, nullptr, nullptr) != napi_ok) {
      if (optional && absent(i)) return a;
      fail(false, name, "must be a Float64Array");
    }
    if (a.type != napi_float64_array) fail(false, name, "must be a Float64Array");
    if (static_cast<uint64_t>(offset) + static_cast<uint64_t>(n) > a.length) fail(true, name, "is too short for the offset and sizes given");
    a.present = true;
    return a;
  }
  Arr int64s(size_t i, const char* name, int64_t offset, int64_t n, bool optional = false) { return float64s(i, name, offset, n, optional); }
  // The elements a strided block reaches from its first: 1 + the sum of (extent - 1) * stride, 0
  // when an extent is 0. Computed without overflow and refused past 2^53 (no array holds more),
  // so a length built from sizes and strides can be checked against an array's.
  int64_t span(const char* name, std::initializer_list<int64_t> extents, std::initializer_list<int64_t> strides) {
    unsigned __int128 s = 1;
    const int64_t* stride = strides.begin();
    for (int64_t e : extents) {
      if (e == 0) return 0;
      s += static_cast<unsigned __int128>(e - 1) * static_cast<unsigned __int128>(*stride++);
      if (s > kMaxElements) fail(true, name, "is too large for its sizes and strides");
    }
    return static_cast<int64_t>(s);
  }
  // The product of the extents (a contiguous block's elements), refused past 2^53 as span is.
  int64_t elements(const char* name, std::initializer_list<int64_t> extents) {
    unsigned __int128 p = 1;
    for (int64_t e : extents) {
      if (e == 0) return 0;
      p *= static_cast<unsigned __int128>(e);
      if (p > kMaxElements) fail(true, name, "is too large for its sizes");
    }
    return static_cast<int64_t>(p);
  }
  bool single() const { return type_ == napi_float32_array; }
  // Whether argument i is null or undefined (an optional array left out).
  bool absent(size_t i) const {
    napi_valuetype t;
    return napi_typeof(env_, argv_[i], &t) == napi_ok && (t == napi_null || t == napi_undefined);
  }
  [[noreturn]] void fail(bool range, const char* name, const char* what) { throw Fail{range, std::string(fn_) + ": " + name + " " + what}; }

 private:
  static constexpr size_t kMax = 32;
  static constexpr unsigned __int128 kMaxElements = static_cast<unsigned __int128>(1) << 53;
  napi_env env_;
  const char* fn_;
  size_t argc_;
  napi_value argv_[kMax];
  napi_typedarray_type type_ = napi_float64_array;
  bool have_type_ = false;
};

// Whether the byte ranges [p1, p1 + bytes1) and [p2, p2 + bytes2) share memory; an empty range
// shares none. The overlap test of every function that refuses an output over an input.
inline bool ranges_overlap(const void* p1, uint64_t bytes1, const void* p2, uint64_t bytes2) {
  if (bytes1 == 0 || bytes2 == 0) return false;
  const char* b1 = static_cast<const char*>(p1);
  const char* b2 = static_cast<const char*>(p2);
  return b1 < b2 + bytes2 && b2 < b1 + bytes1;
}

template <class T>
T* ptr(const Arr& a, int64_t offset) {
  return a.present ? static_cast<T*>(a.data) + offset : nullptr;
}

// Runs body, turning a Fail into the TypeError or RangeError it names; returns what body returns
// (nullptr, JavaScript's undefined, for a body that returns nothing).
template <class F>
napi_value guarded(napi_env env, F body) {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      body();
      return nullptr;
    } else {
      return body();
    }
  } catch (const Fail& e) {
    if (e.range)
      napi_throw_range_error(env, nullptr, e.message.c_str());
    else
      napi_throw_type_error(env, nullptr, e.message.c_str());
    return nullptr;
  }
}

}  // namespace kn_call

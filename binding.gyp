{
  "targets": [
    {
      "target_name": "kindling_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/ops.cc",
        "native/src/im2col.cc",
        "native/src/cascade_sum.cc",
        "native/src/dispatch.cc",
        "native/src/thread_pool.cc",
        "native/src/recurrent.cc",
        "native/src/batchnorm.cc",
        "native/src/attention.cc",
        "native/src/pooling.cc",
        "native/src/peak.cc",
        "native/src/linear.cc",
        "native/src/isa_avx512.cc",
        "native/src/isa_avx2.cc",
        "native/src/isa_generic.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-math-errno", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off", "-fno-math-errno"]
      }
    }
  ]
}

{
  # Built by native/build.mjs (npm run build:native), which finds libtorch and passes its folders
  # in the environment: LIBTORCH_INCLUDE (one or more, separated by spaces), LIBTORCH_LIB, LIBTORCH_CXX11_ABI,
  # LIBTORCH_EXTRA_LIBS (the CUDA libraries, linked even though no symbol of theirs is used directly).
  # build.mjs checks that "sources" names every src/*.cc (a file left out would fail only at load).
  "targets": [
    {
      "target_name": "disentangle_torch",
      "sources": [
        "src/addon.cc",
        "src/storage.cc",
        "src/elementwise.cc",
        "src/reductions.cc",
        "src/layout.cc",
        "src/indexing.cc",
        "src/matmul.cc",
        "src/convolution.cc",
        "src/optimiser.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"process.env.LIBTORCH_INCLUDE || ''\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "_GLIBCXX_USE_CXX11_ABI=<!(node -p \"process.env.LIBTORCH_CXX11_ABI || '1'\")"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-frtti", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node -p \"process.env.LIBTORCH_LIB || ''\")",
        "-Wl,-rpath,<!(node -p \"process.env.LIBTORCH_LIB || ''\")",
        "-ltorch", "-ltorch_cpu", "-lc10",
        "<!@(node -p \"process.env.LIBTORCH_EXTRA_LIBS || ''\")"
      ]
    }
  ]
}

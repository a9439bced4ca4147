#!/bin/bash
# Builds the headless CLI against the LibTorch inside a PyTorch installation (a pip wheel), for
# CUDA training and latency profiles and NCCL data parallelism: Debian's LibTorch is CPU-only.
#
#   bash installer/build-with-pytorch.sh [BUILD_DIR] [extra CMake arguments...]
#
# Needs python3 with torch, CMake >= 3.22, a C++17 compiler and nlohmann_json (nlohmann-json3-dev);
# with a CUDA wheel also the CUDA toolkit (nvcc) that matches it. Optional, found when present:
# libsentencepiece-dev (automoe-tokenizer; without it prepare data on another machine), Qt 6 Test
# (the test suite), gloo's headers (libgloo-dev: Gloo data parallelism; the wheels ship c10d's
# Gloo header but not gloo's own, so without them only NCCL is available).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
if ! prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null); then
  echo "build-with-pytorch: '$py' cannot import torch; set PYTHON to the interpreter that has it" >&2
  exit 2
fi
"$py" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "GPU visible:", torch.cuda.is_available())'
build=${1:-build/pytorch}
[ $# -gt 0 ] && shift
args=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$prefix" -DAUTOMOE_BUILD_GUI=OFF)
command -v ninja > /dev/null && args+=(-G Ninja)
if ! pkg-config --exists sentencepiece 2> /dev/null; then
  echo "build-with-pytorch: no libsentencepiece-dev: building without automoe-tokenizer"
  args+=(-DAUTOMOE_BUILD_TOKENIZER=OFF)
fi
if ! ls /usr/lib/*/cmake/Qt6Test/Qt6TestConfig.cmake /usr/lib/cmake/Qt6Test/Qt6TestConfig.cmake > /dev/null 2>&1; then
  echo "build-with-pytorch: no Qt 6 Test: building without the test suite"
  args+=(-DAUTOMOE_BUILD_TESTS=OFF)
fi
if [ -d /usr/local/cuda/bin ]; then export PATH=/usr/local/cuda/bin:$PATH; fi
cmake -S . -B "$build" "${args[@]}" "$@"
cmake --build "$build" -j "$(nproc)"
echo "built: $build/app/automoe"

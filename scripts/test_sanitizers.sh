#!/usr/bin/env bash
# The torch-free tests (mt_text; mt_document; the HTTP service, its queue and request parsing)
# built with AddressSanitizer + UndefinedBehaviorSanitizer in a build folder of their own, and run.
# No torch target is built here, so it stays a few minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SANITIZE_BUILD:-build-sanitize}
JOBS=${JOBS:-$(nproc)}
FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$FLAGS" \
    -DSentencePiece_ROOT="$PWD/.deps/sentencepiece" >/dev/null
fi
# Every torch-free test executable the build defines.
TARGETS=()
for t in test_text test_document test_serve; do
  grep -q "add_executable($t " tests/CMakeLists.txt && TARGETS+=("$t")
done
echo "==> sanitizers: building ${TARGETS[*]} with $FLAGS" >&2
cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}"
export MT_SHARED_DATA=$PWD/../shared/data
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${TARGETS[@]}"; do
  echo "==> sanitizers: running $t" >&2
  "$BUILD/$t" --gtest_brief=1
done
echo "==> sanitizers: every test passed under ASan + UBSan" >&2

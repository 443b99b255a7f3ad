#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a built `build/mt`:
#   1. Debian packages (toolchain, libtorch, CLI11, spdlog, OpenMP OpenBLAS, protobuf, OpenCC, ...)
#   2. SentencePiece built from Debian's source against the system protobuf
#      (Debian's binary carries its own protobuf and crashes next to libtorch)
#   3. CMake configure + build.
# Idempotent: a second run skips what is done and only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEPS=$ROOT/.deps
JOBS=${JOBS:-$(nproc)}

step() { echo "==> setup: $*" >&2; CURRENT_STEP="$*"; }
trap 'echo "setup.sh: FAILED during step: ${CURRENT_STEP:-start}" >&2' ERR

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

PACKAGES=(build-essential cmake ninja-build pkg-config dpkg-dev
  libtorch-dev libgloo-dev libopenblas0-openmp libblas-dev
  libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev
  libprotobuf-dev protobuf-compiler libgtest-dev libopencc-dev libedit-dev gnuplot-nox time bc
  zlib1g-dev libicu-dev libgumbo-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libcpp-httplib-dev libgoogle-perftools-dev
  python3 python3-dev pybind11-dev python3-pytest  # the Python module (app/python) and its tests
  libgettextpo-dev gettext  # gettext catalogues (libgettextpo), msgfmt checks them in the tests
  libzip-dev libpugixml-dev  # Office, LibreOffice and EPUB packages
  ffmpeg  # ffprobe reads the translated subtitles in their test
  libreoffice-writer-nogui libreoffice-impress-nogui poppler-utils fonts-wqy-zenhei  # Office files opened again
  epubcheck default-jre-headless  # EPUBs checked
  chromium)  # chromium: the web page's test (tests/web/page_test.py)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Trap 3 of the environment notes: libopenblas-dev pulls the pthread OpenBLAS, which fights
# libtorch's OpenMP threads. Make sure the OpenMP build is the one libtorch gets.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu libopenblas.so.0-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-openmp | head -1 || true)
  if [ -n "$target" ]; then $SUDO update-alternatives --quiet --set "$alt" "$target"; fi
done

SPM_VERSION=0.1.97
SPM_PREFIX=$DEPS/sentencepiece
if [ ! -f "$SPM_PREFIX/lib/libsentencepiece.a" ]; then
  step "building SentencePiece $SPM_VERSION against the system protobuf"
  mkdir -p "$DEPS/src"
  if [ ! -d "$DEPS/src/sentencepiece-$SPM_VERSION" ]; then
    if ! ls "$DEPS/src"/sentencepiece_${SPM_VERSION}*.orig.tar.gz >/dev/null 2>&1; then
      if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
          | $SUDO tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
        $SUDO apt-get update -qq
      fi
      (cd "$DEPS/src" && apt-get source --download-only -qq "sentencepiece=$SPM_VERSION*" 2>/dev/null \
        || apt-get source --download-only -qq sentencepiece)
    fi
    tar -C "$DEPS/src" -xzf "$DEPS/src"/sentencepiece_${SPM_VERSION}*.orig.tar.gz
  fi
  cmake -S "$DEPS/src/sentencepiece-$SPM_VERSION" -B "$DEPS/spm-build" -G Ninja \
    -DSPM_USE_BUILTIN_PROTOBUF=OFF -DSPM_ENABLE_SHARED=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$SPM_PREFIX" >/dev/null
  cmake --build "$DEPS/spm-build" -j "$JOBS" --target sentencepiece-static sentencepiece_train-static
  mkdir -p "$SPM_PREFIX/lib" "$SPM_PREFIX/include"
  cp "$DEPS/spm-build/src/libsentencepiece.a" "$DEPS/spm-build/src/libsentencepiece_train.a" "$SPM_PREFIX/lib/"
  cp "$DEPS/src/sentencepiece-$SPM_VERSION/src/sentencepiece_processor.h" \
     "$DEPS/src/sentencepiece-$SPM_VERSION/src/sentencepiece_trainer.h" "$SPM_PREFIX/include/"
fi

step "building mt"
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSentencePiece_ROOT="$SPM_PREFIX"
fi
cmake --build build -j "$JOBS"
echo "==> setup: done: $ROOT/build/mt" >&2

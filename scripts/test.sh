#!/usr/bin/env bash
# The test command: set up and build (idempotent, see setup.sh), then run every test with ctest.
# Tests that need ../shared/data or a shipped model skip with a message when those are absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j "${CTEST_JOBS:-2}" --timeout 600
# The torch-free tests again under ASan + UBSan (their own build folder, no torch target).
bash scripts/test_sanitizers.sh

// OpenBLAS picks its kernels by CPU model when it loads. Debian 12's 0.3.21 does not know newer
// Intel models (Emerald Rapids, family 6 model 207) and falls back to its SSE3 "Prescott" kernels:
// fp32 matrix products then run 5x slower (38 against 208 GFLOP/s on two cores).
#pragma once

namespace mt::app {

// Where OpenBLAS chose a pre-AVX core on a CPU with AVX2 or AVX-512 and OPENBLAS_CORETYPE is unset,
// sets it to the kernels this CPU runs and restarts the executable with the same arguments (the
// choice is made once, at library load, before main). Otherwise returns without doing anything.
void restart_with_matching_blas_kernels(char** argv);

// The OPENBLAS_CORETYPE this process should have been started with, or nullptr when OpenBLAS
// already runs kernels that match the CPU (or the choice was the user's). For hosts that cannot
// restart, such as the Python module: they tell the user.
const char* matching_blas_core_if_fallback();

}  // namespace mt::app

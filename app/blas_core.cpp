#include "app/blas_core.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>

namespace mt::app {

namespace {

// OpenBLAS's x86 fallbacks without AVX: what it reports for a model it does not know.
bool is_fallback_core(const std::string& name) {
  static const std::set<std::string> fallbacks{"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom"};
  return fallbacks.count(name) > 0;
}

// Names OpenBLAS's OPENBLAS_CORETYPE accepts (0.3.21 has no entry for Cooperlake, whose fp32
// kernels are SkylakeX's).
const char* matching_core() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return "SKYLAKEX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "HASWELL";
#endif
  return nullptr;
}

}  // namespace

const char* matching_blas_core_if_fallback() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return nullptr;  // the user's (or our earlier) choice
  // Looked up, not linked: the BLAS behind libtorch may be another library.
  using CoreName = char* (*)();
  auto core_name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* core = matching_core();
  if (core_name == nullptr || core == nullptr || !is_fallback_core(core_name())) return nullptr;
  return core;
}

void restart_with_matching_blas_kernels(char** argv) {
  const char* core = matching_blas_core_if_fallback();
  if (core == nullptr) return;
  setenv("OPENBLAS_CORETYPE", core, /*overwrite=*/1);
  execv("/proc/self/exe", argv);  // returns only on failure: carry on with the slow kernels
}

}  // namespace mt::app

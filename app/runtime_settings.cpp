#include "app/runtime_settings.h"

#include <cstdlib>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace mt::app {

void apply_runtime_settings() {
  // oneDNN (bf16 and int8 kernels) caches a compiled kernel per matrix shape, up to 1024 of them;
  // batch shapes vary with every batch, so memory would grow with the input. A few suffice.
  setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16", /*overwrite=*/0);
#ifdef __GLIBC__
  // Every decoding step allocates and frees the same few megabytes (logits, caches): keep them in
  // the heap. By default glibc maps such blocks fresh, or trims them back, and each step then pays
  // for zeroed pages from the kernel (~10% of beam search). The translator trims after each batch.
  // glibc caps the threshold at 32 MB, which is why training's larger blocks need tcmalloc (see
  // CMakeLists.txt); linked with it, these two calls are no-ops.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

}  // namespace mt::app

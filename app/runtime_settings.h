// Process-wide settings the engine runs best with, applied once at start by the `mt` executable
// and by the Python module when it is imported.
#pragma once

namespace mt::app {

// oneDNN's kernel cache kept small, and glibc's heap kept from returning each decoding step's
// buffers to the kernel. Settings the user made in the environment stay.
void apply_runtime_settings();

}  // namespace mt::app

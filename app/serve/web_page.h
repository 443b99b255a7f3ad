// The web page served at `/`: app/serve/index.html, embedded in the binary when CMake configures.
#pragma once
#include <string_view>

namespace mt::serve {

std::string_view web_page();

}  // namespace mt::serve

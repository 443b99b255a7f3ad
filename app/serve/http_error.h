// An error answered to the client as {"error": message} with an HTTP status, as LibreTranslate does.
#pragma once
#include <stdexcept>
#include <string>

namespace mt::serve {

struct HttpError : std::runtime_error {
  HttpError(int status, const std::string& message, int retry_after_seconds = 0)
      : std::runtime_error(message), status(status), retry_after_seconds(retry_after_seconds) {}
  int status;
  int retry_after_seconds;  // > 0: sent as Retry-After (503)
};

}  // namespace mt::serve

#include <filesystem>

#include "app/command.h"
#include "model/package/model_package.h"

namespace mt::app {

std::string model_or_default(const std::string& option) {
  if (!option.empty()) return option;
  const std::string folder = default_model_folder();
  if (!std::filesystem::exists(folder))
    throw std::runtime_error("no model given and the default model '" + folder + "' is not there: pass -m MODEL");
  return folder;
}

}  // namespace mt::app

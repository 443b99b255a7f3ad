#include <iostream>

#include "app/command.h"

namespace mt::app {

Run add_translate_command(CLI::App& app) {
  app.add_subcommand("translate", "(not built yet)");
  return []() {
    std::cerr << "mt translate: not built yet\n";
    return 2;
  };
}

}  // namespace mt::app

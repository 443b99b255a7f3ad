#include <iostream>

#include "app/command.h"

namespace mt::app {

Run add_repl_command(CLI::App& app) {
  app.add_subcommand("repl", "(not built yet)");
  return []() {
    std::cerr << "mt repl: not built yet\n";
    return 2;
  };
}

}  // namespace mt::app

#include <iostream>

#include "app/command.h"

namespace mt::app {

Run add_eval_command(CLI::App& app) {
  app.add_subcommand("eval", "(not built yet)");
  return []() {
    std::cerr << "mt eval: not built yet\n";
    return 2;
  };
}

}  // namespace mt::app

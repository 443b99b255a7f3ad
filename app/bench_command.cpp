#include <iostream>

#include "app/command.h"

namespace mt::app {

Run add_bench_command(CLI::App& app) {
  app.add_subcommand("bench", "(not built yet)");
  return []() {
    std::cerr << "mt bench: not built yet\n";
    return 2;
  };
}

}  // namespace mt::app

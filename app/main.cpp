// mt: English <-> Chinese neural machine translation.
#include <ATen/Parallel.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <thread>

#include "app/blas_core.h"
#include "app/command.h"
#include "app/runtime_settings.h"

int main(int argc, char** argv) {
  mt::app::restart_with_matching_blas_kernels(argv);
  mt::app::apply_runtime_settings();
  CLI::App app{"mt: English <-> Chinese neural machine translation (Transformer + beam search)"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command: mt bench decode --threads 2
  app.set_version_flag("--version", std::string("mt ") + MT_VERSION);
  int threads = int(std::thread::hardware_concurrency());
  bool verbose = false, quiet = false;
  app.add_option("--threads", threads, "CPU threads for the network (default: every core)")->check(CLI::Range(1, 1024));
  app.add_flag("-v,--verbose", verbose, "Debug logging");
  app.add_flag("-q,--quiet", quiet, "Only warnings and errors");

  std::map<CLI::App*, mt::app::Run> commands;
  auto add = [&](mt::app::Run (*adder)(CLI::App&)) {
    const size_t before = app.get_subcommands({}).size();
    auto run = adder(app);
    commands[app.get_subcommands({})[before]] = std::move(run);
  };
  add(mt::app::add_translate_command);
  add(mt::app::add_repl_command);
  add(mt::app::add_train_command);
  add(mt::app::add_train_aligner_command);
  add(mt::app::add_export_command);
  add(mt::app::add_eval_command);
  add(mt::app::add_tokenizer_command);
  add(mt::app::add_bench_command);
  add(mt::app::add_serve_command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "mt: " << e.what() << " (see mt --help)\n";
    return 2;
  }
  // Logs go to stderr: stdout carries translations only.
  spdlog::set_default_logger(spdlog::stderr_color_mt("mt"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  spdlog::set_level(verbose ? spdlog::level::debug : quiet ? spdlog::level::warn : spdlog::level::info);
  // libtorch here starts on one thread whatever the machine has.
  at::set_num_threads(threads);

  for (auto& [sub, run] : commands) {
    if (!sub->parsed()) continue;
    try {
      return run();
    } catch (const mt::app::UsageError& e) {
      std::cerr << "mt " << sub->get_name() << ": " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      std::string message = e.what();
      std::cerr << "mt " << sub->get_name() << ": error: " << message.substr(0, message.find('\n')) << "\n";
      return 1;
    }
  }
  return 2;
}

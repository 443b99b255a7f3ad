// Each `mt` subcommand lives in its own file: it declares its options on a CLI11 subcommand and
// returns the function that runs it. Errors are thrown; only main() turns them into exit codes.
#pragma once
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace mt::app {

// Bad input from the user (exit code 2), as opposed to a failure while running (exit code 1).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Run = std::function<int()>;

Run add_translate_command(CLI::App& app);
Run add_repl_command(CLI::App& app);
Run add_train_command(CLI::App& app);
Run add_train_aligner_command(CLI::App& app);
Run add_export_command(CLI::App& app);
Run add_eval_command(CLI::App& app);
Run add_tokenizer_command(CLI::App& app);
Run add_bench_command(CLI::App& app);
Run add_serve_command(CLI::App& app);

// The model folder to use: the -m option if given, else the shipped default.
std::string model_or_default(const std::string& option);

}  // namespace mt::app

// mt repl [-m MODEL] [--to zh|en|auto] [--beam N] [--n-best N] [the decoding options of translate]
// Loads the model once, then translates line by line. On a terminal: line editing and history
// (libedit), a prompt, timings. Piped: exactly one output line per input line, nothing else on
// stdout, so it can be scripted.
#include <editline/readline.h>
#include <langinfo.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/command.h"
#include "app/input_file.h"
#include "app/translation_flags.h"
#include "model/package/model_package.h"
#include "model/translate/translator.h"
#include "tokenizer/normalizer.h"

namespace mt::app {

namespace {

constexpr int kMaxBeam = 64;

const char* kHelp =
    "Type a sentence to translate it (English -> Chinese, Chinese -> English). Commands:\n"
    "  :to zh|en|auto   target language (auto: guessed per line)\n"
    "  :beam N          beam size (1 = greedy)\n"
    "  :nbest N         print the N best translations as score<TAB>text\n"
    "  :time on|off     show how long each translation took\n"
    "  :glossary FILE   keep its source<TAB>target terms in every translation (:glossary off: none)\n"
    "  :help            this text\n"
    "  :quit, :q        leave (Ctrl-D too; Ctrl-C clears the line)\n";

struct Settings {
  std::string to = "auto";
  int beam = 4;
  int n_best = 1;
  bool time = false;
  std::shared_ptr<const Terminology> glossary;
  std::string glossary_path;  // where it was read from, for :help
};

const char* lang_name(Lang lang) { return lang == Lang::Zh ? "zh" : "en"; }

std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r\n") + 1 - begin);
}


// Parses "N" within [1, max]; nullopt otherwise (no exceptions for user typos).
std::optional<int> parse_count(const std::string& text, int max) {
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 1 || n > max) return std::nullopt;
  return int(n);
}

// Applies a ":command" line. Returns false to quit. Messages go to stderr: stdout carries
// translations only.
bool run_command(const std::string& line, Settings& s, bool interactive) {
  std::istringstream in(line.substr(1));
  std::string name, arg, extra;
  in >> name >> arg >> extra;
  auto say = [&](const std::string& message) {
    if (interactive) std::cerr << message << "\n";
  };
  auto complain = [](const std::string& message) { std::cerr << message << "\n"; };
  if (!extra.empty()) {
    complain(":" + name + " takes one value (:help lists the commands)");
  } else if (name == "q" || name == "quit") {
    return false;
  } else if (name == "help" || name == "h" || name == "?") {
    std::cerr << kHelp << "now: :to " << s.to << ", :beam " << s.beam << ", :nbest " << s.n_best << ", :time "
              << (s.time ? "on" : "off") << ", :glossary " << (s.glossary ? s.glossary_path : "off") << "\n";
  } else if (name == "to") {
    if (arg == "zh" || arg == "en" || arg == "auto") {
      s.to = arg;
      say("target: " + arg);
    } else {
      complain(":to takes zh, en or auto");
    }
  } else if (name == "beam") {
    if (auto n = parse_count(arg, kMaxBeam)) {
      s.beam = *n;
      say("beam: " + arg);
    } else {
      complain(":beam takes a number from 1 to " + std::to_string(kMaxBeam));
    }
  } else if (name == "nbest") {
    if (auto n = parse_count(arg, kMaxBeam)) {
      s.n_best = *n;
      say("n-best: " + arg + (s.n_best > s.beam ? " (searching with beam " + arg + ")" : ""));
    } else {
      complain(":nbest takes a number from 1 to " + std::to_string(kMaxBeam));
    }
  } else if (name == "glossary") {
    if (arg.empty()) {
      complain(":glossary takes a file of source<TAB>target lines, or off");
    } else if (arg == "off") {
      s.glossary.reset();
      say("glossary: off");
    } else {
      try {
        s.glossary = std::make_shared<const Terminology>(Terminology::load(arg));
        s.glossary_path = arg;
        say("glossary: " + std::to_string(s.glossary->size()) + " terms from " + arg);
      } catch (const std::exception& e) {
        complain(e.what());
      }
    }
  } else if (name == "time") {
    if (arg == "on" || arg == "off") {
      s.time = arg == "on";
      say("time: " + arg);
    } else {
      complain(":time takes on or off");
    }
  } else {
    complain("unknown command ':" + name + "' (:help lists the commands)");
  }
  return true;
}

// Translates one line and prints the answer (one line, or n-best lines) to stdout.
void answer(Translator& translator, const std::string& line, const Settings& s) {
  if (trim(line).empty()) {  // keeps input and output lines aligned
    std::cout << std::endl;
    return;
  }
  const std::optional<Lang> to = s.to == "auto" ? std::nullopt : std::optional<Lang>(s.to == "zh" ? Lang::Zh : Lang::En);
  translator.options().search.n_best = s.n_best;
  translator.options().search.beam = std::max(s.beam, s.n_best);  // the search finds at most beam hypotheses
  translator.options().glossary = s.glossary;

  const auto start = std::chrono::steady_clock::now();
  const Translation t = translator.translate({line}, to).front();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (s.n_best > 1 && !t.n_best.empty()) {
    for (const auto& [text, score] : t.n_best)
      std::cout << std::fixed << std::setprecision(4) << score << '\t' << one_line(text) << '\n';
  } else {
    std::cout << one_line(t.text) << '\n';
  }
  std::cout.flush();

  if (s.time) {
    const Lang target = to ? *to : auto_target(line);
    std::ostringstream note;
    note << "(" << lang_name(guess_language(line)) << "→" << lang_name(target) << ", " << std::fixed
         << std::setprecision(2) << seconds << " s)";
    const bool dim = isatty(2);  // grey on a terminal, plain text in a log
    std::cerr << (dim ? "\033[2m" : "") << note.str() << (dim ? "\033[0m" : "") << std::endl;
  }
}

// Set by Ctrl-C. At the prompt, libedit's own handler (rl_catch_signals) interrupts the terminal
// read, so readline() returns null and re-raises the signal to us: the flag tells that apart
// from Ctrl-D. Elsewhere (during a translation) Ctrl-C is only noted, and SA_RESTART keeps it
// from failing a write.
volatile std::sig_atomic_t interrupted = 0;
void on_sigint(int) { interrupted = 1; }

std::string history_file() {
  const char* home = std::getenv("HOME");
  return home && *home ? std::string(home) + "/.mt_history" : "";
}

void interactive_loop(Translator& translator, Settings& s) {
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  struct sigaction previous {};
  sigaction(SIGINT, &action, &previous);

  // libedit decodes keys with the C library's locale, which is "C" until set: Chinese input
  // needs a UTF-8 one, whatever the environment says.
  const char* locale = std::setlocale(LC_CTYPE, "");
  if (!locale || std::string(nl_langinfo(CODESET)) != "UTF-8") std::setlocale(LC_CTYPE, "C.UTF-8");

  // Both are read when libedit starts up, which using_history() triggers.
  rl_outstream = stderr;  // prompt and editing on stderr: stdout carries translations only
  rl_catch_signals = 1;
  const std::string history = history_file();
  using_history();
  stifle_history(1000);
  if (!history.empty()) read_history(history.c_str());  // best-effort: a missing file is fine

  std::string last;
  while (true) {
    interrupted = 0;  // a Ctrl-C during a translation is not one at the prompt
    char* raw = readline("mt> ");
    if (!raw) {
      std::cerr << "\n";
      if (interrupted) continue;  // Ctrl-C: drop the line, new prompt
      break;                      // Ctrl-D
    }
    const std::string line = repair_utf8(raw);
    std::free(raw);
    const std::string command = trim(line);
    if (!command.empty() && command != last) {
      last = command;
      add_history(command.c_str());
      if (!history.empty()) write_history(history.c_str());  // now, so a crash loses nothing
    }
    if (command.rfind(':', 0) == 0) {
      if (!run_command(command, s, true)) break;
      continue;
    }
    if (command.empty()) continue;  // nothing to translate: just a new prompt
    answer(translator, line, s);
  }
  sigaction(SIGINT, &previous, nullptr);
}

void piped_loop(Translator& translator, Settings& s) {
  std::string raw;
  while (std::getline(std::cin, raw)) {
    const std::string line = repair_utf8(raw);
    const std::string command = trim(line);
    if (command.rfind(':', 0) == 0) {
      if (!run_command(command, s, false)) break;
      continue;
    }
    answer(translator, line, s);
  }
}

}  // namespace

Run add_repl_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("repl", "Translate interactively, line by line (scriptable when piped)");
  struct Options {
    TranslationFlags flags;  // the same decoding options as `translate`
    int n_best = 1;
  };
  auto o = std::make_shared<Options>();
  o->flags.add_to(*cmd);
  cmd->add_option("--n-best", o->n_best, "Print the N best translations as score<TAB>text")->check(CLI::Range(1, kMaxBeam));

  return [o]() {
    ModelPackage package = o->flags.load();
    Translator translator(package.network, package.tokenizer, o->flags.translator_options());
    Settings s;
    s.to = o->flags.to;
    s.beam = int(o->flags.beam);
    s.n_best = o->n_best;
    s.glossary = translator.options().glossary;
    s.glossary_path = o->flags.glossary;
    const bool interactive = isatty(0);
    s.time = interactive;  // timings help at a prompt and are noise in a script
    if (interactive)
      std::cerr << "mt repl: model " << model_or_default(o->flags.model) << " (type :help for commands, Ctrl-D to quit)\n";
    if (interactive)
      interactive_loop(translator, s);
    else
      piped_loop(translator, s);
    return 0;
  };
}

}  // namespace mt::app

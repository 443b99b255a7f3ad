// The Python module `mt`: the translator kept in memory, as CTranslate2's Python API is used.
// Every call goes through the code `mt translate` runs (app/translation_flags, app/file_translation),
// with the CLI's own option definitions, so defaults, results and messages are the CLI's.
// The signatures and documentation a user reads are in mt.pyi beside this file.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "app/blas_core.h"
#include "app/command.h"
#include "app/file_translation.h"
#include "app/input_file.h"
#include "app/output_file.h"
#include "app/runtime_settings.h"
#include "app/translation_flags.h"
#include "model/metrics/bleu.h"
#include "model/metrics/chrf.h"
#include "model/translate/reverse_score.h"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace mt::python {

namespace {

[[noreturn]] void raise(PyObject* type, const std::string& message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

// A failure to read `path` as FileNotFoundError when the path is not there, ValueError otherwise,
// with the CLI's one-line message.
template <class F>
auto reading(const std::string& path, F&& read) {
  try {
    return read();
  } catch (const std::runtime_error& e) {
    raise(fs::exists(path) ? PyExc_ValueError : PyExc_FileNotFoundError, e.what());
  }
}

// A document its parser rejects (a corrupt archive, a broken timing) is a ValueError, with the
// parser's one-line message. Called without the GIL: the error is raised once it is held again.
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
template <class F>
auto parsing(F&& parse) {
  try {
    return parse();
  } catch (const std::runtime_error& e) {
    throw ParseError(e.what());
  }
}

bool is_package(doc::Format format) {
  return format == doc::Format::Docx || format == doc::Format::Pptx || format == doc::Format::Odt ||
         format == doc::Format::Odp || format == doc::Format::Epub;
}

std::string fspath(const py::handle& path) { return py::str(py::module_::import("os").attr("fspath")(path)); }

// A str (lone surrogates allowed) or bytes (any bytes), as valid UTF-8: what the CLI makes of a line.
std::string text_of(const py::handle& item, const std::string& what) {
  if (py::isinstance<py::bytes>(item)) return repair_utf8(item.cast<std::string>());
  if (!py::isinstance<py::str>(item))
    raise(PyExc_TypeError, what + " must be str or bytes, not " + std::string(py::str(item.get_type().attr("__name__"))));
  py::object utf8 = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(item.ptr(), "utf-8", "surrogatepass"));
  if (!utf8) throw py::error_already_set();
  return repair_utf8(utf8.cast<std::string>());
}

std::vector<std::string> texts_of(const py::handle& texts, const std::string& name) {
  if (py::isinstance<py::str>(texts) || py::isinstance<py::bytes>(texts))
    raise(PyExc_TypeError, name + " must be a list of strings, not a single string");
  if (!py::isinstance<py::iterable>(texts))
    raise(PyExc_TypeError, name + " must be a list of strings, not " + std::string(py::str(texts.get_type().attr("__name__"))));
  std::vector<std::string> out;
  for (const auto& item : texts) out.push_back(text_of(item, name + "[" + std::to_string(out.size()) + "]"));
  return out;
}

// The decoding options of `mt translate` (beam, lenpen, reverse_weight, ...) from keyword
// arguments, parsed by the CLI's own definitions: the same defaults, ranges and messages.
app::TranslationFlags decoding_flags(const std::string& method, const std::string& to, const py::kwargs& options) {
  app::TranslationFlags flags;
  CLI::App cli;
  flags.add_to(cli);
  std::vector<std::string> args{"--to", to};
  for (const auto& [key, value] : options) {
    const std::string name = py::str(key);
    std::string flag = "--" + name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    const CLI::Option* option = cli.get_option_no_throw(flag);
    // The model, device and compute type are the Translator's; a glossary has its own argument.
    if (option == nullptr || name == "model" || name == "device" || name == "compute_type" || name == "glossary")
      raise(PyExc_TypeError, method + "() got an unexpected keyword argument '" + name + "'");
    if (option->get_expected_min() == 0) {  // an on/off flag such as no_split
      if (!py::isinstance<py::bool_>(value)) raise(PyExc_TypeError, name + " must be True or False");
      if (value.cast<bool>()) args.push_back(flag);
    } else {
      args.push_back(flag);
      args.push_back(py::str(value));
    }
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    cli.parse(args);
  } catch (const CLI::ParseError& e) {
    raise(PyExc_ValueError, method + "(): " + e.what());
  }
  return flags;
}

// A glossary from a dict {source: target} or a path to a source<TAB>target file; None for none.
std::shared_ptr<const Terminology> glossary_of(const py::handle& glossary) {
  if (glossary.is_none()) return nullptr;
  if (py::isinstance<py::dict>(glossary)) {
    Terminology terms;
    for (const auto& [source, target] : glossary.cast<py::dict>()) {
      const std::string from = text_of(source, "a glossary term"), to = text_of(target, "a glossary term");
      try {
        terms.add(from, to, "glossary");
      } catch (const std::runtime_error& e) {
        raise(PyExc_ValueError, e.what());
      }
    }
    return std::make_shared<const Terminology>(std::move(terms));
  }
  const std::string path = fspath(glossary);
  return std::make_shared<const Terminology>(reading(path, [&] { return Terminology::load(path); }));
}

class PyTranslator {
 public:
  PyTranslator(const py::object& model, const std::string& device, const std::string& compute_type, int threads) {
    if (threads < 0) raise(PyExc_ValueError, "threads must be 0 (every core) or more");
    at::set_num_threads(threads > 0 ? threads : int(std::thread::hardware_concurrency()));
    app::TranslationFlags flags;
    flags.model = model.is_none() ? "" : fspath(model);
    flags.device = device;
    flags.compute_type = compute_type;
    const auto types = compute_type_names();
    if (std::find(types.begin(), types.end(), compute_type) == types.end())
      raise(PyExc_ValueError, "compute_type must be one of auto, float32, bfloat16, int8, not '" + compute_type + "'");
    folder_ = reading(default_model_folder(), [&] { return app::model_or_default(flags.model); });
    flags.model = folder_;
    package_ = std::make_unique<ModelPackage>(reading(folder_, [&] { return flags.load(); }));
    compute_type_ = compute_type_name(package_->network->compute_type());
  }

  py::object translate(const py::handle& texts, const std::string& to, int64_t n_best, const py::handle& glossary,
                       bool alignments, const py::kwargs& options) {
    if (n_best < 1 || n_best > 64) raise(PyExc_ValueError, "n_best must be between 1 and 64");
    if (alignments && n_best > 1) raise(PyExc_ValueError, "alignments come with one translation a text (n_best=1)");
    if (alignments && !package_->aligner) raise(PyExc_ValueError, "the model has no word aligner (aligner.bin, made by mt train-aligner)");
    const auto lines = texts_of(texts, "texts");
    auto [translator, target] = translator_for("translate", to, glossary, options, n_best);
    std::vector<Translation> results;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      results = translator->translate(lines, target);
    }
    py::list out;
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      if (alignments) {
        const std::string text = app::one_line(r.text);
        py::list links;
        for (const auto& l : package_->aligner->align(lines[i], text)) links.append(py::make_tuple(l.source, l.target));
        out.append(py::make_tuple(text, links));
        continue;
      }
      if (n_best == 1) {
        out.append(app::one_line(r.text));
        continue;
      }
      py::list hypotheses;
      for (const auto& [text, score] : r.n_best) hypotheses.append(py::make_tuple(app::one_line(text), score));
      out.append(hypotheses);
    }
    return out;
  }

  // Text formats take and give str; packages (docx, pptx, odt, odp, epub) take and give bytes.
  py::object translate_document(const py::handle& text, const std::string& format, const std::string& to,
                                bool overwrite, const py::handle& glossary, const py::kwargs& options) {
    const auto kind = doc::parse_format(format);
    if (!kind || *kind == doc::Format::Text)
      raise(PyExc_ValueError, "format must be one of markdown, html, srt, vtt, po, docx, pptx, odt, odp, epub, not '" +
                                  format + "'");
    const bool package = is_package(*kind);
    if (package && !py::isinstance<py::bytes>(text)) raise(PyExc_TypeError, "a " + format + " document is bytes");
    const std::string document = package ? text.cast<std::string>() : text_of(text, "text");
    auto [translator, target] = translator_for("translate_document", to, glossary, options);
    std::string translated;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      translated = parsing([&] { return app::translate_document(*kind, document, *translator, package_->aligner, target, overwrite); });
    }
    if (package) return py::bytes(translated);
    return py::str(translated);
  }

  py::dict translate_file(const py::handle& input, const py::handle& output, const py::object& format,
                          const std::string& to, bool overwrite, const py::handle& glossary, const py::kwargs& options) {
    const std::string in_path = fspath(input), out_path = fspath(output);
    doc::Format kind = doc::guess_format(in_path);
    if (!format.is_none()) {
      const auto parsed = doc::parse_format(py::str(format).cast<std::string>());
      if (!parsed) raise(PyExc_ValueError, "format must be one of text, markdown, html, srt, vtt, po");
      kind = *parsed;
    }
    auto [translator, target] = translator_for("translate_file", to, glossary, options);
    std::ifstream in(in_path, std::ios::binary);
    if (!in) raise(fs::exists(in_path) ? PyExc_PermissionError : PyExc_FileNotFoundError, "cannot read '" + in_path + "'");
    app::TranslationCounts counts;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      app::OutputFile file(out_path, /*remove_on_signal=*/false);
      if (kind == doc::Format::Text) {
        counts = app::translate_lines(in, file.stream(), *translator, target, 1, 2000, in_path);
      } else {
        const std::string document{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (in.bad()) throw std::runtime_error("error reading '" + in_path + "'");
        file.stream() << parsing([&] { return app::translate_document(kind, document, *translator, package_->aligner, target, overwrite, &counts); });
      }
      file.commit();
    }
    py::dict stats;
    stats["lines"] = counts.lines;
    stats["source_tokens"] = counts.source_tokens;
    stats["target_tokens"] = counts.target_tokens;
    return stats;
  }

  std::vector<double> score(const py::handle& sources, const py::handle& targets, const std::string& to, bool normalize) {
    const auto src = texts_of(sources, "sources"), tgt = texts_of(targets, "targets");
    if (src.size() != tgt.size())
      raise(PyExc_ValueError, "sources and targets differ in length (" + std::to_string(src.size()) + " and " +
                                  std::to_string(tgt.size()) + ")");
    const auto fixed = decoding_flags("score", to, {}).target();
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    const Tokenizer& tokenizer = package_->tokenizer;
    std::vector<std::vector<int64_t>> src_ids(src.size()), tgt_ids(tgt.size());
    std::vector<ReversePair> pairs;
    for (size_t i = 0; i < src.size(); ++i) {
      for (int id : tokenizer.encode(src[i])) src_ids[i].push_back(id);
      for (int id : tokenizer.encode(tgt[i])) tgt_ids[i].push_back(id);
      pairs.push_back({&src_ids[i], &tgt_ids[i], fixed ? *fixed : guess_language(tgt[i])});
    }
    c10::InferenceMode guard;
    return reverse_log_probs(package_->network, pairs, app::TranslationFlags{}.batch_tokens, /*per_token=*/normalize);
  }

  const std::string& model() const { return folder_; }
  const std::string& compute_type() const { return compute_type_; }

 private:
  // A translator for one call, with that call's options over the shared network: calls keep no
  // state between them, and several threads may hold one each (the network runs one at a time).
  std::pair<std::unique_ptr<Translator>, std::optional<Lang>> translator_for(const std::string& method, const std::string& to,
                                                                             const py::handle& glossary,
                                                                             const py::kwargs& options, int64_t n_best = 1) {
    const auto flags = decoding_flags(method, to, options);
    auto translator_options = flags.translator_options();
    translator_options.glossary = glossary_of(glossary);
    translator_options.search.n_best = n_best;
    translator_options.search.beam = std::max(translator_options.search.beam, n_best);
    return {std::make_unique<Translator>(package_->network, package_->tokenizer, translator_options), flags.target()};
  }

  std::string folder_, compute_type_;
  std::unique_ptr<ModelPackage> package_;
  std::mutex mutex_;
};

class PyTokenizer {
 public:
  explicit PyTokenizer(const py::object& model) {
    std::string path = app::model_or_default(model.is_none() ? "" : fspath(model));
    if (fs::is_directory(path)) path = (fs::path(path) / "tokenizer.model").string();
    tokenizer_ = std::make_unique<Tokenizer>(reading(path, [&] { return Tokenizer::load(path); }));
  }

  py::list encode(const py::handle& text, const py::object& out_type) const {
    const std::string s = text_of(text, "text");
    py::list out;
    if (out_type.is(py::type::of(py::int_()))) {
      for (int id : tokenizer_->encode(s)) out.append(id);
    } else if (out_type.is(py::type::of(py::str()))) {
      for (auto& piece : tokenizer_->encode_pieces(s)) out.append(piece);
    } else {
      raise(PyExc_ValueError, "out_type must be str or int");
    }
    return out;
  }

  std::string decode(const py::handle& tokens) const {
    if (py::isinstance<py::str>(tokens)) raise(PyExc_TypeError, "decode takes a list of pieces or ids, not a str");
    std::vector<int> ids;
    for (const auto& t : tokens) {
      int id = -1;
      if (py::isinstance<py::int_>(t)) {
        id = t.cast<int>();
        if (id < 0 || id >= tokenizer_->vocab_size())
          raise(PyExc_ValueError, "id " + std::to_string(id) + " is outside the vocabulary (0-" +
                                      std::to_string(tokenizer_->vocab_size() - 1) + ")");
      } else {
        const std::string piece = text_of(t, "a piece");
        id = tokenizer_->piece_id(piece);
        if (id < 0) raise(PyExc_ValueError, "'" + piece + "' is not a piece of this vocabulary");
      }
      ids.push_back(id);
    }
    return tokenizer_->decode(ids);
  }

  int vocab_size() const { return tokenizer_->vocab_size(); }

 private:
  std::unique_ptr<Tokenizer> tokenizer_;
};

// Hypotheses and references as two lists of equal length.
std::pair<std::vector<std::string>, std::vector<std::string>> corpus_of(const py::handle& hyps, const py::handle& refs) {
  auto h = texts_of(hyps, "hypotheses"), r = texts_of(refs, "references");
  if (h.size() != r.size())
    raise(PyExc_ValueError, "hypotheses and references differ in length (" + std::to_string(h.size()) + " and " +
                                std::to_string(r.size()) + ")");
  return {std::move(h), std::move(r)};
}

}  // namespace
}  // namespace mt::python

PYBIND11_MODULE(mt, m) {
  using namespace mt;
  using namespace mt::python;
  m.doc() = "mt: English <-> Chinese neural machine translation (see mt.pyi for the API)";
  m.attr("__version__") = MT_VERSION;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ParseError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  app::apply_runtime_settings();
  // Logs to stderr, warnings only: the host program owns standard output.
  if (!spdlog::get("mt")) spdlog::set_default_logger(spdlog::stderr_color_mt("mt"));
  spdlog::set_pattern("[mt] %^%l%$ %v");
  spdlog::set_level(spdlog::level::warn);
  // The executable restarts itself with matching BLAS kernels; a module cannot, so it says how.
  if (const char* core = app::matching_blas_core_if_fallback())
    spdlog::warn("OpenBLAS runs slow fallback kernels on this CPU: start Python with OPENBLAS_CORETYPE={}", core);

  py::class_<PyTranslator>(m, "Translator", "A model loaded once (default: the shipped en-zh model, or $MT_MODEL).")
      .def(py::init<const py::object&, const std::string&, const std::string&, int>(), py::arg("model") = py::none(),
           py::arg("device") = "cpu", py::arg("compute_type") = "auto", py::arg("threads") = 0,
           "Loads a model folder; compute_type auto|float32|bfloat16|int8; threads 0 = every core.")
      .def("translate", &PyTranslator::translate, py::arg("texts"), py::arg("to") = "auto", py::arg("n_best") = 1,
           py::arg("glossary") = py::none(), py::arg("alignments") = false,
           "One translation per text, in order; with n_best > 1, (text, score) lists, best first; with alignments, "
           "(text, [(source word, target word), ...]) as mt translate --alignments. Keyword options "
           "are mt translate's (beam, lenpen, reverse_weight, ..., no_split); glossary: a {source: target} dict or a file.")
      .def("translate_document", &PyTranslator::translate_document, py::arg("text"), py::arg("format") = "html",
           py::arg("to") = "auto", py::arg("overwrite") = false, py::arg("glossary") = py::none(),
           "A document translated with its markup kept: str for markdown, html, srt, vtt, po; bytes for docx, pptx, odt, odp, epub (overwrite: gettext entries already translated too).")
      .def("translate_file", &PyTranslator::translate_file, py::arg("input"), py::arg("output"),
           py::arg("format") = py::none(), py::arg("to") = "auto", py::arg("overwrite") = false,
           py::arg("glossary") = py::none(),
           "As mt translate -i input -o output (format from the extension unless given); returns the counts.")
      .def("score", &PyTranslator::score, py::arg("sources"), py::arg("targets"), py::arg("to") = "auto",
           py::arg("normalize") = false,
           "log P(target | source) per pair, teacher-forced: the sum over the target's tokens and its end, or the mean.")
      .def_property_readonly("model", &PyTranslator::model)
      .def_property_readonly("compute_type", &PyTranslator::compute_type);

  py::class_<PyTokenizer>(m, "Tokenizer", "The model's SentencePiece vocabulary, with mt's normalization.")
      .def(py::init<const py::object&>(), py::arg("model") = py::none(), "A model folder or a tokenizer .model file.")
      .def("encode", &PyTokenizer::encode, py::arg("text"), py::arg("out_type") = py::type::of(py::str()),
           "Pieces (out_type=str) or ids (out_type=int).")
      .def("decode", &PyTokenizer::decode, py::arg("tokens"), "Text from pieces or ids.")
      .def_property_readonly("vocab_size", &PyTokenizer::vocab_size);

  py::class_<BleuScore>(m, "BleuScore")
      .def_readonly("score", &BleuScore::score)
      .def_property_readonly("precisions", [](const BleuScore& b) { return std::vector<double>(b.precisions, b.precisions + 4); })
      .def_readonly("brevity_penalty", &BleuScore::brevity_penalty)
      .def_readonly("sys_len", &BleuScore::sys_len)
      .def_readonly("ref_len", &BleuScore::ref_len)
      .def_readonly("signature", &BleuScore::signature)
      .def("__float__", [](const BleuScore& b) { return b.score; })
      .def("__repr__", [](const BleuScore& b) {
        char text[160];
        std::snprintf(text, sizeof text, "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %ld ref_len = %ld)",
                      b.score, b.precisions[0], b.precisions[1], b.precisions[2], b.precisions[3], b.brevity_penalty,
                      b.ref_len ? double(b.sys_len) / double(b.ref_len) : 0.0, b.sys_len, b.ref_len);
        return std::string(text);
      });
  py::class_<ChrfScore>(m, "ChrfScore")
      .def_readonly("score", &ChrfScore::score)
      .def_readonly("signature", &ChrfScore::signature)
      .def("__float__", [](const ChrfScore& c) { return c.score; })
      .def("__repr__", [](const ChrfScore& c) {
        char text[40];
        std::snprintf(text, sizeof text, "chrF2 = %.2f", c.score);
        return std::string(text);
      });

  m.def("bleu", [](const py::handle& hyps, const py::handle& refs, const std::string& tokenize) {
        if (tokenize != "13a" && tokenize != "zh" && tokenize != "none")
          raise(PyExc_ValueError, "tokenize must be '13a', 'zh' or 'none', not '" + tokenize + "'");
        const auto [h, r] = corpus_of(hyps, refs);
        return corpus_bleu(h, r, tokenize);
      }, py::arg("hypotheses"), py::arg("references"), py::arg("tokenize") = "13a",
      "Corpus BLEU exactly as sacreBLEU 2.x (tokenize 13a, zh or none).");
  m.def("chrf", [](const py::handle& hyps, const py::handle& refs) {
        const auto [h, r] = corpus_of(hyps, refs);
        return corpus_chrf(h, r);
      }, py::arg("hypotheses"), py::arg("references"), "Corpus chrF2 exactly as sacreBLEU 2.x.");
  m.def("detect_language", [](const py::handle& text) {
        return guess_language(text_of(text, "text")) == Lang::Zh ? "zh" : "en";
      }, py::arg("text"), "'zh' for Chinese text, 'en' otherwise (the guess to='auto' makes).");
}

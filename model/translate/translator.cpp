#include "model/translate/translator.h"

#include <algorithm>
#include <cctype>

#include <c10/core/InferenceMode.h>

#include "model/translate/batching.h"
#include "model/translate/reverse_score.h"
#include "tokenizer/sentence_splitter.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace mt {

Lang auto_target(const std::string& line) { return guess_language(line) == Lang::Zh ? Lang::En : Lang::Zh; }

Translator::Translator(Transformer network, const Tokenizer& tokenizer, TranslatorOptions options)
    : network_(std::move(network)), tokenizer_(tokenizer), options_(std::move(options)) {}

std::vector<Translator::Segment> Translator::segment(size_t line, const std::string& text, const std::string& for_terms,
                                                     Lang target, bool* too_long) const {
  const int64_t limit = std::max<int64_t>(1, std::min(options_.max_input_tokens, network_->config().max_positions) - 2);
  // `source`: the text the ids were made from, its verbatim spans blanked: where glossary terms are looked for.
  auto wrap = [&](std::vector<int> ids, const std::string& source) {
    Segment s{line, {target_tag(target)}, {}};
    s.ids.insert(s.ids.end(), ids.begin(), ids.end());
    s.ids.push_back(SpecialIds::eos);
    if (options_.glossary)
      for (const auto* entry : options_.glossary->match(source, target == Lang::Zh ? Lang::En : Lang::Zh))
        if (auto term = term_ids(tokenizer_, entry->target, target); !term.empty()) s.terms.push_back(std::move(term));
    return s;
  };
  if (!options_.split_sentences) {
    auto ids = tokenizer_.encode(text);
    if (ids.empty()) return {};
    if (int64_t(ids.size()) <= limit) return {wrap(ids, for_terms)};
    *too_long = true;
  }
  std::vector<Segment> out;
  size_t searched = 0;  // where the next sentence is looked for in the text (with a glossary)
  for (const auto& sentence : split_sentences(text)) {
    std::string terms_view;
    if (options_.glossary) {
      const size_t at = text.find(sentence, searched);
      terms_view = at == std::string::npos ? sentence : for_terms.substr(at, sentence.size());
      if (at != std::string::npos) searched = at + sentence.size();
    }
    auto part = tokenizer_.encode(sentence);
    if (int64_t(part.size()) <= limit) {
      out.push_back(wrap(part, terms_view));
      continue;
    }
    *too_long = true;
    for (size_t i = 0; i < part.size(); i += size_t(limit)) {  // a sentence still too long: fixed chunks
      std::vector<int> chunk(part.begin() + long(i), part.begin() + long(std::min(part.size(), i + size_t(limit))));
      out.push_back(wrap(chunk, options_.glossary ? tokenizer_.decode(chunk) : std::string()));
    }
  }
  return out;
}

// A glossary term written in lower case ("weekend") that the search placed first in an English
// sentence starts it with a capital, as the model would have written the word there.
std::string Translator::capitalize_leading_term(std::string text, const std::vector<Constraint>& terms) const {
  for (const auto& term : terms) {
    const std::string written = tokenizer_.decode(std::vector<int>(term.begin(), term.end()));
    const bool lower = std::none_of(written.begin(), written.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
    if (lower && !written.empty() && text.rfind(written, 0) == 0 && std::islower(static_cast<unsigned char>(text[0]))) {
      text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
      break;
    }
  }
  return text;
}

void Translator::rerank_by_reverse(std::vector<std::vector<Hypothesis>>& hyps, const std::vector<size_t>& batch,
                                   const std::vector<Segment>& segments, const std::vector<Lang>& targets) {
  std::vector<std::vector<int64_t>> sources(batch.size());
  std::vector<ReversePair> pairs;
  for (size_t r = 0; r < batch.size(); ++r) {
    const auto& segment = segments[batch[r]];
    sources[r].assign(segment.ids.begin() + 1, segment.ids.end() - 1);  // without the tag and EOS
    const Lang source_lang = targets[segment.line] == Lang::Zh ? Lang::En : Lang::Zh;
    for (const auto& h : hyps[r]) pairs.push_back({&h.tokens, &sources[r], source_lang});
  }
  const auto reverse = reverse_log_probs(network_, pairs, options_.batch_tokens);
  size_t i = 0;
  for (auto& candidates : hyps) {
    for (auto& h : candidates) h.score += options_.reverse_weight * reverse[i++];
    keep_n_best(candidates, options_.search.n_best);
  }
}

void Translator::search_batches(const std::vector<size_t>& order, const std::vector<Segment>& segments,
                                const std::vector<Lang>& targets, std::vector<std::vector<Hypothesis>>& outputs) {
  const auto device = network_->parameters().front().device();
  const int64_t beam = std::max<int64_t>(1, options_.search.beam);
  const bool rerank = options_.reverse_weight > 0 && beam > 1;
  SearchOptions search_options = options_.search;
  if (rerank) search_options.n_best = std::max(search_options.n_best, beam);  // the beam's n-best
  // A segment costs its length for each of its beams; the constrained search keeps twice the beam.
  const int64_t rows_per_segment = beam * (!order.empty() && !segments[order.front()].terms.empty() ? 2 : 1);
  std::vector<int64_t> widths;
  for (size_t i : order) widths.push_back(int64_t(segments[i].ids.size()) * rows_per_segment);
  for (const auto& [start, end] : token_budget_batches(widths, options_.batch_tokens)) {
    std::vector<const std::vector<int64_t>*> rows;
    std::vector<SentenceTerms> terms;
    for (size_t r = start; r < end; ++r) {
      const Segment& segment = segments[order[r]];
      rows.push_back(&segment.ids);
      terms.push_back({segment.terms, targets[segment.line] == Lang::En});
    }
    auto src = padded_rows(rows).to(device);
    const bool any_terms = std::any_of(terms.begin(), terms.end(), [](const auto& t) { return !t.terms.empty(); });
    if (any_terms && word_continuations_.empty())  // a scan of the vocabulary, paid by glossary users only
      for (int id : tokenizer_.word_continuation_ids()) word_continuations_.push_back(id);
    auto hyps = any_terms ? constrained_beam_search(network_, src, terms, word_continuations_, search_options)
                          : search(network_, src, search_options);
    if (rerank) rerank_by_reverse(hyps, {order.begin() + long(start), order.begin() + long(end)}, segments, targets);
    for (size_t r = start; r < end; ++r) outputs[order[r]] = std::move(hyps[r - start]);
#ifdef __GLIBC__
    // Give the batch's freed tensors back to the system: glibc would otherwise keep the heap at
    // its high-water mark, and memory would grow with the file instead of the batch.
    malloc_trim(0);
#endif
  }
}

std::vector<Translation> Translator::translate(const std::vector<std::string>& lines, std::optional<Lang> to) {
  std::vector<Translation> results(lines.size());
  std::vector<Lang> targets(lines.size());
  std::vector<Segment> segments;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto [text, for_terms] = remove_verbatim_marks(lines[i]);
    targets[i] = to ? *to : auto_target(text);
    for (auto& s : segment(i, text, for_terms, targets[i], &results[i].was_split)) {
      results[i].source_tokens += int64_t(s.ids.size()) - 2;
      ++results[i].segments;
      segments.push_back(std::move(s));
    }
  }

  // Longest first, so each batch pads little and the budget is checked on its widest row; the
  // sentences with glossary terms apart, so that the others pay nothing for them.
  std::vector<size_t> plain, constrained;
  for (size_t i = 0; i < segments.size(); ++i) (segments[i].terms.empty() ? plain : constrained).push_back(i);
  std::vector<std::vector<Hypothesis>> outputs(segments.size());
  const bool was_training = network_->is_training();
  network_->eval();
  {
    c10::InferenceMode guard;
    for (auto* group : {&plain, &constrained}) {
      std::stable_sort(group->begin(), group->end(),
                       [&](size_t a, size_t b) { return segments[a].ids.size() > segments[b].ids.size(); });
      search_batches(*group, segments, targets, outputs);
    }
  }
  if (was_training) network_->train();

  // Join the segments of each line back together, in input order, with the target's spacing: one
  // space between English sentences, none between Chinese ones.
  auto to_text = [&](const std::vector<int64_t>& tokens, Lang target, const std::vector<Constraint>& terms) {
    std::string text = tokenizer_.decode(std::vector<int>(tokens.begin(), tokens.end()));
    if (target != Lang::Zh) return capitalize_leading_term(text, terms);
    text = tidy_chinese_spacing(text);
    return options_.traditional_output ? to_traditional(text) : text;
  };
  for (size_t s = 0; s < segments.size(); ++s) {
    auto& r = results[segments[s].line];
    const Lang target = targets[segments[s].line];
    const auto& best = outputs[s].front();
    std::string text = to_text(best.tokens, target, segments[s].terms);
    if (!r.text.empty() && !text.empty() && target == Lang::En) r.text += ' ';
    r.text += text;
    r.target_tokens += int64_t(best.tokens.size());
    if (r.segments == 1)
      for (const auto& h : outputs[s]) r.n_best.emplace_back(to_text(h.tokens, target, segments[s].terms), h.score);
  }
  for (auto& r : results)
    if (r.segments > 1) r.n_best = {{r.text, 0.0}};  // one n-best per part: only their best, joined
  return results;
}

}  // namespace mt

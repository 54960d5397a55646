// Greedy and beam-search decoding with the inference models (see decoding.hpp).

#include "examples/nmt/decoding.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "examples/nmt/dataset.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "data/batching.hpp"

namespace nmt {

using kiln::Array;
using kiln::Tensor;

namespace {

double log_of(float p) { return std::log(std::max(double(p), 1e-30)); }

int argmax(const float* row, std::size_t n) { return int(std::max_element(row, row + n) - row); }

// (n, d0, d1) -> row r of it repeated `times`, (times, d0, d1).
Array repeat_row(const Array& a, std::size_t r, std::size_t times) {
  const std::size_t width = a.size() / a.shape()[0];
  kiln::Shape shape = a.shape();
  shape[0] = times;
  Array out = Array::from_shape(shape);
  for (std::size_t i = 0; i < times; ++i) std::copy_n(a.data() + r * width, width, out.data() + i * width);
  return out;
}

void check_source(const Array& source_ids, const Seq2SeqConfig& c) {
  if (source_ids.dimension() != 2 || source_ids.shape()[1] != c.en_timesteps) {
    throw kiln::ShapeError("decoder: expected source ids (sentences, " + std::to_string(c.en_timesteps) +
                           "), got " + kiln::to_string(source_ids.shape()));
  }
}

}  // namespace

struct Decoder::StepResult {
  Array probabilities;  // (L, fr_vocab)
  Array weights;        // (L, en_timesteps)
  Array state;          // (L, W)
};

Decoder::Decoder(const Seq2Seq& model, const kiln::text::Tokenizer& fr)
    : model_(model),
      fr_(fr),
      start_id_(fr.index_of(model.config.start_token)),
      end_id_(fr.index_of(model.config.end_token)) {
  if (start_id_ == 0 || end_id_ == 0) {
    const std::string& missing = start_id_ == 0 ? model.config.start_token : model.config.end_token;
    throw kiln::Error("decoder: the French vocabulary has no '" + missing + "' token");
  }
}

Decoder::StepResult Decoder::step(const std::vector<int>& previous, const Tensor& encoder_out,
                                  const Array& state) const {
  const auto& c = model_.config;
  Array ids = Array::from_shape({previous.size(), std::size_t(1)});
  for (std::size_t i = 0; i < previous.size(); ++i) ids.data()[i] = float(previous[i]);
  kiln::NoGradGuard no_grad;
  const auto out = model_.decoder_step({Tensor(model_input(ids, c.fr_vocab, c)), encoder_out, Tensor(state)});
  StepResult r{out[0].value(), out[1].value(), out[2].value()};
  r.probabilities.reshape({previous.size(), c.fr_vocab});
  r.weights.reshape({previous.size(), c.en_timesteps});
  return r;
}

Translation Decoder::finish(std::vector<int> ids, const std::vector<std::vector<float>>& attention_rows,
                            double log_probability) const {
  Translation t;
  const std::size_t te = model_.config.en_timesteps;
  t.attention = Array::from_shape({ids.size(), te});
  for (std::size_t s = 0; s < ids.size(); ++s) std::copy_n(attention_rows[s].data(), te, t.attention.data() + s * te);
  for (int id : ids) {
    if (!ends(id)) t.words.push_back(fr_.word_at(id));
  }
  t.ids = std::move(ids);
  t.log_probability = log_probability;
  return t;
}

std::vector<Translation> Decoder::greedy_batch(const Array& source_ids) const {
  const auto& c = model_.config;
  const std::size_t n = source_ids.shape()[0];
  kiln::NoGradGuard no_grad;
  const auto encoded = model_.encoder({Tensor(model_input(source_ids, c.en_vocab, c))});
  const Tensor encoder_out = encoded[0];
  Array state = encoded[1].value();

  std::vector<int> previous(n, start_id_);
  std::vector<std::vector<int>> ids(n);
  std::vector<std::vector<std::vector<float>>> attention(n);
  std::vector<double> log_p(n, 0.0);
  std::vector<bool> done(n, false);
  for (std::size_t t = 0; t < c.decoder_steps(); ++t) {
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    StepResult r = step(previous, encoder_out, state);
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      const float* row = r.probabilities.data() + i * c.fr_vocab;
      const int id = argmax(row, c.fr_vocab);
      ids[i].push_back(id);
      attention[i].emplace_back(r.weights.data() + i * c.en_timesteps, r.weights.data() + (i + 1) * c.en_timesteps);
      log_p[i] += log_of(row[id]);
      previous[i] = id;
      done[i] = ends(id);
    }
    state = std::move(r.state);
  }
  std::vector<Translation> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(finish(std::move(ids[i]), attention[i], log_p[i]));
  return out;
}

std::vector<Translation> Decoder::greedy(const Array& source_ids, std::size_t batch_size) const {
  if (batch_size == 0) throw kiln::Error("decoder: the batch size must be at least 1");
  check_source(source_ids, model_.config);
  std::vector<Translation> out;
  const std::size_t n = source_ids.shape()[0];
  for (std::size_t begin = 0; begin < n; begin += batch_size) {
    auto part = greedy_batch(kiln::row_range(source_ids, begin, std::min(n, begin + batch_size)));
    std::move(part.begin(), part.end(), std::back_inserter(out));
  }
  return out;
}

Translation Decoder::beam_search_one(const Array& source_row, std::size_t beam) const {
  const auto& c = model_.config;
  kiln::NoGradGuard no_grad;
  const auto encoded = model_.encoder({Tensor(model_input(source_row, c.en_vocab, c))});
  struct Hypothesis {
    std::vector<int> ids;
    std::vector<std::vector<float>> attention;
    double log_p = 0.0;
    double score() const { return log_p / double(std::max<std::size_t>(1, ids.size())); }
  };
  std::vector<Hypothesis> live(1), finished;
  Array states = encoded[1].value();
  for (std::size_t t = 0; t < c.decoder_steps() && !live.empty() && finished.size() < beam; ++t) {
    std::vector<int> previous;
    for (const auto& h : live) previous.push_back(h.ids.empty() ? start_id_ : h.ids.back());
    const StepResult r = step(previous, Tensor(repeat_row(encoded[0].value(), 0, live.size())), states);

    // Each hypothesis's `beam` best words, then the best `beam` overall.
    std::vector<std::tuple<double, std::size_t, int>> candidates;  // (log p, hypothesis, word)
    std::vector<int> words(c.fr_vocab);
    for (std::size_t h = 0; h < live.size(); ++h) {
      const float* row = r.probabilities.data() + h * c.fr_vocab;
      std::iota(words.begin(), words.end(), 0);
      const std::size_t k = std::min(beam, words.size());
      std::partial_sort(words.begin(), words.begin() + std::ptrdiff_t(k), words.end(),
                        [&](int a, int b) { return row[a] > row[b]; });
      for (std::size_t j = 0; j < k; ++j) candidates.emplace_back(live[h].log_p + log_of(row[words[j]]), h, words[j]);
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    candidates.resize(std::min(beam, candidates.size()));

    std::vector<Hypothesis> next;
    std::vector<std::size_t> parents;
    for (const auto& [log_p, h, word] : candidates) {
      Hypothesis extended = live[h];
      extended.ids.push_back(word);
      extended.attention.emplace_back(r.weights.data() + h * c.en_timesteps,
                                      r.weights.data() + (h + 1) * c.en_timesteps);
      extended.log_p = log_p;
      if (ends(word)) {
        finished.push_back(std::move(extended));
      } else {
        next.push_back(std::move(extended));
        parents.push_back(h);
      }
    }
    live = std::move(next);
    if (!parents.empty()) states = kiln::take_rows(r.state, parents);
  }
  for (auto& h : live) finished.push_back(std::move(h));  // cut by the step limit
  const auto best = std::max_element(finished.begin(), finished.end(),
                                     [](const Hypothesis& a, const Hypothesis& b) { return a.score() < b.score(); });
  return finish(best->ids, best->attention, best->log_p);
}

std::vector<Translation> Decoder::beam_search(const Array& source_ids, std::size_t beam) const {
  if (beam == 0) throw kiln::Error("decoder: the beam width must be at least 1");
  check_source(source_ids, model_.config);
  // More hypotheses than target words cannot differ, and each one costs a
  // vocabulary-sized row per step: the vocabulary bounds the work.
  beam = std::min(beam, model_.config.fr_vocab);
  std::vector<Translation> out;
  for (std::size_t i = 0; i < source_ids.shape()[0]; ++i) {
    out.push_back(beam_search_one(kiln::row_range(source_ids, i, i + 1), beam));
  }
  return out;
}

std::vector<Translation> Decoder::translate(const Array& source_ids, std::size_t beam) const {
  return beam <= 1 ? greedy(source_ids) : beam_search(source_ids, beam);
}

}  // namespace nmt

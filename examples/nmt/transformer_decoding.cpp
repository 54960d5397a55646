// Greedy and beam-search decoding for the Transformer (see transformer_decoding.hpp).

#include "examples/nmt/transformer_decoding.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>

#include "graph/grad_mode.hpp"
#include "data/batching.hpp"

namespace nmt {

using kiln::Array;
using kiln::Tensor;

struct TransformerDecoding::Hypothesis {
  std::vector<int> ids;             // produced so far, without '<sos>'
  // Per produced id: (heads, en_timesteps), shared between the hypotheses
  // that continue one prefix (beam search copies hypotheses every step).
  std::vector<std::shared_ptr<const Array>> attention;
  double log_probability = 0.0;
  double score() const { return log_probability / double(std::max<std::size_t>(1, ids.size())); }
};

namespace {

// log softmax of one row of logits, in double.
std::vector<double> log_softmax_row(const float* logits, std::size_t n) {
  const float top = *std::max_element(logits, logits + n);
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) total += std::exp(double(logits[i] - top));
  const double log_total = std::log(total) + top;
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = double(logits[i]) - log_total;
  return out;
}

// Row `row` of cross weights (B, heads, 1, Te) as (heads, Te); none when
// decoding without the cache (no weights).
std::shared_ptr<const Array> heads_of(const Array& weights, std::size_t row) {
  if (weights.dimension() != 4) return nullptr;
  const std::size_t heads = weights.shape()[1], te = weights.shape()[3];
  auto out = std::make_shared<Array>(Array::from_shape({heads, te}));
  std::memcpy(out->data(), weights.data() + row * heads * te, heads * te * sizeof(float));
  return out;
}

// The per-head attention of a finished hypothesis, for the caller.
std::vector<Array> heads_list(const std::vector<std::shared_ptr<const Array>>& attention) {
  std::vector<Array> out;
  for (const auto& a : attention) out.push_back(a ? *a : Array());
  return out;
}

// `rows` copies of the single row of `a` (1, ...).
Array tile_rows(const Array& a, std::size_t rows) {
  std::vector<std::size_t> all(rows, 0);
  return kiln::take_rows(a, all);
}

}  // namespace

TransformerDecoding::TransformerDecoding(const TransformerSeq2Seq& model, const kiln::text::Tokenizer& fr, bool use_cache)
    : model_(model),
      fr_(fr),
      use_cache_(use_cache),
      start_id_(fr.index_of(model.config.start_token)),
      end_id_(fr.index_of(model.config.end_token)) {
  if (start_id_ == 0 || end_id_ == 0) {
    const std::string& missing = start_id_ == 0 ? model.config.start_token : model.config.end_token;
    throw kiln::Error("decoder: the French vocabulary has no '" + missing + "' token");
  }
}

Array TransformerDecoding::next_logits(const std::vector<std::vector<int>>& prefixes, const Tensor& encoder_out,
                                       std::vector<kiln::TransformerDecoderCache>& caches, const Array& source_mask,
                                       Array* cross_weights) const {
  const std::size_t rows = prefixes.size(), t = prefixes[0].size();
  if (use_cache_) {
    std::vector<int> last(rows);
    for (std::size_t r = 0; r < rows; ++r) last[r] = prefixes[r].back();
    const bool first = caches.empty() || caches[0].steps() == 0;
    return model_.decode_step(last, first ? &encoder_out : nullptr, caches, source_mask, cross_weights);
  }
  Array prefix = Array::from_shape({rows, t});
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t s = 0; s < t; ++s) prefix(r, s) = float(prefixes[r][s]);
  }
  if (cross_weights) *cross_weights = Array();
  return model_.decode_prefix(prefix, encoder_out, source_mask);
}

Translation TransformerDecoding::finish(const Hypothesis& h) const {
  Translation t;
  const std::size_t te = model_.config.en_timesteps;
  t.attention = xt::zeros<float>({h.ids.size(), te});
  for (std::size_t s = 0; s < h.attention.size() && s < h.ids.size(); ++s) {
    if (!h.attention[s]) continue;  // decoded without the cache: no weights
    const Array& a = *h.attention[s];
    const std::size_t heads = a.shape()[0];
    for (std::size_t k = 0; k < heads; ++k) {
      for (std::size_t j = 0; j < te; ++j) t.attention(s, j) += a(k, j) / float(heads);
    }
  }
  for (int id : h.ids) {
    if (!ends(id)) t.words.push_back(fr_.word_at(id));
  }
  t.ids = h.ids;
  t.log_probability = h.log_probability;
  return t;
}

std::vector<Translation> TransformerDecoding::greedy_batch(const Array& source_ids,
                                                           std::vector<std::vector<Array>>* heads) const {
  const std::size_t n = source_ids.shape()[0], steps = model_.config.decoder_steps();
  const Tensor encoder_out = model_.encode(source_ids);
  const Array mask = padding_mask(source_ids);
  std::vector<Hypothesis> hyps(n);
  std::vector<std::vector<int>> prefixes(n, std::vector<int>{start_id_});
  std::vector<bool> done(n, false);
  std::vector<kiln::TransformerDecoderCache> caches;
  for (std::size_t t = 0; t < steps; ++t) {
    Array weights;
    const Array logits = next_logits(prefixes, encoder_out, caches, mask, &weights);
    bool all_done = true;
    for (std::size_t r = 0; r < n; ++r) {
      int id = 0;
      if (!done[r]) {
        const float* row = logits.data() + r * model_.config.fr_vocab;
        id = int(std::max_element(row, row + model_.config.fr_vocab) - row);
        hyps[r].log_probability += log_softmax_row(row, model_.config.fr_vocab)[std::size_t(id)];
        hyps[r].ids.push_back(id);
        hyps[r].attention.push_back(heads_of(weights, r));
        done[r] = ends(id);
      }
      prefixes[r].push_back(id);
      all_done = all_done && done[r];
    }
    if (all_done) break;
  }
  std::vector<Translation> out;
  for (std::size_t r = 0; r < n; ++r) {
    out.push_back(finish(hyps[r]));
    if (heads) heads->push_back(heads_list(hyps[r].attention));
  }
  return out;
}

std::vector<Translation> TransformerDecoding::greedy(const Array& source_ids, std::size_t batch_size,
                                                     std::vector<std::vector<Array>>* heads) const {
  const std::size_t n = source_ids.shape()[0];
  std::vector<Translation> all;
  for (std::size_t begin = 0; begin < n; begin += batch_size) {
    auto part = greedy_batch(kiln::row_range(source_ids, begin, std::min(n, begin + batch_size)), heads);
    std::move(part.begin(), part.end(), std::back_inserter(all));
  }
  return all;
}

Translation TransformerDecoding::beam_one(const Array& source_row, std::size_t beam, std::vector<Array>* heads) const {
  const std::size_t steps = model_.config.decoder_steps(), vocab = model_.config.fr_vocab;
  const Tensor encoder_one = model_.encode(source_row);
  const Array mask_one = padding_mask(source_row);
  std::vector<Hypothesis> live(1), finished;
  std::vector<kiln::TransformerDecoderCache> caches;
  Tensor encoder_out = encoder_one;
  for (std::size_t t = 0; t < steps && !live.empty(); ++t) {
    std::vector<std::vector<int>> prefixes;
    for (const auto& h : live) {
      prefixes.push_back({start_id_});
      prefixes.back().insert(prefixes.back().end(), h.ids.begin(), h.ids.end());
    }
    if (!use_cache_) encoder_out = Tensor(tile_rows(encoder_one.value(), live.size()));
    Array weights;
    const Array logits = next_logits(prefixes, encoder_out, caches, tile_rows(mask_one, live.size()), &weights);
    struct Candidate {
      double log_probability;
      std::size_t parent;
      int id;
    };
    std::vector<Candidate> candidates;
    for (std::size_t h = 0; h < live.size(); ++h) {
      const auto lp = log_softmax_row(logits.data() + h * vocab, vocab);
      std::vector<std::size_t> order(vocab);
      std::iota(order.begin(), order.end(), 0);
      const std::size_t keep = std::min(beam, vocab);
      std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(keep), order.end(),
                        [&](std::size_t a, std::size_t b) { return lp[a] > lp[b]; });
      for (std::size_t k = 0; k < keep; ++k) {
        candidates.push_back({live[h].log_probability + lp[order[k]], h, int(order[k])});
      }
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.log_probability > b.log_probability; });
    std::vector<Hypothesis> next;
    std::vector<std::size_t> parents;
    for (const Candidate& c : candidates) {
      if (next.size() == beam) break;
      Hypothesis h = live[c.parent];
      h.ids.push_back(c.id);
      h.attention.push_back(heads_of(weights, c.parent));
      h.log_probability = c.log_probability;
      if (ends(c.id) || t + 1 == steps) {
        finished.push_back(std::move(h));
        if (finished.size() >= beam) break;
      } else {
        next.push_back(std::move(h));
        parents.push_back(c.parent);
      }
    }
    if (finished.size() >= beam) break;
    live = std::move(next);
    if (use_cache_ && !live.empty()) {
      for (auto& cache : caches) {
        cache.self.select_rows(parents);
        // Every row of the cross-attention cache holds the same sentence:
        // only the number of rows may need to change.
        if (cache.cross.rows() != parents.size()) cache.cross.select_rows(std::vector<std::size_t>(parents.size(), 0));
      }
    }
  }
  for (auto& h : live) finished.push_back(std::move(h));
  const auto best = std::max_element(finished.begin(), finished.end(),
                                     [](const Hypothesis& a, const Hypothesis& b) { return a.score() < b.score(); });
  if (heads) *heads = heads_list(best->attention);
  return finish(*best);
}

std::vector<Translation> TransformerDecoding::beam_search(const Array& source_ids, std::size_t beam,
                                                          std::vector<std::vector<Array>>* heads) const {
  if (beam == 0) throw kiln::Error("beam search: the beam must be at least 1");
  std::vector<Translation> out;
  for (std::size_t r = 0; r < source_ids.shape()[0]; ++r) {
    std::vector<Array> h;
    out.push_back(beam_one(kiln::row_range(source_ids, r, r + 1), beam, heads ? &h : nullptr));
    if (heads) heads->push_back(std::move(h));
  }
  return out;
}

std::vector<Translation> TransformerDecoding::translate(const Array& source_ids, std::size_t beam,
                                                        std::vector<std::vector<Array>>* heads) const {
  return beam <= 1 ? greedy(source_ids, 256, heads) : beam_search(source_ids, beam, heads);
}

}  // namespace nmt

// kiln-bench nmt --config transformer: the Transformer translator's training
// step (d_model 128, 2 + 2 blocks, 4 heads, feed-forward 256, batch 64,
// small_vocab's vocabulary sizes, 20 source and 20 target steps) and its
// decoding per sentence, with the key/value cache and by rerunning the
// prefix, greedy and beam 4. Prints
//   config=transformer ms_per_step=<median> tokens_per_s=<float> cpu_ms_per_step=<median>
//   decode=greedy cached_ms=<median> prefix_ms=<median> speedup=<ratio>
//   decode=beam4 cached_ms=<median> prefix_ms=<median> speedup=<ratio>
// (the model is the one examples/nmt/transformer_model.cpp builds, from the
// same layers; decoding runs the full step limit, as an untrained model's
// sentences do).

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>

#include <xtensor/xview.hpp>

#include "bench/timing.hpp"
#include "graph/grad_mode.hpp"
#include "layers/dense.hpp"
#include "layers/token_and_position_embedding.hpp"
#include "layers/transformer_decoder.hpp"
#include "layers/transformer_encoder.hpp"
#include "models/functional.hpp"
#include "optimizers/adam.hpp"
#include "ops/slice.hpp"

namespace kiln::bench {

namespace {

struct TransformerConfig {
  std::size_t batch = 64, d_model = 128, heads = 4, ff = 256, layers = 2;
  std::size_t en_time = 20, fr_time = 20, en_vocab = 229, fr_vocab = 343;
  std::size_t decoder_steps() const { return fr_time - 1; }
};

struct Transformer {
  TokenAndPositionEmbedding source_embedding, target_embedding;
  std::vector<TransformerEncoder> encoders;
  std::vector<TransformerDecoder> decoders;
  Dense output;
  std::optional<Functional> trainer;

  explicit Transformer(const TransformerConfig& c)
      : source_embedding({.vocabulary_size = c.en_vocab, .sequence_length = c.en_time, .embedding_dim = c.d_model,
                          .mask_zero = true}),
        target_embedding({.vocabulary_size = c.fr_vocab, .sequence_length = c.decoder_steps(),
                          .embedding_dim = c.d_model, .mask_zero = true}),
        output({.units = c.fr_vocab}) {
    for (std::size_t i = 0; i < c.layers; ++i) {
      encoders.emplace_back(TransformerEncoderOptions{.intermediate_dim = c.ff, .num_heads = c.heads, .dropout = 0.1f});
      decoders.emplace_back(TransformerDecoderOptions{.intermediate_dim = c.ff, .num_heads = c.heads, .dropout = 0.1f});
    }
    auto source = Input({std::int64_t(c.en_time)});
    auto target = Input({std::int64_t(c.decoder_steps())});
    SymbolicTensor x = source_embedding(source);
    for (const auto& e : encoders) x = e(x);
    SymbolicTensor y = target_embedding(target);
    for (const auto& d : decoders) y = d({y, x});
    trainer.emplace(std::vector{source, target}, std::vector{SymbolicTensor(output(y))});
    (*trainer)->compile({.optimizer = "adam", .loss = "sparse_categorical_crossentropy",
                         .loss_options = {.from_logits = true}});
  }

  Tensor encode(const Array& ids) const {
    Tensor x = source_embedding(Tensor(ids));
    for (const auto& e : encoders) x = e(x);
    return x;
  }

  // Next-word logits (rows, vocab) of `prefix` (rows, t): from the caches, or by rerunning the prefix.
  Array next(const Array& prefix, const Tensor& encoded, const Array& mask, std::vector<TransformerDecoderCache>* caches) const {
    const std::size_t rows = prefix.shape()[0], t = prefix.shape()[1];
    Tensor y;
    if (caches) {
      caches->resize(decoders.size());
      y = target_embedding->embed(Tensor(Array(xt::view(prefix, xt::all(), xt::range(t - 1, t)))), t - 1);
      for (std::size_t l = 0; l < decoders.size(); ++l) {
        y = decoders[l]->decode_step(y, &encoded, (*caches)[l], &mask);
      }
    } else {
      y = target_embedding(Tensor(prefix));
      for (const auto& d : decoders) y = d({y.with_mask(nullptr), encoded}, CallContext{.masks = {nullptr, &mask}})[0];
      y = slice(y, 1, t - 1, t);
    }
    Array logits = Tensor(output(y)).value();
    logits.reshape({rows, logits.size() / rows});
    return logits;
  }
};

Array random_ids(std::size_t batch, std::size_t time, std::size_t vocab, std::mt19937_64& rng) {
  Array ids = Array::from_shape({batch, time});
  std::uniform_int_distribution<std::size_t> pick(1, vocab - 1);
  for (auto& v : ids) v = float(pick(rng));
  return ids;
}

// Decodes one sentence (1, en_time) for the full step limit with `beam`
// hypotheses (1: greedy), keeping the best `beam` continuations each step.
void decode(const Transformer& m, const TransformerConfig& c, const Array& sentence, std::size_t beam, bool cached) {
  NoGradGuard no_grad;
  const Tensor encoded_one = m.encode(sentence);
  Array mask_one = Array::from_shape(sentence.shape());
  for (std::size_t i = 0; i < sentence.size(); ++i) mask_one.data()[i] = sentence.data()[i] != 0.0f;
  std::vector<std::vector<int>> hyps(1, std::vector<int>{1});
  std::vector<double> scores(1, 0.0);
  std::vector<TransformerDecoderCache> caches;
  for (std::size_t step = 0; step < c.decoder_steps(); ++step) {
    const std::size_t rows = hyps.size();
    Array prefix = Array::from_shape({rows, step + 1});
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t s = 0; s <= step; ++s) prefix(r, s) = float(hyps[r][s]);
    }
    const std::vector<std::size_t> tile(rows, 0);
    Array mask = Array::from_shape({rows, c.en_time});
    Array enc = Array::from_shape({rows, c.en_time, c.d_model});
    for (std::size_t r = 0; r < rows; ++r) {
      std::copy_n(mask_one.data(), c.en_time, mask.data() + r * c.en_time);
      std::copy_n(encoded_one.value().data(), c.en_time * c.d_model, enc.data() + r * c.en_time * c.d_model);
    }
    const Array logits = m.next(prefix, cached ? encoded_one : Tensor(enc), mask, cached ? &caches : nullptr);
    struct Candidate { double score; std::size_t parent; int id; };
    std::vector<Candidate> candidates;
    for (std::size_t r = 0; r < rows; ++r) {
      const float* row = logits.data() + r * c.fr_vocab;
      std::vector<std::size_t> order(c.fr_vocab);
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(beam), order.end(),
                        [&](std::size_t a, std::size_t b) { return row[a] > row[b]; });
      for (std::size_t k = 0; k < beam; ++k) candidates.push_back({scores[r] + row[order[k]], r, int(order[k])});
    }
    std::partial_sort(candidates.begin(), candidates.begin() + std::ptrdiff_t(beam), candidates.end(),
                      [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    std::vector<std::vector<int>> next;
    std::vector<double> next_scores;
    std::vector<std::size_t> parents;
    for (std::size_t k = 0; k < beam; ++k) {
      next.push_back(hyps[candidates[k].parent]);
      next.back().push_back(candidates[k].id);
      next_scores.push_back(candidates[k].score);
      parents.push_back(candidates[k].parent);
    }
    if (cached) {
      for (auto& cache : caches) cache.select_rows(parents);
    }
    hyps = std::move(next);
    scores = std::move(next_scores);
  }
}

}  // namespace

void run_transformer_bench(bool quick) {
  const TransformerConfig c;
  Transformer model(c);
  std::mt19937_64 rng(7);
  const Array source = random_ids(c.batch, c.en_time, c.en_vocab, rng);
  const Array target_in = random_ids(c.batch, c.decoder_steps(), c.fr_vocab, rng);
  const Array target_out = random_ids(c.batch, c.decoder_steps(), c.fr_vocab, rng);
  const int steps = quick ? 10 : 100;
  std::vector<double> samples, cpu_samples;
  for (int i = 0; i < steps + 5; ++i) {
    const double t0 = now_seconds(), cpu0 = process_cpu_seconds();
    (*model.trainer)->train_on_batch({source, target_in}, {target_out});
    if (i >= 5) {
      samples.push_back(now_seconds() - t0);
      cpu_samples.push_back(process_cpu_seconds() - cpu0);
    }
  }
  const Stats s = summarize(samples);
  std::printf("config=transformer ms_per_step=%.2f tokens_per_s=%.0f cpu_ms_per_step=%.2f\n", s.median * 1e3,
              double(c.batch * c.decoder_steps()) / s.median, summarize(cpu_samples).median * 1e3);
  std::fprintf(stderr, "  transformer: p10 %.2f ms, p90 %.2f ms over %d steps\n", s.p10 * 1e3, s.p90 * 1e3, steps);
  std::fflush(stdout);

  Array sentence = random_ids(1, c.en_time, c.en_vocab, rng);
  for (std::size_t t = 0; t < 5; ++t) sentence(0, t) = 0.0f;  // 15 words, pre-padded
  for (const std::size_t beam : {std::size_t(1), std::size_t(4)}) {
    const int reps = quick ? 5 : 21;
    const Stats cached = time_it([&] { decode(model, c, sentence, beam, true); }, reps);
    const Stats prefix = time_it([&] { decode(model, c, sentence, beam, false); }, reps);
    std::printf("decode=%s cached_ms=%.2f prefix_ms=%.2f speedup=%.2f\n", beam == 1 ? "greedy" : "beam4",
                cached.median * 1e3, prefix.median * 1e3, prefix.median / cached.median);
  }
}

}  // namespace kiln::bench

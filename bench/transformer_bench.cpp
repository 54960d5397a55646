// kiln-bench nmt --config transformer: the Transformer translator's training
// step (d_model 128, 2 + 2 blocks, 4 heads, feed-forward 256, batch 64,
// small_vocab's vocabulary sizes, 20 source and 20 target steps) and its
// decoding per sentence, with the key/value cache and by rerunning the
// prefix, greedy and beam 4. Prints
//   config=transformer ms_per_step=<median> tokens_per_s=<float> cpu_ms_per_step=<median>
//   decode=<greedy64|greedy1|beam4> cached_ms=<per sentence> prefix_ms=<per sentence> speedup=<ratio>
//          cached_cpu_ms=... prefix_cpu_ms=... cpu_speedup=<ratio>
// (the model is the one examples/nmt/transformer_model.cpp builds, from the
// same layers; decoding runs the full step limit, as an untrained model's
// sentences do).

#include <algorithm>
#include <cstdio>
#include <functional>
#include <numeric>
#include <random>

#include <xtensor/xview.hpp>

#include "bench/gemm_floor.hpp"
#include "bench/random_ids.hpp"
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
    Array mask = Array::from_shape({rows, c.en_time});
    for (std::size_t r = 0; r < rows; ++r) std::copy_n(mask_one.data(), c.en_time, mask.data() + r * c.en_time);
    Tensor encoded = encoded_one;  // the cache holds its keys and values after the first step
    if (!cached) {  // every step reruns the cross-attention on one encoder copy per hypothesis
      Array enc = Array::from_shape({rows, c.en_time, c.d_model});
      for (std::size_t r = 0; r < rows; ++r) {
        std::copy_n(encoded_one.value().data(), c.en_time * c.d_model, enc.data() + r * c.en_time * c.d_model);
      }
      encoded = Tensor(std::move(enc));
    }
    const Array logits = m.next(prefix, encoded, mask, cached ? &caches : nullptr);
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
      for (auto& cache : caches) {
        cache.self.select_rows(parents);
        if (cache.cross.rows() != parents.size()) cache.cross.select_rows(std::vector<std::size_t>(parents.size(), 0));
      }
    }
    hyps = std::move(next);
    scores = std::move(next_scores);
  }
}

// Greedy decoding of a batch of sentences (N, en_time) at once, as `nmt
// translate` and `nmt evaluate` decode, for the full step limit.
void decode_greedy_batch(const Transformer& m, const TransformerConfig& c, const Array& sentences, bool cached) {
  NoGradGuard no_grad;
  const std::size_t n = sentences.shape()[0];
  const Tensor encoded = m.encode(sentences);
  Array mask = Array::from_shape(sentences.shape());
  for (std::size_t i = 0; i < sentences.size(); ++i) mask.data()[i] = sentences.data()[i] != 0.0f;
  std::vector<TransformerDecoderCache> caches;
  Array prefix = Array::from_shape({n, 1});
  prefix.fill(1.0f);
  for (std::size_t step = 0; step < c.decoder_steps(); ++step) {
    const Array logits = m.next(prefix, encoded, mask, cached ? &caches : nullptr);
    Array longer = Array::from_shape({n, step + 2});
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t s = 0; s <= step; ++s) longer(r, s) = prefix(r, s);
      const float* row = logits.data() + r * c.fr_vocab;
      longer(r, step + 1) = float(std::max_element(row, row + c.fr_vocab) - row);
    }
    prefix = std::move(longer);
  }
}

// Median wall and CPU milliseconds of `cached` and `prefix` runs, alternated
// so a burst of other work on the machine hits both.
void compare_decoding(const char* name, int reps, const std::function<void(bool cached)>& run, double per) {
  std::vector<double> wall[2], cpu[2];
  for (int i = 0; i < reps + 2; ++i) {
    for (const int cached : {1, 0}) {
      const double t0 = now_seconds(), c0 = process_cpu_seconds();
      run(cached == 1);
      if (i < 2) continue;  // warm-up
      wall[cached].push_back((now_seconds() - t0) / per);
      cpu[cached].push_back((process_cpu_seconds() - c0) / per);
    }
  }
  const double cached_ms = summarize(wall[1]).median * 1e3, prefix_ms = summarize(wall[0]).median * 1e3;
  const double cached_cpu = summarize(cpu[1]).median * 1e3, prefix_cpu = summarize(cpu[0]).median * 1e3;
  std::printf("decode=%s cached_ms=%.3f prefix_ms=%.3f speedup=%.2f cached_cpu_ms=%.3f prefix_cpu_ms=%.3f "
              "cpu_speedup=%.2f\n",
              name, cached_ms, prefix_ms, prefix_ms / cached_ms, cached_cpu, prefix_cpu, prefix_cpu / cached_cpu);
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
  const GemmFloor floor =
      measure_gemm_floor([&] { (*model.trainer)->train_on_batch({source, target_in}, {target_out}); }, 30);
  std::printf("config=transformer ms_per_step=%.2f floor_ms=%.2f ratio_to_floor=%.2f tokens_per_s=%.0f "
              "cpu_ms_per_step=%.2f\n",
              s.median * 1e3, floor.time.median * 1e3, s.median / floor.time.median,
              double(c.batch * c.decoder_steps()) / s.median, summarize(cpu_samples).median * 1e3);
  std::fprintf(stderr,
               "  transformer: step p10 %.2f ms, p90 %.2f ms over %d steps; floor p10 %.2f ms, p90 %.2f ms: %zu "
               "products, %.2f GFLOP\n",
               s.p10 * 1e3, s.p90 * 1e3, steps, floor.time.p10 * 1e3, floor.time.p90 * 1e3, floor.products,
               floor.gflop);
  std::fflush(stdout);

  Array sentence = random_ids(1, c.en_time, c.en_vocab, rng);
  for (std::size_t t = 15; t < c.en_time; ++t) sentence(0, t) = 0.0f;  // 15 words, post-padded as nmt pads them
  // Per sentence: greedy over 64 sentences at once (how nmt decodes), one
  // sentence alone (overhead-bound: a step of one position is mostly op
  // overhead), and beam 4 on one sentence.
  const int reps = quick ? 5 : 21;
  const Array batch = random_ids(64, c.en_time, c.en_vocab, rng);
  compare_decoding("greedy64", quick ? 3 : 9, [&](bool cached) { decode_greedy_batch(model, c, batch, cached); }, 64.0);
  compare_decoding("greedy1", reps, [&](bool cached) { decode(model, c, sentence, 1, cached); }, 1.0);
  compare_decoding("beam4", reps, [&](bool cached) { decode(model, c, sentence, 4, cached); }, 1.0);
}

}  // namespace kiln::bench

// kiln-bench-data: the data pipeline's costs (issue 16), in one invocation.
//   build/examples/kiln-bench-data [--quick] [--gigabytes G] [--threads N]
//
// 1. stream: fit over a generated stream of G GB (default 10) of one-hot
//    batches (128 x 20 x 2000 floats, 20 MB each, made per batch in a
//    prefetched map) on a small per-step classifier; prints the peak
//    resident memory (VmHWM), run first so the peak is its own.
// 2. loop: the seed NMT configuration (GRU 96, one-hot, Bahdanau attention,
//    batches of 64, 20 + 20 steps, vocabularies 229 / 343) trained by fit
//    over a dataset of ids mapped to one-hot per batch, against the
//    hand-written loop `nmt train` used before (kept here, minimal: shuffled
//    order, batch made, train_on_batch), in alternating rounds; per-step
//    medians with p10/p90.
// 3. prefetch: the same fit with a map that costs as much as a step (the
//    one-hot plus a busy wait of the measured step time), without and with
//    prefetch(2); the prefetched step against the plain one.
// BLAS runs one thread by default, so the prefetch thread has a core. On a
// shared machine the p10s (the steps that had their cores) are printed
// beside the medians.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <string>

#include "bench/timing.hpp"
#include "data/array_dataset.hpp"
#include "data/batching.hpp"
#include "data/generator_dataset.hpp"
#include "examples/command_line.hpp"
#include "examples/nmt/pair_dataset.hpp"
#include "examples/nmt/seq2seq.hpp"
#include "layers/dense.hpp"
#include "layers/initializers.hpp"
#include "models/callbacks.hpp"
#include "models/functional.hpp"
#include "ops/blas.hpp"
#include "ops/one_hot.hpp"

namespace {

using kiln::Array;
using kiln::bench::now_seconds;
using kiln::bench::Stats;
using kiln::bench::summarize;

// Peak resident set size of this process so far, in MB (VmHWM).
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1.0;
}

void print_stats(const char* name, const Stats& s) {
  std::printf("  %-28s median %7.2f ms  p10 %7.2f  p90 %7.2f\n", name, s.median * 1e3, s.p10 * 1e3, s.p90 * 1e3);
}

// Each step's wall time, batch end to batch end (making the batch included).
class StepTimes : public kiln::Callback {
 public:
  explicit StepTimes(std::vector<double>& out) : out_(out) {}
  void on_epoch_begin(std::size_t, const kiln::Logs&) override { last_ = now_seconds(); }
  void on_batch_end(std::size_t, const kiln::Logs&) override {
    const double now = now_seconds();
    out_.push_back(now - last_);
    last_ = now;
  }

 private:
  std::vector<double>& out_;
  double last_ = 0.0;
};

void busy_wait(double seconds) {
  const double until = now_seconds() + seconds;
  while (now_seconds() < until) {
  }
}

// ---------------------------------------------------------------- 1. stream

void bench_stream(double gigabytes) {
  constexpr std::size_t batch = 128, steps = 20, vocab = 2000, classes = 4;
  const double batch_bytes = double(batch * steps * vocab) * sizeof(float);
  const auto batches = std::size_t(gigabytes * 1e9 / batch_bytes);
  kiln::set_random_seed(1);
  auto in = kiln::Input({std::int64_t(steps), std::int64_t(vocab)}, "ids_one_hot");
  kiln::Dense dense({.units = classes, .activation = "softmax"});
  kiln::Functional model({in}, {dense(in)}, "stream_classifier");
  model->compile({.optimizer = "adam", .loss = "categorical_crossentropy"});
  // Ids drawn per batch; the one-hot (20 MB) is made in the map, on the
  // prefetch thread, and dropped after its step.
  auto stream = kiln::from_generator([](std::size_t index) {
    std::mt19937_64 rng(index);
    std::uniform_int_distribution<int> word(1, int(vocab) - 1);
    Array ids = Array::from_shape({batch, steps}), labels = Array::from_shape({batch, steps});
    for (std::size_t i = 0; i < ids.size(); ++i) {
      ids.data()[i] = float(word(rng));
      labels.data()[i] = float(int(ids.data()[i]) % int(classes));
    }
    return kiln::Batch{{ids}, {labels}, std::nullopt};
  });
  auto one_hot = stream->map([](kiln::Batch b) {
    // The encodings are fresh tensors: their arrays are moved out, not copied.
    kiln::Tensor x = kiln::one_hot(b.x[0], vocab), y = kiln::one_hot(b.y[0], classes);
    return kiln::Batch{{std::move(x.mutable_value())}, {std::move(y.mutable_value())}, std::nullopt};
  });
  std::vector<double> step_seconds;
  const double rss_before = peak_rss_mb();
  const double start = now_seconds();
  model->fit(one_hot->prefetch(2), {.epochs = 1, .verbose = 0,
                                    .callbacks = {std::make_shared<StepTimes>(step_seconds)},
                                    .steps_per_epoch = batches});
  const double seconds = now_seconds() - start;
  std::printf("stream: %.2f GB of one-hot batches (%zu batches of %.1f MB) through fit in %.1f s\n",
              double(batches) * batch_bytes / 1e9, batches, batch_bytes / 1e6, seconds);
  print_stats("step", summarize(step_seconds));
  std::printf("  peak RSS %.0f MB (before fit %.0f MB); bar: under 300 MB\n", peak_rss_mb(), rss_before);
}

// ---------------------------------------------------------------- 2. and 3. the seed NMT step

struct SeedData {
  nmt::Seq2SeqConfig config{.hidden = 96, .en_timesteps = 20, .fr_timesteps = 20, .en_vocab = 229, .fr_vocab = 343};
  Array source, target;  // ids, (N, 20) each
};

SeedData seed_data(std::size_t pairs) {
  SeedData d;
  d.source = Array::from_shape({pairs, d.config.en_timesteps});
  d.target = Array::from_shape({pairs, d.config.fr_timesteps});
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> en(1, int(d.config.en_vocab) - 1), fr(1, int(d.config.fr_vocab) - 1);
  for (auto& v : d.source) v = float(en(rng));
  for (auto& v : d.target) v = float(fr(rng));
  return d;
}

// The loop nmt/trainer.cpp ran before fit took a dataset: per epoch a fresh
// order, then per step the batch's rows, their model inputs, one
// train_on_batch. Returns each step's time.
void hand_loop(nmt::Seq2Seq& model, const SeedData& d, std::size_t batch, std::mt19937_64& rng,
               std::vector<double>& out) {
  const std::size_t n = d.source.shape()[0];
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  const auto inputs = nmt::seq2seq_inputs(d.config);
  for (std::size_t begin = 0; begin < n; begin += batch) {
    const double start = now_seconds();
    const std::vector<std::size_t> rows(order.begin() + std::ptrdiff_t(begin),
                                        order.begin() + std::ptrdiff_t(std::min(n, begin + batch)));
    const kiln::Batch b = inputs({{kiln::take_rows(d.source, rows), kiln::take_rows(d.target, rows)}, {}, std::nullopt});
    model.training->train_on_batch(b.x, b.y);
    out.push_back(now_seconds() - start);
  }
}

void fit_epoch(nmt::Seq2Seq& model, std::shared_ptr<kiln::Dataset> data, std::vector<double>& out) {
  model.training->fit(std::move(data), {.epochs = 1, .seed = 1, .verbose = 0,
                                        .callbacks = {std::make_shared<StepTimes>(out)}});
}

void bench_seed_step(bool quick) {
  const std::size_t batch = 64, steps_per_round = quick ? 4 : 10, rounds = quick ? 3 : 16;
  const SeedData d = seed_data(batch * steps_per_round);
  kiln::set_random_seed(1);
  nmt::Seq2Seq model = nmt::build_seq2seq(d.config);
  std::mt19937_64 rng(1);
  const auto inputs = nmt::seq2seq_inputs(d.config);
  std::vector<double> old_steps, fit_steps;
  hand_loop(model, d, batch, rng, old_steps);  // warm-up: allocations, first-touch pages
  old_steps.clear();
  for (std::size_t r = 0; r < rounds; ++r) {
    hand_loop(model, d, batch, rng, old_steps);
    fit_epoch(model, std::make_shared<nmt::PairDataset>(d.source, d.target, batch, r + 1)->map(inputs), fit_steps);
  }
  const Stats old_stats = summarize(old_steps), fit_stats = summarize(fit_steps);
  std::printf("loop: seed NMT step (%zu steps each, alternating rounds)\n", old_steps.size());
  print_stats("hand-written loop", old_stats);
  print_stats("fit over a Dataset", fit_stats);
  std::printf("  fit / hand loop = %.3f median, %.3f p10 (bar: within 3%%)\n", fit_stats.median / old_stats.median,
              fit_stats.p10 / old_stats.p10);

  // 3. A map as slow as the step, hidden by prefetch.
  const double step = fit_stats.median;
  auto slow = [inputs, step](kiln::Batch ids) {
    kiln::Batch b = inputs(std::move(ids));
    busy_wait(step);
    return b;
  };
  std::vector<double> plain, slow_steps, prefetched;
  for (std::size_t r = 0; r < rounds; ++r) {
    auto pairs = [&] { return std::make_shared<nmt::PairDataset>(d.source, d.target, batch, r + 1); };
    fit_epoch(model, pairs()->map(inputs), plain);
    fit_epoch(model, pairs()->map(slow), slow_steps);
    fit_epoch(model, pairs()->map(slow)->prefetch(2), prefetched);
  }
  const Stats plain_stats = summarize(plain), prefetched_stats = summarize(prefetched);
  std::printf("prefetch: a map costing one step (%.1f ms busy) on the seed NMT step\n", step * 1e3);
  print_stats("no slow map", plain_stats);
  print_stats("slow map", summarize(slow_steps));
  print_stats("slow map + prefetch(2)", prefetched_stats);
  std::printf("  prefetched / no slow map = %.3f median, %.3f p10 (bar: within 10%%)\n",
              prefetched_stats.median / plain_stats.median, prefetched_stats.p10 / plain_stats.p10);
}

}  // namespace

int main(int argc, char** argv) {
  const examples::CommandLine line(argc, argv, " [--quick] [--gigabytes G] [--threads N]\n");
  bool quick = false;
  double gigabytes = 10.0;
  std::size_t threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      line.print_usage();
      return 0;
    } else if (a == "--quick") {
      quick = true;
      gigabytes = 1.0;
    } else if (a == "--gigabytes") {
      gigabytes = line.number(i, 0.001, 1000.0);
    } else if (a == "--threads") {
      threads = line.whole(i, 1, 1024);
    } else {
      line.fail("unknown flag '" + a + "'");
    }
  }
  kiln::set_num_threads(int(threads));
  bench_stream(gigabytes);
  bench_seed_step(quick);
  return 0;
}

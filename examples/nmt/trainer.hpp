#pragma once
// The training loop of the NMT example, the seed's model_helper.train: per
// epoch, the pairs in a fresh seeded order, cut into batches whose one-hot
// encoder input, decoder input target[:, :-1] and decoder target
// target[:, 1:] are built only when needed, so memory holds id matrices and
// one batch, not the whole corpus one-hot (28,000 pairs would be ~2 GB).
// Keras' progress bar shows the running loss and accuracy.

#include <csignal>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "examples/nmt/seq2seq.hpp"
#include "training/history.hpp"

namespace nmt {

// Where a run is in its data order: everything besides the weights and the
// optimizer state that a resumed run needs to continue exactly as the
// uninterrupted one would have.
struct TrainingPosition {
  std::size_t epoch = 0;      // 0-based epoch in progress (== epochs when done)
  std::size_t step = 0;       // the next step of that epoch
  std::string order_rng;      // the order generator's state before that epoch's shuffle
  std::vector<std::size_t> order;  // the order before that shuffle (each epoch shuffles the last one's)
  double loss_sum = 0.0, accuracy_sum = 0.0;  // the epoch's running totals so far
  std::size_t seen = 0;                       // pairs those totals cover
};

struct TrainingSettings {
  std::size_t epochs = 10;
  std::size_t batch_size = 64;
  std::uint64_t seed = 1;       // the order of the pairs in each epoch
  bool verbose = true;          // progress bar on `out`
  std::ostream* out = nullptr;  // default std::cout
  std::vector<double>* step_seconds = nullptr;  // when set, receives each step's wall time
  const TrainingPosition* resume_from = nullptr;  // continue there instead of starting afresh
  // Called with the position after every `checkpoint_every` epochs (0: never)
  // and when `stop` became non-zero (checked after every step); training
  // then returns with `interrupted` set.
  std::size_t checkpoint_every = 0;
  std::function<void(const TrainingPosition&)> checkpoint = {};
  const volatile std::sig_atomic_t* stop = nullptr;
  bool* interrupted = nullptr;
};

// Trains model.training on English ids (N, en_timesteps) and wrapped French
// ids (N, fr_timesteps). Returns the per-epoch mean loss and accuracy.
kiln::History train_seq2seq(Seq2Seq& model, const kiln::Array& source_ids, const kiln::Array& target_ids,
                            const TrainingSettings& settings);

// The batch of rows `rows`: x = [encoder input, decoder input], y = [decoder target].
struct TrainingBatch {
  std::vector<kiln::Array> x, y;
};
TrainingBatch make_batch(const Seq2SeqConfig& config, const kiln::Array& source_ids, const kiln::Array& target_ids,
                         const std::vector<std::size_t>& rows);

}  // namespace nmt

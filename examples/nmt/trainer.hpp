#pragma once
// How `nmt train` trains the seed's model: Model::fit over the training
// pairs as a dataset (pair_dataset.hpp), the ids made into one-hot inputs
// per batch in a map, with Keras' progress bar, and two callbacks of the
// example's own: one times each step, the other writes resumable
// checkpoints (every `checkpoint_every` epochs, and when a signal asks the
// run to stop after the current step).

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
// ids (N, fr_timesteps). Returns fit's history: the per-epoch mean loss and
// accuracy of the epochs run.
kiln::History train_seq2seq(Seq2Seq& model, const kiln::Array& source_ids, const kiln::Array& target_ids,
                            const TrainingSettings& settings);

}  // namespace nmt

#pragma once
// The training loop of the NMT example, the seed's model_helper.train: per
// epoch, the pairs in a fresh seeded order, cut into batches whose one-hot
// encoder input, decoder input target[:, :-1] and decoder target
// target[:, 1:] are built only when needed, so memory holds id matrices and
// one batch, not the whole corpus one-hot (28,000 pairs would be ~2 GB).
// Keras' progress bar shows the running loss and accuracy.

#include <cstdint>
#include <ostream>
#include <vector>

#include "examples/nmt/seq2seq.hpp"
#include "training/history.hpp"

namespace nmt {

struct TrainingSettings {
  std::size_t epochs = 10;
  std::size_t batch_size = 64;
  std::uint64_t seed = 1;       // the order of the pairs in each epoch
  bool verbose = true;          // progress bar on `out`
  std::ostream* out = nullptr;  // default std::cout
  std::vector<double>* step_seconds = nullptr;  // when set, receives each step's wall time
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

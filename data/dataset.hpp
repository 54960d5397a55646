#pragma once
// Dataset: a source of batches, the contract of Keras 3's PyDataset, which
// fit, evaluate and predict read from:
//
//   num_batches()    how many batches an epoch has, or nothing for a stream
//                    whose length is unknown (it ends when get_batch throws
//                    DataExhausted);
//   get_batch(i)     batch i of the epoch (0-based), called in increasing
//                    order during an epoch;
//   on_epoch_end()   after every epoch that read the data to its end or to
//                    fit's steps_per_epoch (a shuffled source takes its next
//                    order here).
//
// Users subclass it (override those three), or start from a ready-made
// source (data/array_dataset.hpp, data/generator_dataset.hpp,
// data/text_line_dataset.hpp) and chain transformations, each returning a
// new dataset that reads this one:
//
//   auto data = kiln::from_arrays({x}, {y}, {.batch_size = 64})
//                   ->map(one_hot_inputs)
//                   ->prefetch(2);
//
// Datasets are shared (std::shared_ptr): a transformation keeps its source
// alive. A dataset is read by one consumer at a time.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "data/batch.hpp"
#include "graph/error.hpp"

namespace kiln {

// Thrown by get_batch past the last batch; a stream of unknown length
// ends this way.
class DataExhausted : public Error {
 public:
  using Error::Error;
};

// One process's part of every batch in data-parallel training: rank r of
// `count` gets rows [r*B/count, (r+1)*B/count) of a batch of B rows
// (distributed/row_shard.hpp).
struct Shard {
  int rank = 0;
  int count = 1;
  bool whole() const { return count == 1; }
  bool operator==(const Shard&) const = default;
};

struct PaddedBatchOptions;
struct BucketOptions;

class Dataset : public std::enable_shared_from_this<Dataset> {
 public:
  virtual ~Dataset() = default;

  virtual std::optional<std::size_t> num_batches() const = 0;
  virtual Batch get_batch(std::size_t index) = 0;
  virtual void on_epoch_end() {}

  // This process's rows of batch `index`. The default reads the whole batch
  // and keeps the shard's rows; sources that can read fewer rows (arrays)
  // override it, and transformations pass it to their source, so a map
  // prepares only the shard.
  virtual Batch get_batch_shard(std::size_t index, Shard shard);

  // Called once by fit before the first epoch with its seed (FitOptions::seed
  // or a draw of the global generator; rank 0's under data parallelism),
  // so shuffled sources take the run's order. Transformations pass it on.
  virtual void reseed(std::uint64_t /*seed*/) {}

  // --- transformations (each returns a new dataset reading this one) ---
  using BatchFunction = std::function<Batch(Batch)>;
  // f applied to every batch (one-hot encoding, padding, a mask as sample weight).
  std::shared_ptr<Dataset> map(BatchFunction f);
  // Batches in a random order drawn from a buffer of `buffer_size` batches
  // (tf.data's shuffle, reshuffled every epoch). seed 0: from fit's seed.
  std::shared_ptr<Dataset> shuffle(std::size_t buffer_size, std::uint64_t seed = 0);
  // The first `count` batches.
  std::shared_ptr<Dataset> take(std::size_t count);
  // All but the first `count` batches.
  std::shared_ptr<Dataset> skip(std::size_t count);
  // The data `count` times over, or forever (a stream of unknown length).
  std::shared_ptr<Dataset> repeat(std::optional<std::size_t> count = std::nullopt);
  // Batches of `batch_size` samples from a dataset of samples (batches of
  // one row), each array padded along axis 1 to the batch's longest. (Its
  // options: data/padded_batch_dataset.hpp; bucket_by_length's:
  // data/bucket_by_length_dataset.hpp.)
  std::shared_ptr<Dataset> padded_batch(PaddedBatchOptions options);
  // Samples grouped by length into buckets, each emitted padded when full.
  std::shared_ptr<Dataset> bucket_by_length(BucketOptions options);
  // Prepares up to `depth` batches ahead on a background thread while the
  // caller trains on the current one.
  std::shared_ptr<Dataset> prefetch(std::size_t depth);
};

}  // namespace kiln

#pragma once
// dataset->padded_batch({.batch_size = 64}): tf.data's padded_batch. The
// source gives samples (batches of one row, or a few) of different
// lengths; each batch here is batch_size consecutive samples padded to the
// longest of them (data/padding.hpp), so padding is per batch, not to the
// longest sentence of the corpus. The last batch may be smaller.

#include "data/dataset.hpp"
#include "data/padding.hpp"

namespace kiln {

struct PaddedBatchOptions {
  std::size_t batch_size = 32;
  SequencePadding padding = {};
};

class PaddedBatchDataset : public Dataset {
 public:
  PaddedBatchDataset(std::shared_ptr<Dataset> source, PaddedBatchOptions options);
  std::optional<std::size_t> num_batches() const override;
  Batch get_batch(std::size_t index) override;
  void on_epoch_end() override { source_->on_epoch_end(); }
  void reseed(std::uint64_t seed) override { source_->reseed(seed); }

 private:
  std::shared_ptr<Dataset> source_;
  PaddedBatchOptions options_;
};

}  // namespace kiln

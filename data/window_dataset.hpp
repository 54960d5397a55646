#pragma once
// dataset->take(n) and dataset->skip(n): the batches [skip, skip + take) of
// the source's epoch. Taking more than there are gives what there is.

#include "data/dataset.hpp"

namespace kiln {

class WindowDataset : public Dataset {
 public:
  // Batches [first, first + count) of the source; count nothing: to the end.
  WindowDataset(std::shared_ptr<Dataset> source, std::size_t first, std::optional<std::size_t> count);
  // Known when the source's length is, or when a take of a stream is empty.
  std::optional<std::size_t> num_batches() const override;
  Batch get_batch(std::size_t index) override { return get_batch_shard(index, {}); }
  Batch get_batch_shard(std::size_t index, Shard shard) override;
  void on_epoch_end() override { source_->on_epoch_end(); }
  void reseed(std::uint64_t seed) override { source_->reseed(seed); }

 private:
  std::shared_ptr<Dataset> source_;
  std::size_t first_;
  std::optional<std::size_t> count_;
};

}  // namespace kiln

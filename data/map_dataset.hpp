#pragma once
// dataset->map(f): f applied to every batch as it is read (to the shard
// only, under data parallelism), so a one-hot encoding or padding is made
// per batch and the whole data never exists in that form.

#include "data/dataset.hpp"

namespace kiln {

class MapDataset : public Dataset {
 public:
  MapDataset(std::shared_ptr<Dataset> source, BatchFunction f);
  std::optional<std::size_t> num_batches() const override { return source_->num_batches(); }
  Batch get_batch(std::size_t index) override { return f_(source_->get_batch(index)); }
  Batch get_batch_shard(std::size_t index, Shard shard) override {
    return f_(source_->get_batch_shard(index, shard));
  }
  void on_epoch_end() override { source_->on_epoch_end(); }
  void reseed(std::uint64_t seed) override { source_->reseed(seed); }

 private:
  std::shared_ptr<Dataset> source_;
  BatchFunction f_;
};

}  // namespace kiln

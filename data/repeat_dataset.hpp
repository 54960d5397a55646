#pragma once
// dataset->repeat(count): the source's epochs one after another, `count`
// times or forever. The source's on_epoch_end runs between its passes, so a
// shuffled source takes a new order for each.

#include "data/dataset.hpp"

namespace kiln {

class RepeatDataset : public Dataset {
 public:
  RepeatDataset(std::shared_ptr<Dataset> source, std::optional<std::size_t> count);
  // count * the source's length; unknown when repeated forever or over a stream.
  std::optional<std::size_t> num_batches() const override;
  Batch get_batch(std::size_t index) override { return get_batch_shard(index, {}); }
  Batch get_batch_shard(std::size_t index, Shard shard) override;
  void on_epoch_end() override;
  void reseed(std::uint64_t seed) override { source_->reseed(seed); }

 private:
  // Starts the source's next pass (kiln::DataExhausted after the last).
  void next_pass();

  std::shared_ptr<Dataset> source_;
  std::optional<std::size_t> count_;
  std::size_t pass_ = 0;         // the source's pass being read
  std::size_t pass_start_ = 0;   // our index of its first batch
  std::size_t next_index_ = 0;   // the index read next, to spot a restart
};

}  // namespace kiln

#include "data/repeat_dataset.hpp"

#include <string>

namespace kiln {

RepeatDataset::RepeatDataset(std::shared_ptr<Dataset> source, std::optional<std::size_t> count)
    : source_(std::move(source)), count_(count) {
  if (!source_) throw Error("Dataset::repeat: null source");
}

std::optional<std::size_t> RepeatDataset::num_batches() const {
  const auto once = source_->num_batches();
  if (count_ && (*count_ == 0 || once == std::size_t{0})) return 0;
  if (!count_ || !once) return std::nullopt;
  return *count_ * *once;
}

void RepeatDataset::next_pass() {
  source_->on_epoch_end();
  ++pass_;
  if (count_ && pass_ >= *count_) throw DataExhausted("Dataset::repeat: all passes read");
}

// Reads on through the source; at a pass's end (its length, or
// DataExhausted for a stream) it starts the next pass. A pass that ends
// before giving any batch means an empty source: the repeat is empty too.
Batch RepeatDataset::get_batch_shard(std::size_t index, Shard shard) {
  if (count_ == std::size_t{0}) throw DataExhausted("Dataset::repeat(0) is empty");
  if (index < next_index_ && index < pass_start_) {
    throw Error("Dataset::repeat: batch " + std::to_string(index) + " was asked for after batch " +
                std::to_string(next_index_ - 1) + " (a repeated dataset is read in order within an epoch)");
  }
  const auto once = source_->num_batches();
  while (true) {
    if (once && index - pass_start_ >= *once) {
      if (*once == 0) throw DataExhausted("Dataset::repeat: the source is empty");
      pass_start_ += *once;
      next_pass();
      continue;
    }
    try {
      Batch batch = source_->get_batch_shard(index - pass_start_, shard);
      next_index_ = index + 1;
      return batch;
    } catch (const DataExhausted&) {
      if (once) throw;
      if (index == pass_start_) throw DataExhausted("Dataset::repeat: the source is empty");
      pass_start_ = index;
      next_pass();
    }
  }
}

void RepeatDataset::on_epoch_end() {
  source_->on_epoch_end();
  pass_ = 0;
  pass_start_ = 0;
  next_index_ = 0;
}

}  // namespace kiln

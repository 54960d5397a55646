#include "data/window_dataset.hpp"

#include <algorithm>
#include <string>

namespace kiln {

WindowDataset::WindowDataset(std::shared_ptr<Dataset> source, std::size_t first, std::optional<std::size_t> count)
    : source_(std::move(source)), first_(first), count_(count) {
  if (!source_) throw Error("Dataset take/skip: null source");
}

std::optional<std::size_t> WindowDataset::num_batches() const {
  const auto total = source_->num_batches();
  if (!total) return count_ == std::size_t{0} ? count_ : std::nullopt;
  const std::size_t left = *total > first_ ? *total - first_ : 0;
  return count_ ? std::min(left, *count_) : left;
}

Batch WindowDataset::get_batch_shard(std::size_t index, Shard shard) {
  if (count_ && index >= *count_) {
    throw DataExhausted("Dataset::take(" + std::to_string(*count_) + "): batch " + std::to_string(index) +
                        " is past the last");
  }
  return source_->get_batch_shard(first_ + index, shard);
}

}  // namespace kiln

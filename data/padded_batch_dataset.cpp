#include "data/padded_batch_dataset.hpp"

#include <string>

namespace kiln {

PaddedBatchDataset::PaddedBatchDataset(std::shared_ptr<Dataset> source, PaddedBatchOptions options)
    : source_(std::move(source)), options_(std::move(options)) {
  if (!source_) throw Error("Dataset::padded_batch: null source");
  if (options_.batch_size == 0) throw Error("Dataset::padded_batch: batch_size must be positive");
}

std::optional<std::size_t> PaddedBatchDataset::num_batches() const {
  const auto samples = source_->num_batches();
  if (!samples) return std::nullopt;
  return (*samples + options_.batch_size - 1) / options_.batch_size;
}

Batch PaddedBatchDataset::get_batch(std::size_t index) {
  const auto samples = source_->num_batches();
  const std::size_t first = index * options_.batch_size;
  if (samples && first >= *samples) {
    throw DataExhausted("Dataset::padded_batch: batch " + std::to_string(index) + " is past the last");
  }
  std::vector<Batch> group;
  for (std::size_t i = first; i < first + options_.batch_size && (!samples || i < *samples); ++i) {
    try {
      group.push_back(source_->get_batch(i));
    } catch (const DataExhausted&) {
      if (group.empty()) throw;
      break;  // a stream's last, smaller batch
    }
  }
  return pad_and_stack(group, options_.padding);
}

}  // namespace kiln

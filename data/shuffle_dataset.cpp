#include "data/shuffle_dataset.hpp"

#include "layers/initializers.hpp"

namespace kiln {

ShuffleDataset::ShuffleDataset(std::shared_ptr<Dataset> source, std::size_t buffer_size, std::uint64_t seed)
    : source_(std::move(source)), buffer_size_(buffer_size), seed_(seed) {
  if (!source_) throw Error("Dataset::shuffle: null source");
  if (buffer_size_ == 0) throw Error("Dataset::shuffle: buffer_size must be positive");
}

void ShuffleDataset::reseed(std::uint64_t seed) {
  source_->reseed(seed);
  if (seed_ != 0 || seeded_) return;
  // Not the source's stream: a source shuffled from the same seed must not
  // draw the same numbers.
  seed_ = seed ^ 0x9e3779b97f4a7c15ull;
  rng_.seed(seed_);
  seeded_ = true;
}

std::optional<Batch> ShuffleDataset::read_source() {
  if (source_ended_) return std::nullopt;
  try {
    return source_->get_batch(source_next_++);
  } catch (const DataExhausted&) {
    source_ended_ = true;
    return std::nullopt;
  }
}

std::optional<Batch> ShuffleDataset::read_next() {
  if (!seeded_) {
    rng_.seed(seed_ != 0 ? seed_ : global_generator()());
    seeded_ = true;
  }
  while (buffer_.size() < buffer_size_) {
    auto batch = read_source();
    if (!batch) break;
    buffer_.push_back(std::move(*batch));
  }
  if (buffer_.empty()) return std::nullopt;
  const std::size_t pick = std::uniform_int_distribution<std::size_t>(0, buffer_.size() - 1)(rng_);
  Batch out = std::move(buffer_[pick]);
  if (auto next = read_source()) {
    buffer_[pick] = std::move(*next);
  } else {
    if (pick + 1 != buffer_.size()) buffer_[pick] = std::move(buffer_.back());
    buffer_.pop_back();
  }
  return out;
}

void ShuffleDataset::rewind() {
  buffer_.clear();
  source_next_ = 0;
  source_ended_ = false;
}

void ShuffleDataset::on_epoch_end() {
  source_->on_epoch_end();
  SequentialDataset::on_epoch_end();
}

}  // namespace kiln

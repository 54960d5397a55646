#include "data/bucket_by_length_dataset.hpp"

#include <algorithm>
#include <string>

namespace kiln {

BucketByLengthDataset::BucketByLengthDataset(std::shared_ptr<Dataset> source, BucketOptions options)
    : source_(std::move(source)), options_(std::move(options)) {
  if (!source_) throw Error("Dataset::bucket_by_length: null source");
  if (!std::is_sorted(options_.boundaries.begin(), options_.boundaries.end()) ||
      std::adjacent_find(options_.boundaries.begin(), options_.boundaries.end()) != options_.boundaries.end()) {
    throw Error("Dataset::bucket_by_length: boundaries must be strictly increasing");
  }
  if (options_.batch_sizes.size() != options_.boundaries.size() + 1) {
    throw Error("Dataset::bucket_by_length: " + std::to_string(options_.boundaries.size()) + " boundaries make " +
                std::to_string(options_.boundaries.size() + 1) + " buckets, but " +
                std::to_string(options_.batch_sizes.size()) + " batch sizes were given");
  }
  if (std::count(options_.batch_sizes.begin(), options_.batch_sizes.end(), std::size_t{0}) != 0) {
    throw Error("Dataset::bucket_by_length: batch sizes must be positive");
  }
  if (!options_.length) options_.length = sequence_length;
  buckets_.resize(options_.batch_sizes.size());
}

std::size_t BucketByLengthDataset::bucket_of(std::size_t length) const {
  return std::size_t(std::upper_bound(options_.boundaries.begin(), options_.boundaries.end(), length) -
                     options_.boundaries.begin());
}

std::optional<Batch> BucketByLengthDataset::read_next() {
  while (!source_ended_) {
    Batch sample;
    try {
      sample = source_->get_batch(source_next_++);
    } catch (const DataExhausted&) {
      source_ended_ = true;
      break;
    }
    auto& bucket = buckets_[bucket_of(options_.length(sample))];
    bucket.push_back(std::move(sample));
    if (bucket.size() == options_.batch_sizes[std::size_t(&bucket - buckets_.data())]) {
      Batch out = pad_and_stack(bucket, options_.padding);
      bucket.clear();
      return out;
    }
  }
  for (auto& bucket : buckets_) {
    if (bucket.empty()) continue;
    Batch out = pad_and_stack(bucket, options_.padding);
    bucket.clear();
    return out;
  }
  return std::nullopt;
}

void BucketByLengthDataset::rewind() {
  for (auto& bucket : buckets_) bucket.clear();
  source_next_ = 0;
  source_ended_ = false;
}

void BucketByLengthDataset::on_epoch_end() {
  source_->on_epoch_end();
  SequentialDataset::on_epoch_end();
}

}  // namespace kiln

#pragma once
// dataset->bucket_by_length(...): tf.data's bucket_by_sequence_length.
// Samples go into buckets by length (bucket i holds lengths in
// [boundaries[i-1], boundaries[i])); a bucket that holds its batch size of
// samples is emitted as one padded batch, so sentences of similar length
// train together and little padding is computed. At the end of the source
// the partly filled buckets are emitted, shortest first.

#include <functional>
#include <vector>

#include "data/padding.hpp"
#include "data/sequential_dataset.hpp"

namespace kiln {

struct BucketOptions {
  std::vector<std::size_t> boundaries;   // increasing
  std::vector<std::size_t> batch_sizes;  // one per bucket: boundaries.size() + 1
  // A sample's length; default: its first input's second axis.
  std::function<std::size_t(const Batch&)> length = {};
  SequencePadding padding = {};
};

class BucketByLengthDataset : public SequentialDataset {
 public:
  BucketByLengthDataset(std::shared_ptr<Dataset> source, BucketOptions options);
  // Unknown: it depends on the lengths.
  std::optional<std::size_t> num_batches() const override { return std::nullopt; }
  void on_epoch_end() override;
  void reseed(std::uint64_t seed) override { source_->reseed(seed); }

 protected:
  void rewind() override;
  std::optional<Batch> read_next() override;

 private:
  std::size_t bucket_of(std::size_t length) const;

  std::shared_ptr<Dataset> source_;
  BucketOptions options_;
  std::vector<std::vector<Batch>> buckets_;
  std::size_t source_next_ = 0;
  bool source_ended_ = false;
};

}  // namespace kiln

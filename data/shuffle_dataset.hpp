#pragma once
// dataset->shuffle(buffer_size): tf.data's shuffle over batches. The first
// buffer_size batches fill a buffer; each read returns a random one of them
// and puts the source's next batch in its place, so a buffer as large as
// the data shuffles it uniformly and a small one only locally. Every epoch
// draws a new order from the same generator.

#include <random>
#include <vector>

#include "data/sequential_dataset.hpp"

namespace kiln {

class ShuffleDataset : public SequentialDataset {
 public:
  // seed 0: fit's seed (reseed), or the global generator's next draw.
  ShuffleDataset(std::shared_ptr<Dataset> source, std::size_t buffer_size, std::uint64_t seed);
  std::optional<std::size_t> num_batches() const override { return source_->num_batches(); }
  void on_epoch_end() override;
  void reseed(std::uint64_t seed) override;

 protected:
  void rewind() override;
  std::optional<Batch> read_next() override;

 private:
  std::optional<Batch> read_source();

  std::shared_ptr<Dataset> source_;
  std::size_t buffer_size_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  bool seeded_ = false;
  std::vector<Batch> buffer_;
  std::size_t source_next_ = 0;
  bool source_ended_ = false;
};

}  // namespace kiln

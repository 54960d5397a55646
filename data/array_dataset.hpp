#pragma once
// A dataset over whole arrays (first axis the sample), as fit(x, y) reads
// them: batches of batch_size rows in an order shuffled afresh every epoch.
// The arrays are held, not copied: from_arrays takes them by value (move
// them in), and fit's array path lends its arguments (borrow()).
// Under data parallelism each process copies only its shard's rows.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "data/dataset.hpp"

namespace kiln {

struct ArrayDatasetOptions {
  std::size_t batch_size = 32;
  bool shuffle = true;
  // The order's seed; 0 = fit's seed (Dataset::reseed), or the global
  // generator's next draw when read outside fit.
  std::uint64_t seed = 0;
  // Only rows [begin, end) (end 0: to the last row), e.g. fit's validation_split.
  std::size_t begin = 0;
  std::size_t end = 0;
};

class ArrayDataset : public Dataset {
 public:
  // Throws kiln::Error when x is empty, batch_size is 0, the arrays
  // disagree on the number of rows, or [begin, end) is not within them.
  using Arrays = std::shared_ptr<const std::vector<Array>>;
  ArrayDataset(Arrays x, Arrays y, std::shared_ptr<const Array> sample_weight, ArrayDatasetOptions options);

  std::optional<std::size_t> num_batches() const override;
  Batch get_batch(std::size_t index) override;
  Batch get_batch_shard(std::size_t index, Shard shard) override;
  void on_epoch_end() override;
  void reseed(std::uint64_t seed) override;

  std::size_t samples() const { return order_.size(); }

 private:
  void seed_once();
  Batch rows_at(std::size_t first, std::size_t last) const;  // positions [first, last) of the order

  Arrays x_, y_;
  std::shared_ptr<const Array> sample_weight_;  // null: none
  ArrayDatasetOptions options_;
  std::vector<std::size_t> order_;  // the epoch's row order
  std::mt19937_64 rng_;
  bool seeded_ = false;  // the first epoch's order is drawn
};

// A dataset over arrays the caller moves in.
std::shared_ptr<ArrayDataset> from_arrays(std::vector<Array> x, std::vector<Array> y, ArrayDatasetOptions options = {},
                                          std::optional<Array> sample_weight = std::nullopt);

// A value the caller keeps alive for as long as the dataset is read, lent
// without a copy (fit's array path lends its arguments).
template <class T>
std::shared_ptr<const T> borrow(const T& value) {
  return std::shared_ptr<const T>(&value, [](const T*) {});
}

}  // namespace kiln

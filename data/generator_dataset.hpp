#pragma once
// A dataset from a function, as Keras' fit takes a Python generator: the
// function is called with the batch's index within the epoch and returns
// the batch, or nothing at the end of the data. Made batches are never
// stored, so a stream of any size runs in the memory of a few batches.

#include <functional>

#include "data/dataset.hpp"

namespace kiln {

using BatchGenerator = std::function<std::optional<Batch>(std::size_t index)>;

class GeneratorDataset : public Dataset {
 public:
  // num_batches: the epoch's length when known (nothing: a stream read
  // until the function returns nothing, or forever).
  GeneratorDataset(BatchGenerator generate, std::optional<std::size_t> num_batches);
  std::optional<std::size_t> num_batches() const override { return num_batches_; }
  Batch get_batch(std::size_t index) override;

 private:
  BatchGenerator generate_;
  std::optional<std::size_t> num_batches_;
};

std::shared_ptr<GeneratorDataset> from_generator(BatchGenerator generate,
                                                 std::optional<std::size_t> num_batches = std::nullopt);

}  // namespace kiln

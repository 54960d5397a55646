#include "data/generator_dataset.hpp"

#include <string>

namespace kiln {

GeneratorDataset::GeneratorDataset(BatchGenerator generate, std::optional<std::size_t> num_batches)
    : generate_(std::move(generate)), num_batches_(num_batches) {
  if (!generate_) throw Error("from_generator: the function is empty");
}

Batch GeneratorDataset::get_batch(std::size_t index) {
  if (num_batches_ && index >= *num_batches_) {
    throw DataExhausted("from_generator: batch " + std::to_string(index) + " is past the last (" +
                        std::to_string(*num_batches_) + " batches)");
  }
  std::optional<Batch> batch = generate_(index);
  if (!batch) throw DataExhausted("from_generator: the generator ended at batch " + std::to_string(index));
  return std::move(*batch);
}

std::shared_ptr<GeneratorDataset> from_generator(BatchGenerator generate, std::optional<std::size_t> num_batches) {
  return std::make_shared<GeneratorDataset>(std::move(generate), num_batches);
}

}  // namespace kiln

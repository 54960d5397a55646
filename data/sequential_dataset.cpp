#include "data/sequential_dataset.hpp"

#include <string>

namespace kiln {

Batch SequentialDataset::get_batch(std::size_t index) {
  if (index < next_) {
    rewind();
    next_ = 0;
  }
  for (;;) {
    std::optional<Batch> batch = read_next();
    if (!batch) {
      throw DataExhausted("dataset: batch " + std::to_string(index) + " is past the last (" + std::to_string(next_) +
                          " batches)");
    }
    if (next_++ == index) return std::move(*batch);
  }
}

void SequentialDataset::on_epoch_end() {
  rewind();
  next_ = 0;
}

}  // namespace kiln

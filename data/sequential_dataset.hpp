#pragma once
// Base of datasets that can only be read front to back (a text file, a
// shuffle buffer, length buckets): batch i is found by reading on from the
// last one read, and asking for an earlier batch starts again from the
// beginning. on_epoch_end starts the next epoch from the beginning.

#include "data/dataset.hpp"

namespace kiln {

class SequentialDataset : public Dataset {
 public:
  Batch get_batch(std::size_t index) final;
  void on_epoch_end() override;

 protected:
  // Back to the first batch.
  virtual void rewind() = 0;
  // The next batch, or nothing at the end.
  virtual std::optional<Batch> read_next() = 0;

 private:
  std::size_t next_ = 0;  // the index read_next() returns next
};

}  // namespace kiln

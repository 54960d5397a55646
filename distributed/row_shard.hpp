#pragma once
// Which rows of a global batch one process trains on in data-parallel
// training: contiguous, in rank order, sizes differing by at most one.
// Rank r of N gets rows [r*B/N, (r+1)*B/N) of a batch of B rows, so a batch
// of 13 on 2 processes splits 6 + 7, and a batch of 1 leaves rank 0 empty.

#include <cstddef>

namespace kiln {

struct RowShard {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
};

// Throws kiln::Error naming the values when size < 1 or rank is outside [0, size).
RowShard row_shard(std::size_t rows, int rank, int size);

}  // namespace kiln

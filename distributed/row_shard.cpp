#include "distributed/row_shard.hpp"

#include <string>

#include "graph/error.hpp"

namespace kiln {

RowShard row_shard(std::size_t rows, int rank, int size) {
  if (size < 1) throw Error("row_shard: a job needs at least 1 process, got size " + std::to_string(size));
  if (rank < 0 || rank >= size) {
    throw Error("row_shard: rank " + std::to_string(rank) + " is not in a job of " + std::to_string(size) +
                " processes (ranks 0.." + std::to_string(size - 1) + ")");
  }
  const auto n = std::size_t(size), r = std::size_t(rank);
  return {r * rows / n, (r + 1) * rows / n};
}

}  // namespace kiln

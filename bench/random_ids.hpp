#pragma once
// Random token ids for the benchmarks' batches: a (batch, time) array of ids
// from 1 to vocab - 1 (0 is padding), as floats, the way kiln's models take ids.

#include <cstddef>
#include <random>

#include "graph/tensor.hpp"

namespace kiln::bench {

inline Array random_ids(std::size_t batch, std::size_t time, std::size_t vocab, std::mt19937_64& rng) {
  Array ids = Array::from_shape({batch, time});
  std::uniform_int_distribution<std::size_t> pick(1, vocab - 1);
  for (auto& v : ids) v = float(pick(rng));
  return ids;
}

}  // namespace kiln::bench

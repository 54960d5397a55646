#pragma once
// The BLAS floor of a step: the step's own matrix products (recorded by
// kiln::GemmLog while it runs once), replayed alone through ops/blas (with
// the step's threading) and timed. A
// step can go no faster than this with the same products, so the ratio
// step / floor is the time spent outside BLAS (element-wise work, memory
// traffic, single-threaded phases, overhead).

#include <functional>

#include "bench/timing.hpp"

namespace kiln::bench {

struct GemmFloor {
  Stats time;      // seconds per replay of the step's products
  double gflop;    // the step's products, 2 m n k each
  std::size_t products;
};

// Runs `step` once under a GemmLog, then times `reps` replays of what it recorded.
GemmFloor measure_gemm_floor(const std::function<void()>& step, int reps);

}  // namespace kiln::bench

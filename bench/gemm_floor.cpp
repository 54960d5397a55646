#include "bench/gemm_floor.hpp"

#include "ops/gemm_log.hpp"

namespace kiln::bench {

namespace {

std::vector<GemmCall> record_products(const std::function<void()>& step) {
  GemmLog log;
  step();
  return log.calls();
}

}  // namespace

GemmFloor measure_gemm_floor(const std::function<void()>& step, int reps) {
  GemmReplay replay(record_products(step));
  return {time_it([&] { replay.run(); }, reps), replay.flops() / 1e9, replay.size()};
}

}  // namespace kiln::bench

#include "models/data_parallel.hpp"

#include <iostream>
#include <numeric>
#include <string>

#include "graph/error.hpp"

namespace kiln {

DataParallel::DataParallel(std::shared_ptr<Communicator> communicator) : collectives_(std::move(communicator)) {}

void DataParallel::synchronize_weights(const std::vector<Tensor>& weights) {
  if (synchronized_) return;
  collectives_.broadcast_values(weights, 0);
  synchronized_ = true;
}

RowShard DataParallel::shard(std::size_t rows) const {
  return row_shard(rows, communicator().rank(), communicator().size());
}

DataParallel::StepShare DataParallel::share_step(const Batch& shard, Reduction reduction) {
  const bool by_weight = shard.sample_weight.has_value() && reduction == Reduction::mean_with_sample_weight;
  double totals[2] = {double(shard.rows()), 0.0};
  if (by_weight) {
    const Array& w = *shard.sample_weight;
    totals[1] = std::accumulate(w.data(), w.data() + w.size(), 0.0);
  }
  const double mine = by_weight ? totals[1] : totals[0];
  communicator().allreduce_sum(totals, 2);
  const double all = by_weight ? totals[1] : totals[0];
  return {all != 0.0 ? mine / all : 0.0, std::size_t(totals[0])};
}

void DataParallel::allreduce_gradients(const std::vector<Tensor>& weights, double share) {
  collectives_.allreduce_gradients(weights, float(share));
}

void DataParallel::allreduce_sums(std::vector<MetricSums>& sums) {
  sums_buffer_.resize(2 * sums.size());
  for (std::size_t i = 0; i < sums.size(); ++i) {
    sums_buffer_[2 * i] = sums[i].total;
    sums_buffer_[2 * i + 1] = sums[i].weight;
  }
  communicator().allreduce_sum(sums_buffer_.data(), sums_buffer_.size());
  for (std::size_t i = 0; i < sums.size(); ++i) sums[i] = {sums_buffer_[2 * i], sums_buffer_[2 * i + 1]};
}

void DataParallel::end_job_after_failure(const std::exception& error) {
  if (communicator().size() == 1) return;
  std::cerr << "kiln: training failed on " << communicator().describe() << ": " << error.what()
            << "\nkiln: ending every process of the job\n" << std::flush;
  communicator().abort_job(1);
}

bool DataParallel::any_rank(bool flag) {
  double count = flag ? 1.0 : 0.0;
  communicator().allreduce_sum(&count, 1);
  return count > 0.0;
}

std::uint64_t DataParallel::broadcast_seed(std::uint64_t seed) {
  // Two 32-bit halves: each exact in a double.
  double halves[2] = {double(seed >> 32), double(seed & 0xffffffffu)};
  communicator().broadcast(halves, 2, 0);
  return (std::uint64_t(halves[0]) << 32) | std::uint64_t(halves[1]);
}

}  // namespace kiln

#include "models/data_parallel.hpp"

#include <iostream>
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

double DataParallel::loss_share(RowShard shard, std::span<const std::size_t> rows, const Array* sample_weight,
                                Reduction reduction) {
  if (shard.end > rows.size() || shard.begin > shard.end) {
    throw Error("DataParallel::loss_share: shard [" + std::to_string(shard.begin) + ", " + std::to_string(shard.end) +
                ") is not within a batch of " + std::to_string(rows.size()) + " rows");
  }
  if (rows.empty()) return 0.0;
  if (sample_weight == nullptr || reduction != Reduction::mean_with_sample_weight) {
    return double(shard.size()) / double(rows.size());
  }
  // A row's weights are contiguous: (data rows, ...) row-major.
  const std::size_t data_rows = sample_weight->dimension() == 0 ? 0 : sample_weight->shape()[0];
  const std::size_t per_row = data_rows == 0 ? 0 : sample_weight->size() / data_rows;
  auto sum_rows = [&](std::size_t from, std::size_t to) {
    double total = 0.0;
    for (std::size_t k = from; k < to; ++k) {
      if (rows[k] >= data_rows) {
        throw Error("DataParallel::loss_share: row " + std::to_string(rows[k]) + " is outside sample_weight " +
                    to_string(sample_weight->shape()));
      }
      const float* w = sample_weight->data() + rows[k] * per_row;
      for (std::size_t i = 0; i < per_row; ++i) total += w[i];
    }
    return total;
  };
  const double in_batch = sum_rows(0, rows.size());
  return in_batch != 0.0 ? sum_rows(shard.begin, shard.end) / in_batch : 0.0;
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

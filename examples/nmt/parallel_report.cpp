// The data-parallel figures of `nmt train` (see parallel_report.hpp).

#include "examples/nmt/parallel_report.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace nmt {

namespace {

// The median time of one allreduce of n floats, ranks released together by
// a barrier before each call, so no rank waits for a slower one's step.
double allreduce_alone_seconds(kiln::Communicator& job, std::size_t n, int repeats) {
  std::vector<float> buffer(n, 1.0f);
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    job.barrier();
    const auto start = std::chrono::steady_clock::now();
    job.allreduce_sum(buffer.data(), buffer.size());
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + std::ptrdiff_t(seconds.size() / 2), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

void report_data_parallel(std::ostream& out, kiln::Communicator& job, std::size_t steps, std::size_t gradient_floats,
                          double training_seconds) {
  const kiln::CommunicatorStats in_training = job.stats();
  // Every rank's in-step allreduce time, for the mean and the largest.
  std::vector<double> each(std::size_t(job.size()), 0.0);
  each[std::size_t(job.rank())] = in_training.allreduce_seconds;
  job.allreduce_sum(each.data(), each.size());
  double mean_seconds = 0.0;
  for (double s : each) mean_seconds += s / double(each.size());
  const double worst = *std::max_element(each.begin(), each.end());
  const double alone = allreduce_alone_seconds(job, gradient_floats, 50);
  if (!job.is_root() || steps == 0) return;

  const double per_step = 1e3 / double(steps);
  char line[400];
  std::snprintf(line, sizeof line,
                "Data-parallel on %d processes: %zu steps, %.2f allreduce calls and %.1f KiB reduced per step\n"
                "  in-step allreduce (waiting for the slowest rank included): %.2f ms/step on rank 0, %.2f mean, "
                "%.2f on the rank that waited most (%.1f%% of rank 0's %.1f ms step)\n"
                "  one allreduce of the %zu-float gradient buffer alone: %.3f ms (median of 50)\n",
                job.size(), steps, double(in_training.allreduce_calls) / double(steps),
                double(in_training.allreduce_bytes) / double(steps) / 1024.0, in_training.allreduce_seconds * per_step,
                mean_seconds * per_step, worst * per_step,
                100.0 * in_training.allreduce_seconds / training_seconds, training_seconds * per_step,
                gradient_floats, alone * 1e3);
  out << line;
}

}  // namespace nmt

#pragma once
// Timing helpers for kiln-bench: medians over repetitions, so one slow run
// (a page fault, the other core busy) does not move the figure.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <vector>

namespace kiln::bench {

inline double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// CPU time of the whole process (every thread). On a shared machine it moves
// far less than wall time when other work takes the cores: with --threads 1
// it is the step's own work, which is what a build comparison wants.
inline double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Stats {
  double median, p10, p90;  // seconds
};

inline Stats summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) { return samples[std::size_t(q * double(samples.size() - 1))]; };
  return {at(0.5), at(0.1), at(0.9)};
}

// Runs `body` `warmup` times untimed, then `reps` times timed.
inline Stats time_it(const std::function<void()>& body, int reps, int warmup = 3) {
  for (int i = 0; i < warmup; ++i) body();
  std::vector<double> samples;
  for (int i = 0; i < reps; ++i) {
    const double start = now_seconds();
    body();
    samples.push_back(now_seconds() - start);
  }
  return summarize(samples);
}

}  // namespace kiln::bench

#include "distributed/communicator.hpp"

#include <chrono>

#include "graph/error.hpp"

namespace kiln {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string Communicator::describe() const {
  if (size() == 1) return "a single process";
  return "rank " + std::to_string(rank()) + " of " + std::to_string(size());
}

void Communicator::broadcast(float* data, std::size_t n, int root) { timed_broadcast(data, n, Element::f32, root); }

void Communicator::broadcast(double* data, std::size_t n, int root) { timed_broadcast(data, n, Element::f64, root); }

void Communicator::allreduce_sum(float* data, std::size_t n) { timed_allreduce(data, n, Element::f32); }

void Communicator::allreduce_sum(double* data, std::size_t n) { timed_allreduce(data, n, Element::f64); }

void Communicator::barrier() { do_barrier(); }

void Communicator::timed_broadcast(void* data, std::size_t n, Element type, int root) {
  if (root < 0 || root >= size()) {
    throw Error("Communicator::broadcast: root " + std::to_string(root) + " is not a rank of " + describe() +
                " (ranks 0.." + std::to_string(size() - 1) + ")");
  }
  if (n == 0) return;
  if (data == nullptr) throw Error("Communicator::broadcast: null data for " + std::to_string(n) + " elements");
  const auto start = std::chrono::steady_clock::now();
  do_broadcast(data, n, type, root);
  stats_.broadcast_calls += 1;
  stats_.broadcast_bytes += n * bytes_of(type);
  stats_.broadcast_seconds += seconds_since(start);
}

void Communicator::timed_allreduce(void* data, std::size_t n, Element type) {
  if (n == 0) return;
  if (data == nullptr) throw Error("Communicator::allreduce_sum: null data for " + std::to_string(n) + " elements");
  const auto start = std::chrono::steady_clock::now();
  do_allreduce_sum(data, n, type);
  stats_.allreduce_calls += 1;
  stats_.allreduce_bytes += n * bytes_of(type);
  stats_.allreduce_seconds += seconds_since(start);
}

}  // namespace kiln

#pragma once
// ThreadGroup: N threads of this process playing the N ranks of a job, so
// that data-parallel code runs in the ordinary test suite without MPI.
// Each rank's Communicator meets the others at a std::barrier; a sum adds
// the ranks' buffers in rank order, so every rank gets the same bits, as
// MPI's allreduce gives them. Each thread has its own tape (the tape is
// thread-local), so ranks train their own model objects concurrently; build
// those objects before run() (layer naming and initializers are global).

#include <barrier>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "distributed/communicator.hpp"

namespace kiln::testing {

class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : shared_(std::make_shared<Shared>(size)) {}

  int size() const { return shared_->size; }
  std::shared_ptr<Communicator> communicator(int rank) const {
    return std::make_shared<ThreadCommunicator>(shared_, rank);
  }

  // Runs f(rank) on size() threads and waits for all of them; rethrows the
  // first exception. A rank that throws leaves the barrier, so the others
  // do not wait for it forever.
  void run(const std::function<void(int rank)>& f) const {
    std::exception_ptr failure;
    std::mutex failure_mutex;
    std::vector<std::thread> threads;
    for (int rank = 0; rank < size(); ++rank) {
      threads.emplace_back([&, rank] {
        try {
          f(rank);
        } catch (...) {
          const std::lock_guard<std::mutex> lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          shared_->barrier.arrive_and_drop();
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  struct Shared {
    explicit Shared(int n) : size(n), barrier(n), slots(std::size_t(n), nullptr) {}
    int size;
    std::barrier<> barrier;
    std::vector<void*> slots;  // each rank's buffer during a collective
  };

  class ThreadCommunicator : public Communicator {
   public:
    ThreadCommunicator(std::shared_ptr<Shared> shared, int rank) : shared_(std::move(shared)), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return shared_->size; }
    void abort_job(int) override {}

   protected:
    void do_broadcast(void* data, std::size_t n, Element type, int root) override {
      shared_->slots[std::size_t(rank_)] = data;
      shared_->barrier.arrive_and_wait();
      if (rank_ != root) {
        const auto* from = static_cast<const char*>(shared_->slots[std::size_t(root)]);
        std::copy(from, from + n * bytes_of(type), static_cast<char*>(data));
      }
      shared_->barrier.arrive_and_wait();  // the root's data stays put until all have copied
    }

    void do_allreduce_sum(void* data, std::size_t n, Element type) override {
      if (type == Element::f32) {
        sum<float>(data, n);
      } else {
        sum<double>(data, n);
      }
    }

    void do_barrier() override { shared_->barrier.arrive_and_wait(); }

   private:
    template <class T>
    void sum(void* data, std::size_t n) {
      shared_->slots[std::size_t(rank_)] = data;
      shared_->barrier.arrive_and_wait();
      std::vector<T> total(n, T(0));
      for (int r = 0; r < shared_->size; ++r) {
        const T* x = static_cast<const T*>(shared_->slots[std::size_t(r)]);
        for (std::size_t i = 0; i < n; ++i) total[i] += x[i];
      }
      shared_->barrier.arrive_and_wait();  // every rank has read every buffer
      std::copy(total.begin(), total.end(), static_cast<T*>(data));
    }

    std::shared_ptr<Shared> shared_;
    int rank_;
  };

  std::shared_ptr<Shared> shared_;
};

}  // namespace kiln::testing

#include "ops/parallel.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "ops/blas.hpp"
#include "ops/gemm_log.hpp"

namespace kiln {

namespace {

thread_local bool on_helper = false;

// One thread that runs a task when given one and otherwise sleeps. Made on
// first use and never destroyed: a static std::thread still joinable at exit
// would end the program.
class Helper {
 public:
  Helper() {
    std::thread([this] { serve(); }).detach();
  }

  // Only one caller at a time: the one holding `in_use`.
  std::mutex in_use;

  void start(const std::function<void()>& task) {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    error_ = nullptr;
    done_ = false;
    wake_.notify_one();
  }

  // Waits for the task given to start() and returns what it threw, if anything.
  std::exception_ptr finish() {
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [this] { return done_; });
    return error_;
  }

 private:
  void serve() {
    on_helper = true;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return task_ != nullptr; });
      const std::function<void()>* task = task_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*task)();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      task_ = nullptr;
      error_ = error;
      done_ = true;
      finished_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  const std::function<void()>* task_ = nullptr;
  bool done_ = false;
  std::exception_ptr error_;
};

Helper& helper() {
  static Helper* const instance = new Helper;  // reachable for good: not a leak
  return *instance;
}

}  // namespace

void parallel_halves(std::size_t n, std::size_t flops,
                     const std::function<void(std::size_t begin, std::size_t end)>& body) {
  if (n < 2 || flops < parallel_min_flops || on_helper || num_threads() < 2 || GemmLog::active()) {
    body(0, n);
    return;
  }
  Helper& h = helper();
  std::unique_lock<std::mutex> mine(h.in_use, std::try_to_lock);
  if (!mine.owns_lock()) {  // another thread is using the helper
    body(0, n);
    return;
  }
  const std::size_t middle = n / 2;
  const std::function<void()> second = [&] { body(middle, n); };
  h.start(second);
  std::exception_ptr first_error;
  try {
    body(0, middle);
  } catch (...) {
    first_error = std::current_exception();
  }
  const std::exception_ptr second_error = h.finish();  // before `second` goes out of scope
  if (first_error) std::rethrow_exception(first_error);
  if (second_error) std::rethrow_exception(second_error);
}

}  // namespace kiln

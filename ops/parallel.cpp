#include "ops/parallel.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <system_error>
#include <mutex>
#include <thread>

#include "ops/blas.hpp"
#include "ops/gemm_log.hpp"

namespace kiln {

namespace {

thread_local bool on_helper = false;   // this thread is the helper
thread_local bool holds_helper = false;  // this thread is running halves with it

// Spinning means a pause instruction per check: on x86 it tells the core
// (and the hypervisor) that this is a wait loop.
void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How long the helper keeps checking for the next half before it sleeps:
// a training step hands it one every few hundred microseconds; an idle
// program should not keep a core busy.
constexpr auto spin_before_sleep = std::chrono::milliseconds(5);

// Checks `ready` with a pause between checks until it holds; after
// spin_before_sleep of checking, each time it still does not, calls `block`,
// which sleeps until it may.
template <class Ready, class Block>
void spin_then_block(Ready ready, Block block) {
  const auto since = std::chrono::steady_clock::now();
  for (unsigned checks = 1; !ready(); ++checks) {
    relax();
    if (checks % 1024 == 0 && std::chrono::steady_clock::now() - since > spin_before_sleep) block();
  }
}

// One thread that runs the halves it is given. Made on first use and never
// destroyed: a static std::thread still joinable at exit would end the
// program.
class Helper {
 public:
  Helper() { std::thread([this] { serve(); }).detach(); }

  // Held by the one caller using the helper.
  std::mutex in_use;

  void start(const FunctionRef<void()>& task) {
    done_.store(false, std::memory_order_relaxed);
    error_ = nullptr;
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);  // so a helper going to sleep sees the task
      task_.store(&task, std::memory_order_release);
    }
    wake_.notify_one();
  }

  // Waits for the task given to start() and returns what it threw, if
  // anything: spinning at first (the helper's half takes about as long as
  // the caller's), then blocking, should the helper have lost its CPU.
  std::exception_ptr finish() {
    spin_then_block([this] { return done_.load(std::memory_order_acquire); },
                    [this] { done_.wait(false, std::memory_order_acquire); });
    return error_;
  }

 private:
  void serve() {
    on_helper = true;
    for (;;) {
      const FunctionRef<void()>* task = wait_for_task();
      try {
        (*task)();
      } catch (...) {
        error_ = std::current_exception();
      }
      done_.store(true, std::memory_order_release);
      done_.notify_one();
    }
  }

  const FunctionRef<void()>* wait_for_task() {
    const FunctionRef<void()>* task = nullptr;
    spin_then_block(
        [&] {  // reading alone keeps the line shared while idle; taking writes it
          return task_.load(std::memory_order_relaxed) &&
                 (task = task_.exchange(nullptr, std::memory_order_acq_rel)) != nullptr;
        },
        [this] {
          std::unique_lock<std::mutex> lock(sleep_mutex_);
          wake_.wait(lock, [this] { return task_.load(std::memory_order_acquire) != nullptr; });
        });
    return task;
  }

  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  alignas(64) std::atomic<const FunctionRef<void()>*> task_{nullptr};  // written by the caller
  alignas(64) std::atomic<bool> done_{false};                            // written by the helper
  std::exception_ptr error_;  // written by the helper before done_, read by the caller after
};

// The helper, made on first use. A child of fork() has no helper thread
// (fork copies only the calling thread), so it makes its own; the one it
// inherited stays reachable in `abandoned`, not reported as a leak.
std::atomic<Helper*> instance{nullptr};
Helper* abandoned = nullptr;
std::mutex making;  // held across fork, so a child never inherits it locked
std::once_flag atfork_registered;

Helper* make_helper() {
  try {
    return new Helper;
  } catch (const std::system_error&) {  // no thread to be had: everything on the caller
    return nullptr;
  }
}

Helper* helper() {
  std::call_once(atfork_registered, [] {
    pthread_atfork([] { making.lock(); }, [] { making.unlock(); },
                   [] {
                     abandoned = instance.exchange(nullptr);
                     making.unlock();
                   });
  });
  if (Helper* h = instance.load(std::memory_order_acquire)) return h;
  std::lock_guard<std::mutex> lock(making);
  Helper* h = instance.load(std::memory_order_acquire);
  if (!h) {
    h = make_helper();
    instance.store(h, std::memory_order_release);
  }
  return h;
}

}  // namespace

bool worth_splitting(std::size_t n, std::size_t flops) {
  return n >= 2 && flops >= parallel_min_flops && !on_helper && !holds_helper && kiln_runs_second_thread() &&
         !GemmLog::active();
}

void run_halves(std::size_t n, std::size_t middle, FunctionRef<void(std::size_t begin, std::size_t end)> body) {
  Helper* h = holds_helper || on_helper ? nullptr : helper();
  std::unique_lock<std::mutex> mine;
  if (h) mine = std::unique_lock<std::mutex>(h->in_use, std::try_to_lock);
  if (!mine.owns_lock()) {  // no helper, or another thread is using it
    body(0, n);
    return;
  }
  holds_helper = true;
  auto second_half = [&] { body(middle, n); };
  const FunctionRef<void()> second(second_half);
  h->start(second);
  std::exception_ptr first_error;
  try {
    body(0, middle);
  } catch (...) {
    first_error = std::current_exception();
  }
  const std::exception_ptr second_error = h->finish();  // before `second` goes out of scope
  holds_helper = false;
  if (first_error) std::rethrow_exception(first_error);
  if (second_error) std::rethrow_exception(second_error);
}

}  // namespace kiln

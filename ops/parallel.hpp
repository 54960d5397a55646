#pragma once
// Two halves of a loop at once: the caller runs the first, kiln's one helper
// thread the second. With two threads set (set_num_threads, ops/blas.hpp)
// kiln runs its second thread itself instead of leaving it to OpenBLAS: the
// large matrix products are split in two (ops/blas.cpp), and so are the
// attention's per-head work, each recurrent step's batch rows (product and
// cells together, ops/recurrence.hpp), and the element-wise loops large
// enough to pay for a hand-over (layer norm, linear's bias and relu,
// dropout, the cross-entropies, bias gradients, one-hot inputs, Adam),
// which OpenBLAS would leave to the calling thread while its worker waited.
// Like OpenBLAS's worker, the helper spins for a few milliseconds after each
// half before it sleeps, so handing it the next one costs well under a
// microsecond during training.
//
// Runs the whole range on the caller instead when kiln does not run a
// second thread (any thread count but two), when the work is under
// parallel_min_flops (`flops`: the whole range's floating-point
// operations), when a half would be empty, when called from the helper,
// from inside a half, or while another thread holds the helper, when no
// helper thread could be made, and while a GemmLog records this thread's
// products (so each product is logged whole).
// Each item must write only its own outputs: the halves run concurrently.

#include <algorithm>
#include <cstddef>
#include <type_traits>

namespace kiln {

// About 13 µs of work on one core: a spinning helper picks a half up in
// well under one.
inline constexpr std::size_t parallel_min_flops = std::size_t(1) << 18;

// True when parallel_halves(n, flops, ...) may split (the other conditions
// are checked when it runs).
bool worth_splitting(std::size_t n, std::size_t flops);

// A callable borrowed for the length of a call: unlike std::function it
// never allocates (each split would otherwise allocate two).
template <class Signature>
class FunctionRef;
template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cv_t<F>, FunctionRef>)
  FunctionRef(F& f)
      : object_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, Args... args) -> R { return (*static_cast<F*>(o))(args...); }) {}
  R operator()(Args... args) const { return call_(object_, args...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

// The halves of [0, n) split at `middle`, on the caller and the helper, or
// the whole on the caller when the helper is busy or in use by this thread.
void run_halves(std::size_t n, std::size_t middle, FunctionRef<void(std::size_t begin, std::size_t end)> body);

// body(begin, end) over [0, n) in at most two calls, the second half
// starting at the multiple of `align` nearest the middle; the whole on the
// caller when that leaves a half smaller than a quarter of n (16 + 1 rows,
// say: not worth a hand-over, and a one-row product takes another BLAS
// path). An exception from either half reaches the caller once both halves
// have finished.
template <class Body>
void parallel_halves(std::size_t n, std::size_t flops, Body&& body, std::size_t align = 1) {
  const std::size_t middle = (n + align) / (2 * align) * align;  // the multiple of align nearest n / 2
  const std::size_t smaller = middle < n ? std::min(middle, n - middle) : 0;
  if (smaller == 0 || 4 * smaller < n || !worth_splitting(n, flops)) {
    body(std::size_t(0), n);
    return;
  }
  run_halves(n, middle, body);
}

// body(half, begin, end) for the two fixed halves of [0, n), [0, n / 2) and
// [n / 2, n): at once when parallel_halves would split them, else one after
// the other on the caller. For loops that sum into one accumulator per half
// and add them after: the halves are the same either way, so one thread or
// two give the same bits.
template <class Body>
void fixed_halves(std::size_t n, std::size_t flops, Body&& body) {
  const std::size_t middle = n / 2;
  parallel_halves(2, flops, [&](std::size_t first_half, std::size_t last_half) {
    for (std::size_t half = first_half; half < last_half; ++half) {
      body(half, half == 0 ? std::size_t(0) : middle, half == 0 ? middle : n);
    }
  });
}

}  // namespace kiln

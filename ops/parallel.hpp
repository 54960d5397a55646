#pragma once
// Two halves of a loop at once: the caller runs the first, kiln's one helper
// thread the second. With two threads set (set_num_threads, ops/blas.hpp)
// kiln runs its second thread itself instead of leaving it to OpenBLAS: the
// large matrix products are split in two (ops/blas.cpp) and so is the
// attention's per-head work, which OpenBLAS would leave to the calling
// thread while its own worker waited. Like OpenBLAS's worker, the helper
// spins for a few milliseconds after each half before it sleeps, so handing
// it the next one costs well under a microsecond during training.
//
// Runs the whole range on the caller instead when kiln does not run a
// second thread (any thread count but two), when the work is under
// parallel_min_flops (`flops`: the whole range's floating-point
// operations), when the range has fewer than two items, when called from
// the helper or while another thread holds it, and while a GemmLog records
// this thread's products (so each product is logged whole).
// Each item must write only its own outputs: the halves run concurrently.

#include <cstddef>
#include <functional>

namespace kiln {

// About 13 µs of work on one core: a spinning helper picks a half up in
// well under one.
inline constexpr std::size_t parallel_min_flops = std::size_t(1) << 18;

// body(begin, end) over [0, n) in at most two calls; an exception from
// either half reaches the caller once both halves have finished.
void parallel_halves(std::size_t n, std::size_t flops,
                     const std::function<void(std::size_t begin, std::size_t end)>& body);

}  // namespace kiln

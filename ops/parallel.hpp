#pragma once
// Two halves of a loop at once: the caller runs the first, one persistent
// helper thread the second. For the work OpenBLAS leaves to the calling
// thread: products too small for its own threads (the attention's per-head
// blocks) and the element-wise work around them, while its worker waits.
//
// Runs the whole range on the caller instead when the work is too small to
// pay for waking the helper (`flops`, the whole range's floating-point
// operations, under parallel_min_flops), when kiln is set to one thread
// (set_num_threads), when the range has fewer than two items, when called
// from the helper itself or while another thread holds the helper, and while
// a GemmLog records this thread's products (they must all be in the log).
// Each item must write only its own outputs: the halves run concurrently.

#include <cstddef>
#include <functional>

namespace kiln {

// About 200 µs of work on one core. Waking the helper on this project's VM
// costs tens of µs: layer normalization's and dropout_add's passes over a
// Transformer step's activations (1 to 2 MFLOP, 70-150 µs) were no faster
// split (kiln-bench ops, bench/RESULTS.md), the attention's 13 MFLOP are
// 1.5x faster. Decoding's one-position steps stay on the caller.
inline constexpr std::size_t parallel_min_flops = std::size_t(1) << 22;

// body(begin, end) over [0, n) in at most two calls; an exception from
// either half reaches the caller once both halves have finished.
void parallel_halves(std::size_t n, std::size_t flops,
                     const std::function<void(std::size_t begin, std::size_t end)>& body);

}  // namespace kiln

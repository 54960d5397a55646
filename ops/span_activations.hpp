#pragma once
// sigmoid and tanh in place over a span of raw floats. The fused recurrent
// ops (ops/gru.cpp, ops/lstm.cpp) call these on every gate of every step:
// the transcendental functions are most of their elementwise work, and
// scalar std::exp / std::tanh would not vectorise. Defined in
// ops/row_math.cpp, vectorised for the CPU at hand (ops/kernels.hpp).

#include <cstddef>

namespace kiln::span {

// p[i] = 1 / (1 + exp(-p[i])); exp overflowing to inf gives exactly 0.
void sigmoid(float* p, std::size_t n);

// p[i] = tanh(p[i])
void tanh(float* p, std::size_t n);

}  // namespace kiln::span

#pragma once
// Weight initializers with Keras' names and formulas, drawing from a
// seedable generator so a seeded program builds the same weights every run.

#include <cstdint>
#include <functional>
#include <random>

#include "graph/shape.hpp"

namespace kiln {

// Makes the values of a new weight of the given shape.
using Initializer = std::function<Array(const Shape&)>;

// Seeds the generators every initializer (and Dropout, unless given its
// own seed) draws from. Each thread draws from its own generator, which
// starts from the last seed set (1337 before any): a seeded program builds
// the same weights every run, however many threads build models at once.
void set_random_seed(std::uint64_t seed);
// This thread's generator.
std::mt19937_64& global_generator();

namespace initializers {

Initializer zeros();
Initializer ones();
Initializer constant(float value);
Initializer random_uniform(float lo = -0.05f, float hi = 0.05f);
Initializer random_normal(float mean = 0.0f, float stddev = 0.05f);
// U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)); for a (rows, cols)
// kernel fan_in = rows, fan_out = cols (Keras' convention).
Initializer glorot_uniform();
// A (rows, cols) matrix with orthonormal rows or columns (QR of a Gaussian
// matrix, signs fixed by R's diagonal), times `gain`.
Initializer orthogonal(float gain = 1.0f);

// Looks an initializer up by its Keras name ("glorot_uniform", "zeros", ...).
Initializer by_name(const std::string& name);

}  // namespace initializers
}  // namespace kiln

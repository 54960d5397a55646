#include "layers/initializers.hpp"

#include <atomic>
#include <cmath>

#include "graph/error.hpp"

namespace kiln {

namespace {
// The seed every thread's generator starts from, and a count of
// set_random_seed calls so each thread sees when to start again.
std::atomic<std::uint64_t> seed_value{1337};
std::atomic<std::uint64_t> seed_epoch{0};
}  // namespace

// One generator per thread, so threads building models at once neither race
// on a shared generator nor take each other's draws: what a thread builds
// depends only on the seed and on what that thread did since.
std::mt19937_64& global_generator() {
  thread_local std::mt19937_64 generator;
  thread_local std::uint64_t seen_epoch = ~std::uint64_t{0};
  const std::uint64_t epoch = seed_epoch.load();
  if (epoch != seen_epoch) {
    generator.seed(seed_value.load());
    seen_epoch = epoch;
  }
  return generator;
}

void set_random_seed(std::uint64_t seed) {
  seed_value.store(seed);
  seed_epoch.fetch_add(1);  // after the seed: a thread that sees the new epoch reads the new seed
}

namespace initializers {

namespace {

// Keras' fans: the last axis is fan_out, the product of the rest is fan_in.
std::pair<double, double> fans(const Shape& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
  double receptive = 1.0;
  for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {shape[shape.size() - 2] * receptive, shape.back() * receptive};
}

template <class Distribution>
Array sample(const Shape& shape, Distribution dist) {
  Array a = Array::from_shape(shape);
  for (auto& v : a) v = float(dist(global_generator()));
  return a;
}

// Orthonormalises the columns of a (rows, cols) matrix, rows >= cols, by
// modified Gram-Schmidt in double precision: the Q of a QR decomposition,
// with R's diagonal made positive (the sign fix Keras applies).
void orthonormalise_columns(std::vector<double>& m, std::size_t rows, std::size_t cols) {
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t k = 0; k < j; ++k) {
      double dot = 0.0;
      for (std::size_t i = 0; i < rows; ++i) dot += m[i * cols + j] * m[i * cols + k];
      for (std::size_t i = 0; i < rows; ++i) m[i * cols + j] -= dot * m[i * cols + k];
    }
    double norm = 0.0;
    for (std::size_t i = 0; i < rows; ++i) norm += m[i * cols + j] * m[i * cols + j];
    norm = std::sqrt(norm);
    for (std::size_t i = 0; i < rows; ++i) m[i * cols + j] /= norm;
  }
}

}  // namespace

Initializer zeros() { return [](const Shape& s) { return Array(xt::zeros<float>(s)); }; }
Initializer ones() { return [](const Shape& s) { return Array(xt::ones<float>(s)); }; }
Initializer constant(float value) {
  return [value](const Shape& s) {
    Array a = Array::from_shape(s);
    a.fill(value);
    return a;
  };
}

Initializer random_uniform(float lo, float hi) {
  return [lo, hi](const Shape& s) { return sample(s, std::uniform_real_distribution<double>(lo, hi)); };
}

Initializer random_normal(float mean, float stddev) {
  return [mean, stddev](const Shape& s) { return sample(s, std::normal_distribution<double>(mean, stddev)); };
}

Initializer glorot_uniform() {
  return [](const Shape& s) {
    const auto [fan_in, fan_out] = fans(s);
    const double limit = std::sqrt(6.0 / (fan_in + fan_out));
    return sample(s, std::uniform_real_distribution<double>(-limit, limit));
  };
}

Initializer orthogonal(float gain) {
  return [gain](const Shape& s) {
    if (s.size() < 2) throw ShapeError("orthogonal initializer needs at least 2 dims, got " + to_string(s));
    const std::size_t cols = s.back();
    const std::size_t rows = element_count(s) / cols;
    // Work on the taller orientation, then transpose back if needed.
    const bool transposed = rows < cols;
    const std::size_t r = transposed ? cols : rows, c = transposed ? rows : cols;
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> m(r * c);
    for (auto& v : m) v = normal(global_generator());
    orthonormalise_columns(m, r, c);
    Array out = Array::from_shape(s);
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t j = 0; j < cols; ++j) {
        out.data()[i * cols + j] = float(gain * (transposed ? m[j * c + i] : m[i * c + j]));
      }
    }
    return out;
  };
}

Initializer by_name(const std::string& name) {
  if (name == "zeros") return zeros();
  if (name == "ones") return ones();
  if (name == "glorot_uniform") return glorot_uniform();
  if (name == "orthogonal") return orthogonal();
  if (name == "random_uniform") return random_uniform();
  if (name == "random_normal") return random_normal();
  throw Error("unknown initializer '" + name +
              "' (known: zeros, ones, glorot_uniform, orthogonal, random_uniform, random_normal)");
}

}  // namespace initializers
}  // namespace kiln

#pragma once
// Weight initializers with Keras' names and formulas, drawing from a
// seedable generator so a seeded program builds the same weights every run.

#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

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
// Keras' VarianceScaling: values of variance scale / n, where n is fan_in,
// fan_out or their mean (`mode`); `distribution` "truncated_normal" (a
// normal cut at two standard deviations, rescaled to keep the variance),
// "untruncated_normal" or "uniform". Fans: the last axis is fan_out, the
// product of the rest fan_in (a (rows, cols) kernel: fan_in = rows).
Initializer variance_scaling(float scale, const std::string& mode, const std::string& distribution);
// The named special cases of variance_scaling, as Keras defines them.
Initializer glorot_uniform();  // scale 1, fan_avg, uniform: U(+-sqrt(6 / (fan_in + fan_out)))
Initializer glorot_normal();   // scale 1, fan_avg, truncated normal
Initializer he_uniform();      // scale 2, fan_in, uniform
Initializer he_normal();       // scale 2, fan_in, truncated normal
Initializer lecun_uniform();   // scale 1, fan_in, uniform
Initializer lecun_normal();    // scale 1, fan_in, truncated normal
// N(mean, stddev) cut at two standard deviations (redrawn), as Keras'.
Initializer truncated_normal(float mean = 0.0f, float stddev = 0.05f);
// gain times the identity matrix (2-D shapes only).
Initializer identity(float gain = 1.0f);
// A (rows, cols) matrix with orthonormal rows or columns (QR of a Gaussian
// matrix, signs fixed by R's diagonal), times `gain`.
Initializer orthogonal(float gain = 1.0f);

// Looks an initializer up by its Keras name ("glorot_uniform", "zeros", ...).
Initializer by_name(const std::string& name);

}  // namespace initializers

// An initializer as a layer's options hold it: Keras' name with Keras'
// default arguments ("glorot_uniform", "zeros"), or a name with arguments
// ({"stddev": 0.02} for "random_normal"). Reads and writes both forms Keras
// writes: the name, and {"class_name": "RandomNormal", "config": {...}}.
//   Dense({.units = 8, .kernel_initializer = "he_normal"})
//   Dense({.units = 8, .kernel_initializer = {"random_normal", {{"stddev", 0.02}}}})
class InitializerSpec {
 public:
  InitializerSpec(const char* name) : InitializerSpec(std::string(name)) {}
  InitializerSpec(std::string name, nlohmann::json arguments = nlohmann::json::object());

  // From either Keras form; throws FormatError naming the unknown class or
  // argument ("RandomNormal has no argument 'stdev'").
  static InitializerSpec from_config(const nlohmann::json& config);
  // The name alone when there are no arguments, else Keras' serialized form.
  nlohmann::json to_config() const;
  Initializer make() const;

  const std::string& name() const { return name_; }
  const nlohmann::json& arguments() const { return arguments_; }
  bool operator==(const InitializerSpec& other) const = default;

 private:
  std::string name_;         // snake_case: "random_normal"
  nlohmann::json arguments_;  // an object: {"stddev": 0.02}
};
}  // namespace kiln

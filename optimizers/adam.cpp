#include "optimizers/adam.hpp"

#include <cmath>

namespace kiln {

Adam::Adam() : Adam(Options{}) {}

Adam::Adam(Options options) : Adam("adam", std::move(options)) {}

Adam::Adam(std::string name, Options options)
    : Optimizer(std::move(name), common_options(options), {"m", "v"}),
      beta_1_(options.beta_1),
      beta_2_(options.beta_2),
      epsilon_(options.epsilon) {
  if (!(beta_1_ >= 0.0f && beta_1_ < 1.0f)) fail_option("beta_1", "in [0, 1)", beta_1_);
  if (!(beta_2_ >= 0.0f && beta_2_ < 1.0f)) fail_option("beta_2", "in [0, 1)", beta_2_);
  if (!(epsilon_ >= 0.0f)) fail_option("epsilon", ">= 0", epsilon_);
}

void Adam::update(const Step& step, float* w, const float* g, std::span<float* const> slots, std::size_t n) {
  const double t = double(step.number);
  const float lr_t = float(step.learning_rate * std::sqrt(1.0 - std::pow(double(beta_2_), t)) /
                           (1.0 - std::pow(double(beta_1_), t)));
  const float keep_1 = 1.0f - beta_1_, keep_2 = 1.0f - beta_2_;
  // Weights, gradient and slots never overlap; saying so lets the loop vectorize.
  float* __restrict wr = w;
  const float* __restrict gr = g;
  float* __restrict m = slots[0];
  float* __restrict v = slots[1];
  for (std::size_t i = 0; i < n; ++i) {
    m[i] += (gr[i] - m[i]) * keep_1;          // = b1 m + (1 - b1) g
    v[i] += (gr[i] * gr[i] - v[i]) * keep_2;  // = b2 v + (1 - b2) g^2
    wr[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon_);
  }
}

}  // namespace kiln

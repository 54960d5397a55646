#include "optimizers/adam.hpp"

#include <cmath>

#include "ops/kernels.hpp"
#include "ops/parallel.hpp"

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
  set_config(options);
}

void Adam::update(const Step& step, float* w, const float* g, std::span<float* const> slots, std::size_t n) {
  const double t = double(step.number);
  const float lr_t = float(step.learning_rate * std::sqrt(1.0 - std::pow(double(beta_2_), t)) /
                           (1.0 - std::pow(double(beta_1_), t)));
  // The vectorised loop for this CPU (ops/kernels.hpp); slots are m and v.
  // Elements are independent: in two halves on kiln's two threads (about
  // twenty operations each, with a square root and a division).
  const kernels::AdamConstants c{lr_t, 1.0f - beta_1_, 1.0f - beta_2_, epsilon_};
  parallel_halves(n, 20 * n, [&](std::size_t i0, std::size_t i1) {
    kernels::active().adam(c, w + i0, g + i0, slots[0] + i0, slots[1] + i0, i1 - i0);
  }, 16);
}

}  // namespace kiln

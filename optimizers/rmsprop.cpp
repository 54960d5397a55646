#include "optimizers/rmsprop.hpp"

#include <cmath>

namespace kiln {

namespace {

std::vector<std::string> rmsprop_slots(const RMSprop::Options& o) {
  std::vector<std::string> slots{"velocity"};
  if (o.momentum > 0.0f) slots.push_back("momentum");
  if (o.centered) slots.push_back("average_gradient");
  return slots;
}

}  // namespace

RMSprop::RMSprop() : RMSprop(Options{}) {}

RMSprop::RMSprop(Options options)
    : Optimizer("rmsprop", common_options(options), rmsprop_slots(options)),
      rho_(options.rho),
      momentum_(options.momentum),
      epsilon_(options.epsilon) {
  if (!(rho_ >= 0.0f && rho_ < 1.0f)) fail_option("rho", "in [0, 1)", rho_);
  if (!(momentum_ >= 0.0f && momentum_ < 1.0f)) fail_option("momentum", "in [0, 1)", momentum_);
  if (!(epsilon_ >= 0.0f)) fail_option("epsilon", ">= 0", epsilon_);
  std::size_t next = 1;
  if (momentum_ > 0.0f) momentum_slot_ = next++;
  if (options.centered) average_slot_ = next++;
  set_config(options);
}

void RMSprop::update(const Step& step, float* w, const float* g, std::span<float* const> slots, std::size_t n) {
  const float lr = step.learning_rate;
  const float keep = 1.0f - rho_;
  float* v = slots[0];
  float* s = momentum_slot_ ? slots[*momentum_slot_] : nullptr;
  float* a = average_slot_ ? slots[*average_slot_] : nullptr;
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = rho_ * v[i] + keep * (g[i] * g[i]);
    float d = v[i] + epsilon_;
    if (a) {
      a[i] = rho_ * a[i] + keep * g[i];
      d = v[i] - a[i] * a[i] + epsilon_;
    }
    const float increment = lr * g[i] / std::sqrt(d);
    if (s) {
      s[i] = momentum_ * s[i] + increment;
      w[i] -= s[i];
    } else {
      w[i] -= increment;
    }
  }
}

}  // namespace kiln

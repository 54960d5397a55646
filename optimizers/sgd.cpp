#include "optimizers/sgd.hpp"

namespace kiln {

namespace {

std::vector<std::string> sgd_slots(float momentum) {
  if (momentum > 0.0f) return {"momentum"};
  return {};
}

}  // namespace

SGD::SGD() : SGD(Options{}) {}

SGD::SGD(Options options)
    : Optimizer("sgd", common_options(options), sgd_slots(options.momentum)),
      momentum_(options.momentum),
      nesterov_(options.nesterov) {
  if (!(momentum_ >= 0.0f && momentum_ <= 1.0f)) fail_option("momentum", "in [0, 1]", momentum_);
  set_config(options);
}

void SGD::update(const Step& step, float* w, const float* g, std::span<float* const> slots, std::size_t n) {
  const float lr = step.learning_rate;
  if (slots.empty()) {
    for (std::size_t i = 0; i < n; ++i) w[i] -= g[i] * lr;
    return;
  }
  const float m = momentum_;
  float* v = slots[0];
  if (nesterov_) {
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = v[i] * m - g[i] * lr;
      w[i] += v[i] * m - g[i] * lr;
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = v[i] * m - g[i] * lr;
      w[i] += v[i];
    }
  }
}

}  // namespace kiln

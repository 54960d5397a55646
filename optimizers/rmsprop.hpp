#pragma once
// RMSprop, with Keras 3's rule (keras.optimizers.RMSprop):
//   v = rho v + (1 - rho) g^2
//   centered:  a = rho a + (1 - rho) g;  d = v - a^2 + epsilon
//   otherwise: d = v + epsilon
//   step = lr g / sqrt(d)
//   momentum > 0: s = momentum s + step;  w -= s
//   otherwise:    w -= step
// Keras 3 adds epsilon inside the square root (Keras 2's plain path added
// it outside: lr g / (sqrt(v) + epsilon)); this follows Keras 3.
// Slots: "velocity", then "momentum" when momentum > 0, then
// "average_gradient" when centered.

#include <optional>

#include "optimizers/optimizer.hpp"

namespace kiln {

class RMSprop : public Optimizer {
 public:
  struct Options {
    float learning_rate = 1e-3f;
    float rho = 0.9f;        // in [0, 1)
    float momentum = 0.0f;   // in [0, 1)
    float epsilon = 1e-7f;   // >= 0
    bool centered = false;
    float weight_decay = 0.0f;
    float clipnorm = 0.0f;
    float global_clipnorm = 0.0f;
    float clipvalue = 0.0f;
    LearningRateSchedule learning_rate_schedule = {};
    static constexpr auto fields() {
      return std::tuple_cat(common_fields<Options>(),
                            std::tuple{config::field("rho", &Options::rho), config::field("momentum", &Options::momentum),
                                       config::field("epsilon", &Options::epsilon),
                                       config::field("centered", &Options::centered)});
    }
  };
  RMSprop();
  explicit RMSprop(Options options);

 protected:
  void update(const Step& step, float* w, const float* g, std::span<float* const> slots,
              std::size_t n) override;

 private:
  float rho_, momentum_, epsilon_;
  std::optional<std::size_t> momentum_slot_, average_slot_;
};

}  // namespace kiln

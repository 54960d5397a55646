#pragma once
// Adam, with Keras' rule (keras.optimizers.Adam), t = iterations + 1:
//   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
//   lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)
//   w -= lr_t * m / (sqrt(v) + epsilon)
// Epsilon is added to the uncorrected sqrt(v); PyTorch adds it after the
// bias correction, so the two differ where gradients are near zero.
// Slots: "m" and "v".

#include "optimizers/optimizer.hpp"

namespace kiln {

class Adam : public Optimizer {
 public:
  struct Options {
    float learning_rate = 1e-3f;
    float beta_1 = 0.9f;     // in [0, 1)
    float beta_2 = 0.999f;   // in [0, 1)
    float epsilon = 1e-7f;   // >= 0
    float weight_decay = 0.0f;
    float clipnorm = 0.0f;
    float global_clipnorm = 0.0f;
    float clipvalue = 0.0f;
    LearningRateSchedule learning_rate_schedule = {};
    static constexpr auto fields() {
      return std::tuple_cat(common_fields<Options>(),
                            std::tuple{config::field("beta_1", &Options::beta_1), config::field("beta_2", &Options::beta_2),
                                       config::field("epsilon", &Options::epsilon)});
    }
  };
  Adam();
  explicit Adam(Options options);

 protected:
  Adam(std::string name, Options options);  // for AdamW
  void update(const Step& step, float* w, const float* g, std::span<float* const> slots,
              std::size_t n) override;

 private:
  float beta_1_, beta_2_, epsilon_;
};

}  // namespace kiln

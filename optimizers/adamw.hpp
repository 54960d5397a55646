#pragma once
// AdamW (keras.optimizers.AdamW): Adam with decoupled weight decay, applied
// to each weight before its Adam step, as Keras 3's base optimizer does:
//   w -= w * weight_decay * lr;  then the Adam update of adam.hpp.

#include "optimizers/adam.hpp"

namespace kiln {

class AdamW : public Adam {
 public:
  struct Options {
    float learning_rate = 1e-3f;
    float weight_decay = 0.004f;
    float beta_1 = 0.9f;
    float beta_2 = 0.999f;
    float epsilon = 1e-7f;
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
  AdamW();
  explicit AdamW(Options options);
};

}  // namespace kiln

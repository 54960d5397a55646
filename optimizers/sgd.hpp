#pragma once
// SGD, as Keras' keras.optimizers.SGD:
//   no momentum:  w -= lr * g
//   momentum m:   v = m * v - lr * g;  w += v
//   nesterov:     v = m * v - lr * g;  w += m * v - lr * g   (with the new v)
// The velocity slot ("momentum") exists only when momentum > 0.

#include "optimizers/optimizer.hpp"

namespace kiln {

class SGD : public Optimizer {
 public:
  struct Options {
    float learning_rate = 0.01f;
    float momentum = 0.0f;  // in [0, 1]
    bool nesterov = false;
    float weight_decay = 0.0f;
    float clipnorm = 0.0f;
    float global_clipnorm = 0.0f;
    float clipvalue = 0.0f;
    LearningRateSchedule learning_rate_schedule = {};
    static constexpr auto fields() {
      return std::tuple_cat(common_fields<Options>(), std::tuple{config::field("momentum", &Options::momentum),
                                                                 config::field("nesterov", &Options::nesterov)});
    }
  };
  SGD();
  explicit SGD(Options options);

 protected:
  void update(const Step& step, float* w, const float* g, std::span<float* const> slots,
              std::size_t n) override;

 private:
  float momentum_;
  bool nesterov_;
};

}  // namespace kiln

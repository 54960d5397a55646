#pragma once
// BatchNormalization, as keras.layers.BatchNormalization (Keras 3):
//   y = gamma * (x - mean) / sqrt(variance + epsilon) + beta
// per entry of `axis` (the features), with mean and variance over every
// other axis.
//
// - Training (CallContext::training, and the layer trainable): the batch's
//   mean and (biased) variance, differentiated through; then, once per call
//   and outside the graph, moving = moving * momentum + batch * (1 - momentum)
//   for moving_mean and moving_variance.
// - Inference, or a frozen layer (set_trainable(false), as Keras 3): the
//   moving statistics, as constants.
// - A mask (batch, ...) over every axis but the last (axis -1 only) keeps
//   the masked steps out of the batch statistics, with Keras 3's formula:
//   with w the mask, mean = sum(w x) / (sum(w) + 1e-7) and
//   variance = sum(w (w x - mean)^2) / (sum(w) + 1e-7). Passes masks on.
//
// Weights in Keras' get_weights() order: gamma (scale), beta (center),
// moving_mean, moving_variance, the last two non-trainable.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct BatchNormalizationOptions {
  int axis = -1;
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  bool center = true;
  bool scale = true;
  InitializerSpec beta_initializer = "zeros";
  InitializerSpec gamma_initializer = "ones";
  InitializerSpec moving_mean_initializer = "zeros";
  InitializerSpec moving_variance_initializer = "ones";
  bool synchronized = false;  // Keras 3's cross-replica statistics: not supported (false only)
  std::string name = {};
  static constexpr auto fields() {
    using O = BatchNormalizationOptions;
    return std::tuple{config::field("axis", &O::axis),
                      config::field("momentum", &O::momentum),
                      config::field("epsilon", &O::epsilon),
                      config::field("center", &O::center),
                      config::field("scale", &O::scale),
                      config::field("beta_initializer", &O::beta_initializer),
                      config::field("gamma_initializer", &O::gamma_initializer),
                      config::field("moving_mean_initializer", &O::moving_mean_initializer),
                      config::field("moving_variance_initializer", &O::moving_variance_initializer),
                      config::field("synchronized", &O::synchronized)};
  }
};

class BatchNormalizationLayer : public KerasLayer<BatchNormalizationLayer, BatchNormalizationOptions> {
 public:
  static constexpr const char* keras_name = "BatchNormalization";
  // Throws kiln::Error for a negative epsilon, a momentum outside [0, 1] or synchronized.
  explicit BatchNormalizationLayer(Options options);

  Tensor gamma() const { return gamma_; }                      // undefined without scale
  Tensor beta() const { return beta_; }                        // undefined without center
  Tensor moving_mean() const { return moving_mean_; }
  Tensor moving_variance() const { return moving_variance_; }

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::size_t axis_for(std::size_t rank) const;
  // The batch's mean and variance, shaped to broadcast against x.
  std::pair<Tensor, Tensor> batch_moments(const Tensor& x, std::size_t axis, const Array* mask) const;
  void update_moving(const Array& mean, const Array& variance);

  Tensor gamma_, beta_, moving_mean_, moving_variance_;
};

using BatchNormalization = LayerHandle<BatchNormalizationLayer>;

}  // namespace kiln
